"""AppBuilder's schemas hold what appbuilder-sdk 1.1.5 parses, and the dialect's answers meet them."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from harness import AssistantsAPI, ServerConfig, schemas
from harness.core import ApiRequest
from harness.dialects.appbuilder import AppBuilderDialect
from harness.dialects.appbuilder import _shapes as shapes
from harness.errors import SchemaValidationError

thread_type = pytest.importorskip("appbuilder.core.assistant.type.thread_type")
assistant_type = pytest.importorskip("appbuilder.core.assistant.type.assistant_type")


def _post(dialect: AppBuilderDialect, path: str, body: dict[str, Any]) -> Any:
    response = dialect.handle(
        ApiRequest("POST", path, (), {"authorization": "Bearer t"}, json.dumps(body).encode())
    )
    assert response.status == 200, response.body
    return response.body


@pytest.fixture
def samples() -> dict[str, Any]:
    """One answer of each kind, from the dialect in process (no server), validated as it goes."""
    dialect = AppBuilderDialect(AssistantsAPI(ServerConfig(validate_responses=True)))
    assistant = _post(dialect, "/v2/assistants", {"name": "a", "instructions": "x"})
    thread = _post(dialect, "/v2/threads", {"messages": [{"content": "hi", "role": "user"}]})
    run = _post(
        dialect, "/v2/threads/runs", {"assistant_id": assistant["id"], "thread_id": thread["id"]}
    )
    ids = {"thread_id": thread["id"], "run_id": run["id"]}
    steps = _post(dialect, "/v2/threads/runs/steps/list", ids)
    messages = _post(dialect, "/v2/threads/messages/list", {"thread_id": thread["id"]})
    return {
        "appbuilder.assistant": assistant,
        "appbuilder.thread": thread,
        "appbuilder.run": run,
        "appbuilder.run_step": steps["data"][0],
        "appbuilder.message": messages["data"][0],
        "appbuilder.list": messages,
    }


SDK_MODEL = {
    "appbuilder.assistant": assistant_type.AssistantCreateResponse,
    "appbuilder.thread": thread_type.ThreadCreateResponse,
    "appbuilder.run": thread_type.RunResult,
    "appbuilder.run_step": thread_type.RunStepResult,
    "appbuilder.message": thread_type.AssistantMessageQueryResponse,
    "appbuilder.list": thread_type.AssistantMessageListResponse,
}


def test_every_answer_parses_in_the_sdk(samples: dict[str, Any]) -> None:
    for kind, sample in samples.items():
        schemas.validate(kind, sample)
        SDK_MODEL[kind](**sample)  # the SDK's own pydantic model accepts it
    assert samples["appbuilder.run"]["final_answer"]["message"]["content"][0]["text"]["value"]
    assert "step_datail" in samples["appbuilder.run_step"]


# Each break is one that appbuilder-sdk 1.1.5 rejects (reference notes §8): the schema must too.
BREAKS = [
    ("appbuilder.thread", ("metadata",), None),
    ("appbuilder.thread", ("created_at",), None),
    ("appbuilder.thread", ("created_at",), 1.5),
    ("appbuilder.thread", ("created_at",), "2026-01-01T00:00:00Z"),
    ("appbuilder.run", ("started_at",), None),
    ("appbuilder.run", ("instructions",), None),
    ("appbuilder.run", ("model",), None),
    (
        "appbuilder.run",
        ("final_answer", "message", "content"),
        {"type": "text", "text": {"value": "x"}},
    ),
    ("appbuilder.message", ("role",), "system"),
    ("appbuilder.message", ("content",), "a string"),
    ("appbuilder.message", ("content", 0, "text", "annotations"), [{"type": "file_citation"}]),
    ("appbuilder.message", ("thread_id",), None),
    ("appbuilder.list", ("has_more",), None),
    ("appbuilder.assistant", ("response_format",), "auto"),
    ("appbuilder.assistant", ("metadata",), {f"k{i}": "v" for i in range(17)}),
]


@pytest.mark.parametrize(("kind", "path", "value"), BREAKS)
def test_what_the_sdk_rejects_the_schema_rejects(
    samples: dict[str, Any], kind: str, path: tuple[Any, ...], value: Any
) -> None:
    broken = copy.deepcopy(samples[kind])
    target = broken
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(SchemaValidationError):
        schemas.validate(kind, broken)
    with pytest.raises((ValueError, TypeError)):
        SDK_MODEL[kind](**broken)


def test_what_the_sdk_accepts_the_schema_accepts(samples: dict[str, Any]) -> None:
    run = {**samples["appbuilder.run"], "status": "weird", "usage": {}, "metadata": {}}
    schemas.validate("appbuilder.run", run)
    message = {**samples["appbuilder.message"], "assistant_id": None}
    schemas.validate("appbuilder.message", message)
    schemas.validate("appbuilder.assistant", {**samples["appbuilder.assistant"], "metadata": None})
    step = {
        **samples["appbuilder.run_step"],
        "last_error": {"type": "x", "message": "y"},
        "type": None,
    }
    schemas.validate("appbuilder.run_step", step)


def test_a_broken_rendering_is_caught_as_our_own_error(monkeypatch: pytest.MonkeyPatch) -> None:
    dialect = AppBuilderDialect(AssistantsAPI(ServerConfig(validate_responses=True)))
    monkeypatch.setattr(shapes, "thread", lambda core: {**core, "created_at": None})
    response = dialect.handle(
        ApiRequest("POST", "/v2/threads", (), {"authorization": "Bearer t"}, b"{}")
    )
    assert response.status == 500
    assert "harness internal error" in response.body["error"]["message"]


def test_errors_meet_the_error_schema() -> None:
    dialect = AppBuilderDialect(AssistantsAPI(ServerConfig(validate_responses=True)))
    for path, body in [
        ("/v2/threads/query", b'{"thread_id": "thread_x"}'),
        ("/v2/nope", b"{}"),
        ("/v2/threads", b"{"),
    ]:
        response = dialect.handle(ApiRequest("POST", path, (), {"authorization": "Bearer t"}, body))
        assert response.status in (400, 404)
        schemas.validate("appbuilder.error", response.body)
    unauthenticated = dialect.handle(ApiRequest("POST", "/v2/threads", (), {}, b"{}"))
    assert unauthenticated.status == 401
    wrong_method = dialect.handle(
        ApiRequest("GET", "/v2/threads", (), {"authorization": "Bearer t"})
    )
    assert wrong_method.status == 405
