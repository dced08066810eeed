"""Shared helpers of the cassette tests: the real recordings, and aiohttp apps in a thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from aiohttp import web

from tests.recordings import RECORDINGS

TRACELOOP = (
    RECORDINGS / "vcrpy" / "traceloop__openllmetry__packages__opentelemetry-instrumentation-"
    "openai__tests__traces__cassettes__test_assistant__"
)


@pytest.fixture
def polling_recording() -> Path:
    """create assistant, thread, message, run; 16 polls of the run to ``completed``; messages."""
    return Path(f"{TRACELOOP}test_new_assistant_with_polling.yaml")


@pytest.fixture
def streaming_recording() -> Path:
    """create assistant, thread, message; a streamed run with code_interpreter step deltas."""
    return Path(f"{TRACELOOP}test_streaming_new_assistant.yaml")


class ThreadedApp:
    """An aiohttp app served on 127.0.0.1 from a background thread with its own event loop.

    For synchronous clients (the openai SDK's ``OpenAI``), which would block a loop they share.
    """

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._runner = web.AppRunner(app)
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), daemon=True)
        self._thread.start()
        if not ready.wait(10) or not self.url:
            raise RuntimeError("the test server did not start")

    def _serve(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            self._loop.run_until_complete(site.start())
            self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        finally:
            ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._runner.cleanup())
        self._loop.close()

    def stop(self) -> None:
        """Stop serving (idempotent): later connections are refused."""
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)


@pytest.fixture
def serve_in_thread() -> Iterator[Callable[[web.Application], ThreadedApp]]:
    """``serve_in_thread(app)`` serves ``app`` from a thread until ``stop()`` or the test ends."""
    started: list[ThreadedApp] = []

    def start(app: web.Application) -> ThreadedApp:
        started.append(ThreadedApp(app))
        return started[-1]

    yield start
    for server in reversed(started):
        server.stop()
