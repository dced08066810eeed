"""harness.schemas: the shipped schemas accept every real recording and reject contract breaks."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from harness import schemas
from harness.errors import ConfigError, SchemaValidationError
from harness.schemas import _registry
from tests.recordings import RECORDINGS, recording_files

from .recording_objects import iter_recorded_objects, parse_sse

KINDS = {
    "assistant",
    "assistant.deleted",
    "error",
    "error_object",
    "list",
    "message",
    "message_delta",
    "run",
    "run_step",
    "run_step_delta",
    "stream_event",
    "thread",
    "thread.deleted",
    "thread.message.deleted",
}

# --------------------------------------------------------------------------- valid samples

RUN: dict[str, Any] = {
    "id": "run_abc",
    "object": "thread.run",
    "created_at": 1710330640,
    "thread_id": "thread_abc",
    "assistant_id": "asst_abc",
    "status": "requires_action",
    "required_action": {
        "type": "submit_tool_outputs",
        "submit_tool_outputs": {
            "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
            ]
        },
    },
    "last_error": None,
    "expires_at": 1710331240,
    "started_at": 1710330641,
    "cancelled_at": None,
    "failed_at": None,
    "completed_at": None,
    "incomplete_details": None,
    "model": "gpt-4o",
    "instructions": None,
    "tools": [
        {"type": "code_interpreter"},
        {
            "type": "file_search",
            "file_search": {
                "max_num_results": None,
                "ranking_options": {"ranker": "default_2024_08_21", "score_threshold": 0.0},
            },
        },
        {
            "type": "function",
            "function": {"name": "f", "description": "d", "parameters": {}, "strict": False},
        },
    ],
    "metadata": {},
    "usage": None,
    "temperature": 1.0,
    "top_p": 1.0,
    "max_prompt_tokens": None,
    "max_completion_tokens": None,
    "truncation_strategy": {"type": "auto", "last_messages": None},
    "tool_choice": "auto",
    "parallel_tool_calls": True,
    "response_format": "auto",
    "tool_resources": {},
    "reasoning_effort": None,
}

RUN_STEP: dict[str, Any] = {
    "id": "step_abc",
    "object": "thread.run.step",
    "created_at": 1710330641,
    "assistant_id": "asst_abc",
    "thread_id": "thread_abc",
    "run_id": "run_abc",
    "type": "tool_calls",
    "status": "completed",
    "step_details": {
        "type": "tool_calls",
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "f", "arguments": "{}", "output": None},
            },
            {
                "id": "call_2",
                "type": "code_interpreter",
                "code_interpreter": {
                    "input": "1+1",
                    "outputs": [
                        {"type": "logs", "logs": "2"},
                        {"type": "image", "image": {"file_id": "file_1"}},
                    ],
                },
            },
            {"id": "call_3", "type": "file_search", "file_search": {}},
        ],
    },
    "last_error": None,
    "expires_at": None,
    "expired_at": None,
    "cancelled_at": None,
    "failed_at": None,
    "completed_at": 1710330650,
    "metadata": {},
    "usage": {"prompt_tokens": 10, "completion_tokens": 2, "total_tokens": 12},
}

MESSAGE: dict[str, Any] = {
    "id": "msg_abc",
    "object": "thread.message",
    "created_at": 1710330642,
    "thread_id": "thread_abc",
    "status": "completed",
    "incomplete_details": None,
    "completed_at": 1710330645,
    "incomplete_at": None,
    "role": "assistant",
    "content": [
        {
            "type": "text",
            "text": {
                "value": "see 【4:0†source】",
                "annotations": [
                    {
                        "type": "file_citation",
                        "text": "【4:0†source】",
                        "file_citation": {"file_id": "file_1"},
                        "start_index": 4,
                        "end_index": 16,
                    }
                ],
            },
        },
        {"type": "image_file", "image_file": {"file_id": "file_2", "detail": "low"}},
        {"type": "image_url", "image_url": {"url": "https://example.invalid/a.png"}},
        {"type": "refusal", "refusal": "no"},
    ],
    "assistant_id": "asst_abc",
    "run_id": "run_abc",
    "attachments": [{"file_id": "file_1", "tools": [{"type": "file_search"}]}],
    "metadata": {"k": "v"},
}

ASSISTANT: dict[str, Any] = {
    "id": "asst_abc",
    "object": "assistant",
    "created_at": 1710330000,
    "name": "Math Tutor",
    "description": None,
    "model": "gpt-4o",
    "instructions": "Be nice.",
    "tools": [{"type": "code_interpreter"}],
    "tool_resources": {"code_interpreter": {"file_ids": []}},
    "metadata": {},
    "temperature": 1.0,
    "top_p": 1.0,
    "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": {}}},
    "reasoning_effort": None,
}

THREAD: dict[str, Any] = {
    "id": "thread_abc",
    "object": "thread",
    "created_at": 1710330000,
    "tool_resources": {},
    "metadata": {},
}

LIST: dict[str, Any] = {
    "object": "list",
    "data": [RUN],
    "first_id": "run_abc",
    "last_id": "run_abc",
    "has_more": False,
}

ERROR_OBJECT: dict[str, Any] = {
    "message": "No thread found with id 'thread_x'.",
    "type": "invalid_request_error",
    "param": None,
    "code": None,
}

MESSAGE_DELTA: dict[str, Any] = {
    "id": "msg_abc",
    "object": "thread.message.delta",
    "delta": {
        "content": [{"index": 0, "type": "text", "text": {"value": "Hel", "annotations": []}}]
    },
}

RUN_STEP_DELTA: dict[str, Any] = {
    "id": "step_abc",
    "object": "thread.run.step.delta",
    "delta": {
        "step_details": {
            "type": "tool_calls",
            "tool_calls": [
                {
                    "index": 0,
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "f", "arguments": "", "output": None},
                }
            ],
        }
    },
}


def _deleted(kind: str) -> dict[str, Any]:
    return {"id": "x_abc", "object": kind, "deleted": True}


def _event(name: str, data: Any) -> dict[str, Any]:
    return {"event": name, "data": data}


VALID: dict[str, Any] = {
    "assistant": ASSISTANT,
    "assistant.deleted": _deleted("assistant.deleted"),
    "error": {"error": ERROR_OBJECT},
    "error_object": ERROR_OBJECT,
    "list": LIST,
    "message": MESSAGE,
    "message_delta": MESSAGE_DELTA,
    "run": RUN,
    "run_step": RUN_STEP,
    "run_step_delta": RUN_STEP_DELTA,
    "stream_event": _event("thread.run.created", RUN),
    "thread": THREAD,
    "thread.deleted": _deleted("thread.deleted"),
    "thread.message.deleted": _deleted("thread.message.deleted"),
}

# --------------------------------------------------------------------------- mutations

Mutation = Callable[[Any], None]


def setv(path: str, value: Any) -> Mutation:
    """Set the value at a dotted path (integers index lists)."""

    def apply(obj: Any) -> None:
        *parents, last = path.split(".")
        for part in parents:
            obj = obj[int(part)] if part.isdigit() else obj[part]
        obj[int(last) if last.isdigit() else last] = value

    return apply


def delete(path: str) -> Mutation:
    def apply(obj: Any) -> None:
        *parents, last = path.split(".")
        for part in parents:
            obj = obj[int(part)] if part.isdigit() else obj[part]
        del obj[last]

    return apply


# (kind, mutation, expected error path); ids name the break.
BREAKS: list[Any] = [
    # run
    pytest.param("run", setv("status", "done"), "status", id="run-status-enum"),
    pytest.param("run", delete("usage"), "usage", id="run-missing-usage"),
    pytest.param("run", delete("expires_at"), "expires_at", id="run-missing-expires_at"),
    pytest.param(
        "run", delete("max_prompt_tokens"), "max_prompt_tokens", id="run-missing-v2-field"
    ),
    pytest.param("run", setv("created_at", "1710330640"), "created_at", id="run-created_at-type"),
    pytest.param("run", setv("object", "thread.message"), "object", id="run-object-const"),
    pytest.param("run", setv("started_at", 1.5), "started_at", id="run-started_at-float"),
    pytest.param(
        "run", setv("parallel_tool_calls", "yes"), "parallel_tool_calls", id="run-ptc-type"
    ),
    pytest.param(
        "run",
        setv("required_action", {"type": "submit_tool_outputs"}),
        "required_action.submit_tool_outputs",
        id="run-required_action-shape",
    ),
    pytest.param(
        "run",
        delete("required_action.submit_tool_outputs.tool_calls.0.function.arguments"),
        "required_action.submit_tool_outputs.tool_calls[0].function.arguments",
        id="run-tool_call-arguments",
    ),
    pytest.param(
        "run",
        setv("last_error", {"code": "oops", "message": "m"}),
        "last_error.code",
        id="run-last_error-code",
    ),
    pytest.param(
        "run",
        setv("usage", {"prompt_tokens": 1, "completion_tokens": "2", "total_tokens": 3}),
        "usage.completion_tokens",
        id="run-usage-type",
    ),
    pytest.param("run", setv("usage", 5), "usage", id="run-usage-not-object"),
    pytest.param(
        "run", setv("tools", [{"type": "retrieval"}]), "tools[0].type", id="run-tool-type"
    ),
    pytest.param("run", delete("tools.2.function"), "tools[2].function", id="run-function-missing"),
    pytest.param(
        "run", delete("tools.2.function.name"), "tools[2].function.name", id="run-function-name"
    ),
    pytest.param(
        "run",
        setv("tools.2.function.strict", "no"),
        "tools[2].function.strict",
        id="run-function-strict",
    ),
    pytest.param(
        "run",
        setv("tools.1.file_search.max_num_results", 51),
        "tools[1].file_search.max_num_results",
        id="run-file_search-options",
    ),
    pytest.param("run", setv("tool_choice", "sometimes"), "tool_choice", id="run-tool_choice"),
    pytest.param(
        "run",
        setv("tool_choice", {"type": "function"}),
        "tool_choice.function",
        id="run-tool_choice-fn",
    ),
    pytest.param(
        "run", setv("response_format", "json"), "response_format", id="run-response_format"
    ),
    pytest.param(
        "run",
        setv("truncation_strategy", {"type": "middle"}),
        "truncation_strategy.type",
        id="run-truncation",
    ),
    pytest.param(
        "run",
        setv("incomplete_details", {"reason": "bored"}),
        "incomplete_details.reason",
        id="run-incomplete-reason",
    ),
    pytest.param(
        "run", setv("max_prompt_tokens", 10), "max_prompt_tokens", id="run-max_prompt_tokens"
    ),
    pytest.param("run", setv("metadata", {"k": 1}), "metadata.k", id="run-metadata-value"),
    # run_step
    pytest.param("run_step", setv("status", "queued"), "status", id="step-status-enum"),
    pytest.param("run_step", delete("step_details"), "step_details", id="step-missing-details"),
    pytest.param("run_step", delete("expires_at"), "expires_at", id="step-missing-expires_at"),
    pytest.param("run_step", setv("run_id", 7), "run_id", id="step-run_id-type"),
    pytest.param("run_step", setv("object", "thread.run"), "object", id="step-object-const"),
    pytest.param(
        "run_step",
        delete("step_details.tool_calls.0.function.output"),
        "step_details.tool_calls[0].function.output",
        id="step-function-output",
    ),
    pytest.param(
        "run_step",
        setv("step_details.tool_calls.1.code_interpreter.outputs.0.type", "text"),
        "step_details.tool_calls[1].code_interpreter.outputs[0].type",
        id="step-code-output-type",
    ),
    pytest.param(
        "run_step",
        setv("last_error", {"code": "invalid_prompt", "message": "m"}),
        "last_error.code",
        id="step-last_error-code",
    ),
    # message
    pytest.param("message", setv("status", "done"), "status", id="message-status-enum"),
    pytest.param("message", delete("content"), "content", id="message-missing-content"),
    pytest.param("message", delete("attachments"), "attachments", id="message-missing-attachments"),
    pytest.param("message", setv("role", "system"), "role", id="message-role-enum"),
    pytest.param("message", setv("created_at", "now"), "created_at", id="message-created_at-type"),
    pytest.param("message", setv("object", "thread.run"), "object", id="message-object-const"),
    pytest.param(
        "message", setv("content.0.type", "video"), "content[0].type", id="message-block-type"
    ),
    pytest.param(
        "message",
        delete("content.0.text.annotations"),
        "content[0].text.annotations",
        id="message-text-annotations",
    ),
    pytest.param(
        "message",
        delete("content.0.text.annotations.0.file_citation"),
        "content[0].text.annotations[0].file_citation",
        id="message-annotation-citation",
    ),
    pytest.param(
        "message",
        delete("content.1.image_file.file_id"),
        "content[1].image_file.file_id",
        id="message-image",
    ),
    pytest.param(
        "message",
        setv("content.2.image_url.detail", "max"),
        "content[2].image_url.detail",
        id="message-url",
    ),
    pytest.param(
        "message", setv("content.3.refusal", 1), "content[3].refusal", id="message-refusal"
    ),
    pytest.param(
        "message",
        setv("incomplete_details", {"reason": "tired"}),
        "incomplete_details.reason",
        id="message-incomplete-reason",
    ),
    # assistant
    pytest.param("assistant", delete("model"), "model", id="assistant-missing-model"),
    pytest.param("assistant", setv("name", 3), "name", id="assistant-name-type"),
    pytest.param("assistant", setv("tools", {}), "tools", id="assistant-tools-type"),
    pytest.param(
        "assistant", setv("tools.0.type", "browser"), "tools[0].type", id="assistant-tool-enum"
    ),
    pytest.param("assistant", setv("object", "thread"), "object", id="assistant-object-const"),
    pytest.param("assistant", setv("temperature", 3), "temperature", id="assistant-temperature"),
    pytest.param(
        "assistant",
        delete("response_format.json_schema.name"),
        "response_format.json_schema.name",
        id="assistant-json-schema-name",
    ),
    # thread
    pytest.param("thread", delete("metadata"), "metadata", id="thread-missing-metadata"),
    pytest.param("thread", setv("created_at", None), "created_at", id="thread-created_at-type"),
    pytest.param("thread", setv("object", "assistant"), "object", id="thread-object-const"),
    pytest.param(
        "thread",
        setv("tool_resources", {"file_search": {"vector_store_ids": ["a", "b"]}}),
        "tool_resources.file_search.vector_store_ids",
        id="thread-vector-stores",
    ),
    # list
    pytest.param("list", setv("object", "page"), "object", id="list-object-const"),
    pytest.param("list", delete("first_id"), "first_id", id="list-missing-first_id"),
    pytest.param("list", setv("has_more", "no"), "has_more", id="list-has_more-type"),
    pytest.param("list", setv("data", {}), "data", id="list-data-type"),
    pytest.param("list", setv("data.0.status", "done"), "data[0].status", id="list-item-enum"),
    # deleted
    *[
        pytest.param(kind, mutation, path, id=f"{kind}-{name}")
        for kind in ("assistant.deleted", "thread.deleted", "thread.message.deleted")
        for name, mutation, path in (
            ("deleted-type", setv("deleted", "yes"), "deleted"),
            ("missing-id", delete("id"), "id"),
            ("object-const", setv("object", "thread.run.deleted"), "object"),
        )
    ],
    # errors
    pytest.param("error", delete("error"), "error", id="error-missing"),
    pytest.param("error", delete("error.message"), "error.message", id="error-missing-message"),
    pytest.param("error", setv("error.param", 1), "error.param", id="error-param-type"),
    pytest.param("error_object", setv("code", 400), "code", id="error_object-code-type"),
    pytest.param("error_object", delete("type"), "type", id="error_object-missing-type"),
    # deltas
    pytest.param("message_delta", delete("delta"), "delta", id="message_delta-missing"),
    pytest.param(
        "message_delta",
        delete("delta.content.0.index"),
        "delta.content[0].index",
        id="message_delta-index",
    ),
    pytest.param(
        "message_delta",
        setv("delta.content.0.type", "video"),
        "delta.content[0].type",
        id="message_delta-type",
    ),
    pytest.param(
        "message_delta", setv("delta.role", "tool"), "delta.role", id="message_delta-role"
    ),
    pytest.param(
        "message_delta", setv("object", "thread.message"), "object", id="message_delta-const"
    ),
    pytest.param(
        "run_step_delta",
        setv("delta.step_details.tool_calls.0.index", "0"),
        "delta.step_details.tool_calls[0].index",
        id="run_step_delta-index",
    ),
    pytest.param(
        "run_step_delta",
        setv("delta.step_details.type", "thinking"),
        "delta.step_details.type",
        id="run_step_delta-type",
    ),
    pytest.param(
        "run_step_delta", setv("object", "thread.run.step"), "object", id="run_step_delta-const"
    ),
    # stream events
    pytest.param("stream_event", setv("event", "thread.run.paused"), "event", id="event-unknown"),
    pytest.param("stream_event", delete("data"), "data", id="event-missing-data"),
    pytest.param("stream_event", setv("data.status", "done"), "data.status", id="event-run-status"),
    pytest.param(
        "stream_event",
        setv("event", "thread.message.created"),
        "data.object",
        id="event-wrong-data",
    ),
]


@pytest.mark.parametrize(("kind", "mutation", "path"), BREAKS)
def test_contract_breaks_are_rejected(kind: str, mutation: Mutation, path: str) -> None:
    obj = copy.deepcopy(VALID[kind])
    schemas.validate(kind, obj)  # the sample itself is valid
    mutation(obj)
    with pytest.raises(SchemaValidationError) as caught:
        schemas.validate(kind, obj)
    error = caught.value
    assert error.kind == kind
    assert error.path == path, str(error)
    assert any(error.path == e.path for e in schemas.iter_errors(kind, obj))
    if "." not in path and "[" not in path:
        assert error.path == path, str(error)


def test_every_kind_is_exercised() -> None:
    assert {p.values[0] for p in BREAKS} == KINDS
    assert set(VALID) == KINDS


@pytest.mark.parametrize(
    ("event", "data"),
    [
        ("thread.created", {"id": "thread_a", "object": "thread", "created_at": 1, "metadata": {}}),
        ("thread.run.requires_action", RUN),
        ("thread.run.step.delta", RUN_STEP_DELTA),
        ("thread.run.step.completed", RUN_STEP),
        ("thread.message.delta", MESSAGE_DELTA),
        ("thread.message.incomplete", MESSAGE),
        ("error", ERROR_OBJECT),
        ("done", "[DONE]"),
    ],
)
def test_stream_event_dispatch(event: str, data: Any) -> None:
    schemas.validate("stream_event", _event(event, data))


@pytest.mark.parametrize(
    ("event", "data", "path"),
    [
        ("done", "DONE", "data"),
        ("error", {"error": ERROR_OBJECT}, "data.message"),
        ("thread.run.step.delta", RUN_STEP, "data.delta"),
        ("thread.message.delta", MESSAGE, "data.delta"),
        ("thread.created", RUN, "data.object"),
    ],
)
def test_stream_event_rejects_wrong_data(event: str, data: Any, path: str) -> None:
    with pytest.raises(SchemaValidationError) as caught:
        schemas.validate("stream_event", _event(event, data))
    assert caught.value.path.startswith("data"), str(caught.value)
    assert path in {e.path for e in schemas.iter_errors("stream_event", _event(event, data))}


# --------------------------------------------------------------------------- reality-vs-spec


def test_reality_run_extras_and_gaps() -> None:
    run = copy.deepcopy(RUN)
    run["max_completion_tokens"] = 16  # ruby-vcr runs_create.yml
    del run["parallel_tool_calls"]  # v2 runs recorded before the field existed
    schemas.validate("run", run)


def test_reality_message_without_status() -> None:
    message = copy.deepcopy(MESSAGE)
    message["status"] = None
    schemas.validate("message", message)
    for key in ("status", "incomplete_details", "completed_at", "incomplete_at"):
        del message[key]
    schemas.validate("message", message)


def test_reality_step_without_expired_at_and_metadata() -> None:
    step = copy.deepcopy(RUN_STEP)
    del step["expired_at"], step["metadata"]
    schemas.validate("run_step", step)


def test_v1_legacy_objects_need_only_the_v1_fields() -> None:
    run = {k: v for k, v in RUN.items() if k not in {"usage", "truncation_strategy", "tool_choice"}}
    with pytest.raises(SchemaValidationError):
        schemas.validate("run", run)
    schemas.validate("run", {**run, "file_ids": []})
    message = {k: v for k, v in MESSAGE.items() if k != "attachments"}
    schemas.validate("message", {**message, "file_ids": []})
    with pytest.raises(SchemaValidationError) as caught:
        schemas.validate("run", {**run, "file_ids": [], "status": "bogus"})
    assert caught.value.path == "status"


def test_empty_list_page() -> None:
    page: dict[str, Any] = {
        "object": "list",
        "data": [],
        "first_id": None,
        "last_id": None,
        "has_more": False,
    }
    schemas.validate("list", page)
    schemas.validate_list(page, "run")


# --------------------------------------------------------------------------- API


def test_validate_list_pins_the_item_kind() -> None:
    schemas.validate_list(LIST, "run")
    with pytest.raises(SchemaValidationError) as caught:
        schemas.validate_list(LIST, "message")
    assert caught.value.kind == "list"
    assert caught.value.path.startswith("data[0]")
    broken = copy.deepcopy(LIST)
    broken["data"].append({**RUN, "status": "done"})
    with pytest.raises(SchemaValidationError) as caught:
        schemas.validate_list(broken, "run")
    assert caught.value.path == "data[1].status"
    with pytest.raises(SchemaValidationError) as caught:
        schemas.validate_list({**LIST, "has_more": None}, "run")
    assert caught.value.path == "has_more"


def test_names_lists_every_schema_file() -> None:
    files = {
        entry.name.removesuffix(".schema.json")
        for entry in resources.files("harness.schemas").iterdir()
        if entry.name.endswith(".schema.json")
    }
    assert schemas.names() == sorted(files)
    assert set(schemas.names()) >= KINDS


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_schema_documents(kind: str) -> None:
    document = schemas.schema(kind)
    Draft202012Validator.check_schema(document)
    assert document["$id"] == f"https://harness.invalid/schemas/{kind}.schema.json"
    document["title"] = "changed"
    assert schemas.schema(kind)["title"] != "changed"  # callers get a copy


def test_every_ref_resolves_locally() -> None:
    registry = _registry._registry()
    refs: list[tuple[str, str]] = []

    def walk(node: Any, base: str) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.append((base, node["$ref"]))
            for value in node.values():
                walk(value, base)
        elif isinstance(node, list):
            for value in node:
                walk(value, base)

    for entry in resources.files("harness.schemas").iterdir():
        if entry.name.endswith(".json"):
            document = json.loads(entry.read_text("utf-8"))
            walk(document, document["$id"])
    assert refs
    for base, ref in refs:
        registry.resolver(base_uri=base).lookup(ref)


def test_unknown_kind_is_a_clear_config_error() -> None:
    for call in (
        lambda: schemas.schema("nope"),
        lambda: schemas.validate("nope", {}),
        lambda: schemas.iter_errors("nope", {}),
        lambda: schemas.validate_list(LIST, "nope"),
    ):
        with pytest.raises(ConfigError, match=r"unknown schema 'nope'; known: .*\brun\b"):
            call()


def test_iter_errors() -> None:
    assert schemas.iter_errors("run", RUN) == []
    errors = schemas.iter_errors("run", {**RUN, "status": "x", "model": 1})
    assert {e.path for e in errors} == {"status", "model"}
    assert all(isinstance(e, SchemaValidationError) and e.kind == "run" for e in errors)


def test_error_message_and_odd_keys() -> None:
    with pytest.raises(SchemaValidationError) as caught:
        schemas.validate("thread", {**THREAD, "metadata": {"a b": 1}})
    assert caught.value.path == 'metadata["a b"]'
    assert str(caught.value).startswith('thread: metadata["a b"]: 1 is not of type')
    with pytest.raises(SchemaValidationError) as caught:
        schemas.validate("thread", [])
    assert caught.value.path == ""
    assert "(root)" in str(caught.value)


@pytest.mark.parametrize(
    ("obj", "kind"),
    [
        (ASSISTANT, "assistant"),
        (THREAD, "thread"),
        (MESSAGE, "message"),
        (RUN, "run"),
        (RUN_STEP, "run_step"),
        (LIST, "list"),
        (MESSAGE_DELTA, "message_delta"),
        (RUN_STEP_DELTA, "run_step_delta"),
        (_deleted("assistant.deleted"), "assistant.deleted"),
        (_deleted("thread.deleted"), "thread.deleted"),
        (_deleted("thread.message.deleted"), "thread.message.deleted"),
        ({"error": ERROR_OBJECT}, "error"),
        (_event("done", "[DONE]"), "stream_event"),
        ({"object": "chat.completion"}, None),
        ({"id": "x"}, None),
        ([], None),
        ("run", None),
    ],
)
def test_kind_of(obj: Any, kind: str | None) -> None:
    assert schemas.kind_of(obj) == kind


# --------------------------------------------------------------------------- recordings

RECORDING_FILES = recording_files()  # fails loudly when the recordings are missing


def test_recordings_present() -> None:
    assert RECORDINGS.is_dir()
    assert len(RECORDING_FILES) >= 3


def test_parse_sse() -> None:
    body = 'event: thread.run.created\ndata: {"a": 1}\n\n: comment\nevent: done\ndata: [DONE]\n\n'
    assert parse_sse(body) == [("thread.run.created", {"a": 1}), ("done", "[DONE]")]


@pytest.mark.parametrize("path", RECORDING_FILES, ids=lambda p: p.name)
def test_recorded_objects_validate(path: Path) -> None:
    checked = 0
    seen = 0
    failures: list[str] = []
    for recorded in iter_recorded_objects(path):
        seen += 1
        kind = "stream_event" if recorded.event is not None else schemas.kind_of(recorded.obj)
        if kind is None:
            continue  # files, vector stores, chat completions: not Assistants objects
        checked += 1
        try:
            schemas.validate(kind, recorded.obj)
            if kind == "list" and recorded.obj["data"]:
                item_kind = schemas.kind_of(recorded.obj["data"][0])
                assert item_kind is not None, recorded.where
                schemas.validate_list(recorded.obj, item_kind)
        except SchemaValidationError as error:
            failures.append(f"{recorded.where}: {error}")
    assert seen > 0, f"{path.name}: no JSON bodies found"
    assert checked > 0, f"{path.name}: no Assistants objects found"
    assert not failures, "\n".join(failures[:10])
