"""Serve an aiohttp application on loopback until SIGINT/SIGTERM (shared by the commands)."""

from __future__ import annotations

import asyncio
import signal
import ssl
from collections.abc import Callable

from aiohttp import web

from harness.server.runner import start_site

__all__ = ["serve_until_interrupted"]


def serve_until_interrupted(
    app: web.Application,
    host: str,
    port: int,
    banner: Callable[[str], str],
    *,
    ssl_context: ssl.SSLContext | None = None,
) -> None:
    """Run ``app``; print ``banner(url)`` once listening (``url`` is ``http(s)://host:port``)."""
    asyncio.run(_serve(app, host, port, banner, ssl_context))


async def _serve(
    app: web.Application,
    host: str,
    port: int,
    banner: Callable[[str], str],
    ssl_context: ssl.SSLContext | None,
) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    runner, bound = await start_site(app, host, port, ssl_context)
    scheme = "https" if ssl_context is not None else "http"
    print(banner(f"{scheme}://{host}:{bound}"), flush=True)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
