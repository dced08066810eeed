"""Mount a dialect's paths in the aiohttp application (beside ``/v1``, on the same core)."""

from __future__ import annotations

from aiohttp import web

from harness.dialects import Dialect
from harness.server.exchange import read_request, send

__all__ = ["mount_dialect"]


def mount_dialect(app: web.Application, dialect: Dialect) -> None:
    """Route every method under each of ``dialect.prefixes`` to ``dialect.handle``."""

    async def handler(request: web.Request) -> web.StreamResponse:
        return await _answer(dialect, request)

    for prefix in dialect.prefixes:
        app.router.add_route("*", prefix.rstrip("/") + "/{tail:.*}", handler)


async def _answer(dialect: Dialect, request: web.Request) -> web.StreamResponse:
    return await send(request, dialect.handle(await read_request(request, request.path)))
