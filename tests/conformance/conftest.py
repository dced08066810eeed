"""Fake servers for the battery: ours as it is, and three deliberately broken variants.

Each broken server breaks one rule of the contract, in the way a real look-alike might:
(a) run objects miss ``expires_at``; (b) a locked thread accepts messages; (c) cancel answers
``cancelled`` at once, skipping ``cancelling``; (d) the Files API demands the beta header.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from aiohttp import web

from harness import AssistantsAPI, FakeServer, ServerConfig
from harness.core import ApiRequest, ApiResponse, SSEEvent
from harness.core.objects import message_object, text_content
from harness.scenario.model import StepSpec
from harness.server import create_app

CONFIG = ServerConfig(validate_responses=True, poll_after_ms=0)
_CANCEL = re.compile(r"^/threads/[^/]+/runs/(?P<run_id>[^/]+)/cancel$")
_MESSAGES = re.compile(r"^/v1/threads/(?P<thread_id>[^/]+)/messages$")


def _without_expires_at(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: _without_expires_at(item)
            for key, item in value.items()
            if not (key == "expires_at" and value.get("object") == "thread.run")
        }
    if isinstance(value, list):
        return [_without_expires_at(item) for item in value]
    return value


class DropsExpiresAt(AssistantsAPI):
    """(a) Every run object, in JSON answers and stream events, lacks ``expires_at``."""

    def handle(self, request: ApiRequest, *, prefix: str = "/v1") -> ApiResponse:
        response = super().handle(request, prefix=prefix)
        response.body = _without_expires_at(response.body)
        if response.stream is not None:
            stream = response.stream
            response.stream = (
                SSEEvent(item.event, _without_expires_at(item.data))
                if isinstance(item, SSEEvent)
                else item
                for item in stream
            )
        return response


class SkipsCancelling(AssistantsAPI):
    """(c) ``cancel`` moves a run straight to ``cancelled``."""

    def handle(self, request: ApiRequest, *, prefix: str = "/v1") -> ApiResponse:
        found = _CANCEL.match(request.path)
        if request.method == "POST" and found:
            with self._lock:
                record = self.state.store.runs.get(found["run_id"])
                if record is not None:
                    record.script = dataclasses.replace(
                        record.script, on_cancel=(StepSpec("cancelled", illegal=True),)
                    )
        return super().handle(request, prefix=prefix)


class FilesNeedBeta(AssistantsAPI):
    """(d) The Files API refuses requests without ``OpenAI-Beta`` (which it never required)."""

    def handle(self, request: ApiRequest, *, prefix: str = "/v1") -> ApiResponse:
        if request.path.startswith("/files") and request.header("openai-beta") is None:
            message = "You must provide the 'OpenAI-Beta' header to access the Assistants API."
            error = {"message": message, "type": "invalid_request_error", "param": None}
            return ApiResponse(400, {"error": {**error, "code": "invalid_beta"}})
        return super().handle(request, prefix=prefix)


@web.middleware
async def accepts_messages_while_locked(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """(b) A message into a thread with an active run is answered 200, not 400."""
    response = await handler(request)
    found = _MESSAGES.match(request.path)
    if (
        request.method == "POST"
        and found
        and response.status == 400
        and isinstance(response, web.Response)
        and isinstance(response.body, bytes)
        and b"while a run" in response.body
    ):
        body = json.loads(await request.read())
        message = message_object(
            id="msg_acceptedWhileLocked000000",
            created_at=1767225600,
            thread_id=found["thread_id"],
            role=str(body.get("role", "user")),
            content=[text_content(str(body.get("content", "")))],
            status=None,
        )
        return web.json_response(message)
    return response


@pytest.fixture(scope="module")
def fake_server() -> Iterator[FakeServer]:
    """Our fake server, validating every answer against the schemas."""
    with FakeServer(AssistantsAPI(CONFIG)) as server:
        yield server


@pytest.fixture(scope="module")
def server_without_expires_at() -> Iterator[FakeServer]:
    with FakeServer(DropsExpiresAt(ServerConfig(poll_after_ms=0))) as server:
        yield server


@pytest.fixture(scope="module")
def server_skipping_cancelling() -> Iterator[FakeServer]:
    with FakeServer(SkipsCancelling(CONFIG)) as server:
        yield server


@pytest.fixture(scope="module")
def server_files_needing_beta() -> Iterator[FakeServer]:
    with FakeServer(FilesNeedBeta(CONFIG)) as server:
        yield server


@pytest.fixture
def lock_ignoring_app() -> web.Application:
    app = create_app(AssistantsAPI(CONFIG))
    app.middlewares.append(accepts_messages_while_locked)
    return app
