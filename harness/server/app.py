"""A thin aiohttp adapter over :class:`harness.core.AssistantsAPI`.

``/v1/...`` is the Assistants API; ``/__harness/...`` is a small control plane (journal, reset,
virtual clock) for clients in any language, in :mod:`harness.server.control`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from aiohttp import web

from harness.core import AssistantsAPI
from harness.dialects import Dialect
from harness.server import errors
from harness.server.control import add_control_routes
from harness.server.dialect_routes import mount_dialect
from harness.server.exchange import read_request, send

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
    core_request = await read_request(request, "/" + request.match_info["tail"])
    return await send(request, api.handle(core_request, prefix=request.app[_PREFIX]))
