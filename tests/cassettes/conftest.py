"""Shared helpers of the cassette tests: the real recordings, and aiohttp apps in a thread."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from aiohttp import web

from harness.server import AppServer
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


@pytest.fixture
def serve_in_thread() -> Iterator[Callable[[web.Application], AppServer]]:
    """``serve_in_thread(app)`` serves ``app`` from a thread until ``stop()`` or the test ends."""
    started: list[AppServer] = []

    def start(app: web.Application) -> AppServer:
        started.append(AppServer(app).start())
        return started[-1]

    yield start
    for server in reversed(started):
        server.stop()
