"""A thin aiohttp adapter over :class:`harness.core.AssistantsAPI`.

``/v1/...`` is the Assistants API; ``/__harness/...`` is a small control plane (journal, reset,
virtual clock) for clients in any language, in :mod:`harness.server.control`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from aiohttp import web

from harness.core import ApiRequest, ApiResponse, AssistantsAPI, Cut, Pause
from harness.core.http import caller_of
from harness.dialects import Dialect
from harness.server import errors
from harness.server.control import add_control_routes
from harness.server.dialect_routes import mount_dialect

__all__ = ["API_KEY", "create_app"]

API_KEY: web.AppKey[AssistantsAPI] = web.AppKey("harness_api", AssistantsAPI)
_PREFIX: web.AppKey[str] = web.AppKey("harness_prefix", str)
log = logging.getLogger("harness.server")


def create_app(
    api: AssistantsAPI,
    *,
    prefix: str = "/v1",
    dialect: Dialect | Sequence[Dialect] | None = None,
) -> web.Application:
    """The aiohttp application serving ``api`` under ``prefix`` (and each dialect's paths)."""
    # The core undoes Content-Encoding itself (one decoder for every transport, bad bodies 400).
    app = web.Application(client_max_size=32 * 1024**2, handler_args={"auto_decompress": False})
    errors.install(app)  # aiohttp's own answers (404 outside the API, bad HTTP) as envelopes
    app[API_KEY] = api
    app[_PREFIX] = prefix.rstrip("/")
    add_control_routes(app, API_KEY)
    app.router.add_route("*", prefix.rstrip("/") + "/{tail:.*}", _api)
    for each in dialect if isinstance(dialect, Sequence) else (dialect,) if dialect else ():
        mount_dialect(app, each)
    return app


async def _api(request: web.Request) -> web.StreamResponse:
    api = request.app[API_KEY]
    prefix = request.app[_PREFIX]
    core_request = ApiRequest(
        method=request.method,
        path="/" + request.match_info["tail"],
        query=tuple(request.query.items()),
        headers={name.lower(): value for name, value in request.headers.items()},
        body=await request.read(),
        caller=caller_of(
            request.remote or "",
            *(request.headers.get(h, "") for h in ("User-Agent", "Authorization")),
        ),
    )
    response = api.handle(core_request, prefix=prefix)
    if response.delay_ms:
        await asyncio.sleep(response.delay_ms / 1000)
    if response.reset:
        if request.transport is not None:
            request.transport.abort()
        raise asyncio.CancelledError
    if response.stream is not None:
        return await _stream(request, response)
    return web.Response(
        status=response.status,
        body=response.encoded_body(),
        headers={**response.headers, "Content-Type": response.media_type},
    )


async def _stream(request: web.Request, response: ApiResponse) -> web.StreamResponse:
    """Send events as they are produced; a vanished client only stops the sending."""
    assert response.stream is not None
    stream = web.StreamResponse(status=response.status, headers=response.headers)
    await stream.prepare(request)
    connected = True
    for item in response.stream:
        if not connected:
            continue  # keep playing the run so its state stays consistent
        if isinstance(item, Pause):
            await asyncio.sleep(item.ms / 1000)
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
