"""Serve an aiohttp application on loopback until SIGINT/SIGTERM (shared by the commands)."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable

from aiohttp import web

__all__ = ["serve_until_interrupted"]


def serve_until_interrupted(
    app: web.Application, host: str, port: int, banner: Callable[[str], str]
) -> None:
    """Run ``app``; print ``banner(url)`` once listening (``url`` is ``http://host:port``)."""
    asyncio.run(_serve(app, host, port, banner))


async def _serve(app: web.Application, host: str, port: int, banner: Callable[[str], str]) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    sockets = getattr(site._server, "sockets", None) or []
    bound = sockets[0].getsockname()[1] if sockets else port
    print(banner(f"http://{host}:{bound}"), flush=True)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
