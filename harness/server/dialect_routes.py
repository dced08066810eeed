"""Mount a dialect's paths in the aiohttp application (beside ``/v1``, on the same core)."""

from __future__ import annotations

import asyncio

from aiohttp import web

from harness.core import ApiRequest, ApiResponse, Cut, Pause
from harness.core.http import caller_of
from harness.dialects import Dialect
from harness.dialects.base import Waiting

__all__ = ["mount_dialect"]


def mount_dialect(app: web.Application, dialect: Dialect) -> None:
    """Route every method under each of ``dialect.prefixes`` to ``dialect.handle``."""

    async def handler(request: web.Request) -> web.StreamResponse:
        return await _answer(dialect, request)

    for prefix in dialect.prefixes:
        app.router.add_route("*", prefix.rstrip("/") + "/{tail:.*}", handler)


async def _answer(dialect: Dialect, request: web.Request) -> web.StreamResponse:
    wire = ApiRequest(
        method=request.method,
        path=request.path,
        query=tuple(request.query.items()),
        headers={name.lower(): value for name, value in request.headers.items()},
        body=await request.read(),
        caller=caller_of(
            request.remote or "",
            *(request.headers.get(h, "") for h in ("User-Agent", "Authorization", "api-key")),
        ),
    )
    response = dialect.handle(wire)
    if response.delay_ms:
        await asyncio.sleep(response.delay_ms / 1000)
    if response.reset:
        if request.transport is not None:
            request.transport.abort()
        raise asyncio.CancelledError
    if response.stream is not None:
        return await _stream(request, response)
    headers = {"Content-Type": response.media_type, **response.headers}
    return web.Response(status=response.status, body=response.encoded_body(), headers=headers)


async def _stream(request: web.Request, response: ApiResponse) -> web.StreamResponse:
    """Send events as produced. A vanished client stops the sending; the run plays on until it
    would wait for that client (a :class:`Waiting` pause), where the stream is closed."""
    assert response.stream is not None
    stream = web.StreamResponse(status=response.status, headers=response.headers)
    await stream.prepare(request)
    connected = True
    for item in response.stream:
        if not connected:
            if isinstance(item, Waiting):
                close = getattr(response.stream, "close", None)
                if close is not None:
                    close()
                break
            continue
        if isinstance(item, Pause):
            await asyncio.sleep(item.ms / 1000)
            if request.transport is None or request.transport.is_closing():
                connected = False
        elif isinstance(item, Cut):
            if request.transport is not None:
                request.transport.abort()
            connected = False
        else:
            try:
                await stream.write(item.encode())
            except (ConnectionError, RuntimeError):
                connected = False
    if connected:
        await stream.write_eof()
    return stream
