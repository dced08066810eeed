"""One aiohttp request in, one core answer out: shared by ``/v1`` and every dialect's routes."""

from __future__ import annotations

import asyncio

from aiohttp import web

from harness.core import ApiRequest, ApiResponse, Cut, Pause
from harness.core.http import caller_of
from harness.dialects.base import Waiting

__all__ = ["read_request", "send"]

_CALLER_HEADERS = ("User-Agent", "Authorization", "api-key")
"""What tells one client from another (with its address), for the per-caller contract rules."""


async def read_request(request: web.Request, path: str) -> ApiRequest:
    """The transport-neutral request the core (or a dialect) answers; ``path`` as it sees it."""
    return ApiRequest(
        method=request.method,
        path=path,
        query=tuple(request.query.items()),
        headers={name.lower(): value for name, value in request.headers.items()},
        body=await request.read(),
        caller=caller_of(
            request.remote or "", *(request.headers.get(h, "") for h in _CALLER_HEADERS)
        ),
    )


async def send(request: web.Request, response: ApiResponse) -> web.StreamResponse:
    """Answer with ``response``: after its delay, as a dropped connection, a stream or a body."""
    if response.delay_ms:
        await asyncio.sleep(response.delay_ms / 1000)
    if response.reset:
        if request.transport is not None:
            request.transport.abort()
        raise asyncio.CancelledError
    if response.stream is not None:
        return await _stream(request, response)
    headers = {**response.headers, "Content-Type": response.media_type}
    return web.Response(status=response.status, body=response.encoded_body(), headers=headers)


async def _stream(request: web.Request, response: ApiResponse) -> web.StreamResponse:
    """Send events as they are produced. A vanished client only stops the sending: the run plays
    on so its state stays consistent, until it would wait for that very client (a
    :class:`~harness.dialects.base.Waiting` pause), where the stream is closed."""
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
