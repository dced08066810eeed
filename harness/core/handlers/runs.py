"""Runs: create (also with a new thread), list, retrieve, modify, cancel, submit tool outputs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from harness.core.engine import Emitter
from harness.core.handlers.common import (
    get_assistant,
    get_run,
    get_thread,
    normalize_tools,
    ok,
)
from harness.core.handlers.messages import add_user_message, check_unlocked
from harness.core.handlers.threads import new_thread
from harness.core.http import ApiResponse, Pause, SSEEvent
from harness.core.objects import JSON, run_object
from harness.core.params import Params, bad_request, invalid_choice
from harness.core.records import RunRecord
from harness.core.state import Context
from harness.core.store import paginate
from harness.errors import ApiError
from harness.lifecycle import TERMINAL_STATUSES

__all__ = ["INCLUDE_VALUES", "ROUTES", "check_include"]

INCLUDE_VALUES = ("step_details.tool_calls[*].file_search.results[*].content",)

_RUN_FIELDS = {
    "assistant_id",
    "model",
    "instructions",
    "additional_instructions",
    "additional_messages",
    "tools",
    "metadata",
    "temperature",
    "top_p",
    "stream",
    "max_prompt_tokens",
    "max_completion_tokens",
    "truncation_strategy",
    "tool_choice",
    "parallel_tool_calls",
    "response_format",
    "reasoning_effort",
}
_THREAD_AND_RUN_FIELDS = (_RUN_FIELDS - {"additional_instructions", "additional_messages"}) | {
    "thread",
    "tool_resources",
}
_STREAM_HEADERS = {"Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache"}


def check_include(ctx: Context) -> None:
    for value in ctx.request.query_values("include[]"):
        if value not in INCLUDE_VALUES:
            raise invalid_choice("include[]", value, INCLUDE_VALUES)


def _run_settings(params: Params) -> dict[str, Any]:
    """Validate the per-run overrides and return the given ones."""
    params.string("model")
    params.string("instructions", max_length=256_000)
    params.string("additional_instructions")
    params.number("temperature", minimum=0, maximum=2)
    params.number("top_p", minimum=0, maximum=1)
    params.number("max_prompt_tokens", minimum=256, integer=True)
    # The spec says >= 256, but the real API accepted 16 (ruby-openai's recorded runs).
    params.number("max_completion_tokens", minimum=1, integer=True)
    params.boolean("parallel_tool_calls")
    params.metadata()
    _check_tool_choice(params.raw("tool_choice"))
    _check_truncation(params.raw("truncation_strategy"))
    settings = {key: params.raw(key) for key in _RUN_FIELDS if params.has(key)}
    tools = params.array("tools", max_items=20)
    if tools is not None:
        settings["tools"] = normalize_tools(tools)
    return settings


def _check_tool_choice(value: Any) -> None:
    if value is None or value in ("none", "auto", "required"):
        return
    if isinstance(value, dict) and value.get("type") in (
        "function",
        "code_interpreter",
        "file_search",
    ):
        if value["type"] == "function" and not isinstance(
            (value.get("function") or {}).get("name"), str
        ):
            raise bad_request(
                "Missing required parameter: 'tool_choice.function.name'.",
                param="tool_choice.function.name",
                code="missing_required_parameter",
            )
        return
    if isinstance(value, str):
        raise invalid_choice("tool_choice", value, ("none", "auto", "required"))
    raise bad_request(
        "Invalid 'tool_choice': expected one of 'none', 'auto', 'required' or an object naming "
        "a tool.",
        param="tool_choice",
        code="invalid_value",
    )


def _check_truncation(value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, dict) or value.get("type") not in ("auto", "last_messages"):
        raise invalid_choice(
            "truncation_strategy.type",
            str(value.get("type") if isinstance(value, dict) else value),
            ("auto", "last_messages"),
        )
    last = value.get("last_messages")
    if last is not None and (not isinstance(last, int) or last < 1):
        raise bad_request(
            "Invalid 'truncation_strategy.last_messages': integer below minimum value. Expected a "
            f"value >= 1, but got {last} instead.",
            param="truncation_strategy.last_messages",
            code="integer_below_min_value",
        )


def _check_runnable(
    ctx: Context, thread_id: str, assistant: JSON, settings: dict[str, Any]
) -> None:
    """The real API refused a run with nothing to answer (seen in ruby-openai's recordings)."""
    if ctx.permissive:
        return
    has_user_message = any(
        m["thread_id"] == thread_id and m["role"] == "user"
        for m in ctx.state.store.messages.values()
    )
    instructions = (
        settings.get("instructions")
        or settings.get("additional_instructions")
        or assistant.get("instructions")
    )
    if not has_user_message and not instructions:
        raise ApiError(
            400,
            "Run creation requires a Thread with a user message or an assistant with instructions.",
            code="invalid_thread",
        )


def _last_user_text(ctx: Context, thread_id: str) -> str:
    messages = ctx.state.store.messages.where(
        lambda m: m["thread_id"] == thread_id and m["role"] == "user"
    )
    if not messages:
        return ""
    return " ".join(
        block["text"]["value"] for block in messages[-1]["content"] if block["type"] == "text"
    )


def _start_run(
    ctx: Context, thread_id: str, assistant: JSON, settings: dict[str, Any], emit: Emitter
) -> RunRecord:
    state = ctx.state
    clock = state.clock.object_clock()
    now = clock.now()
    run = run_object(
        id=state.ids.new("run"),
        created_at=now,
        thread_id=thread_id,
        assistant=assistant,
        params=settings,
        expires_at=now + state.config.run_expiry_s,
    )
    script = state.scripts.take(run, _last_user_text(ctx, thread_id))
    record = RunRecord(obj=run, script=script, steps=script.steps, clock=clock)
    state.store.runs.put(run["id"], record)
    state.engine.start(record, emit)
    return record


def _answer(
    ctx: Context, record: RunRecord, emit: Emitter, *, lead: list[SSEEvent] | None = None
) -> ApiResponse:
    if not emit.streaming:
        return ok(record.obj)
    return ApiResponse(200, None, dict(_STREAM_HEADERS), stream=_stream(ctx, record, emit, lead))


def _stream(
    ctx: Context, record: RunRecord, emit: Emitter, lead: list[SSEEvent] | None
) -> Iterator[SSEEvent | Pause]:
    yield from lead or ()
    yield from ctx.state.engine.play(record, emit)
    yield SSEEvent("done", "[DONE]")


def create(ctx: Context) -> ApiResponse:
    thread_id = ctx.path_id("thread_id", "thread", "thread")
    check_include(ctx)
    params = ctx.body(_RUN_FIELDS, required=True)
    assistant_id = params.id_ref("assistant_id", "asst")
    get_thread(ctx, thread_id)
    assistant = get_assistant(ctx, assistant_id)
    settings = _run_settings(params)
    additional = params.array("additional_messages") or []
    check_unlocked(ctx, thread_id, adding="run")
    for index, message in enumerate(additional):
        add_user_message(ctx, thread_id, message, f"additional_messages[{index}]")
    _check_runnable(ctx, thread_id, assistant, settings)
    emit = ctx.emitter(streaming=ctx.wants_stream(params))
    record = _start_run(ctx, thread_id, assistant, settings, emit)
    return _answer(ctx, record, emit)


def create_thread_and_run(ctx: Context) -> ApiResponse:
    params = ctx.body(_THREAD_AND_RUN_FIELDS, required=True)
    assistant_id = params.id_ref("assistant_id", "asst")
    assistant = get_assistant(ctx, assistant_id)
    settings = _run_settings(params)
    thread_body = params.obj("thread") or {}
    thread_params = Params(
        thread_body, allowed={"messages", "tool_resources", "metadata"}, strict=ctx.strict
    )
    emit = ctx.emitter(streaming=ctx.wants_stream(params))
    thread = new_thread(ctx, thread_params, "thread")
    try:
        _check_runnable(ctx, thread["id"], assistant, settings)
    except ApiError:
        ctx.state.store.threads.pop(thread["id"])
        raise
    lead = [SSEEvent("thread.created", dict(thread))] if emit.streaming else None
    record = _start_run(ctx, thread["id"], assistant, settings, emit)
    return _answer(ctx, record, emit, lead=lead)


def list_(ctx: Context) -> ApiResponse:
    thread_id = ctx.path_id("thread_id", "thread", "thread")
    get_thread(ctx, thread_id)
    page = ctx.page()
    engine = ctx.state.engine
    records = ctx.state.store.runs.where(lambda r: r.thread_id == thread_id)
    for record in records:
        engine.refresh(record, ctx.emitter())
    return ok(paginate(records, page, key=lambda r: r.id, render=lambda r: r.obj))


def retrieve(ctx: Context) -> ApiResponse:
    thread_id = ctx.path_id("thread_id", "thread", "thread")
    get_thread(ctx, thread_id)
    record = get_run(ctx, thread_id, ctx.params["run_id"])
    run = ctx.state.engine.observe(
        record, ctx.emitter(), request=ctx.label, caller=ctx.request.caller
    )
    return ok(run, {"openai-poll-after-ms": str(ctx.state.config.poll_after_ms)})


def modify(ctx: Context) -> ApiResponse:
    thread_id = ctx.path_id("thread_id", "thread", "thread")
    get_thread(ctx, thread_id)
    record = get_run(ctx, thread_id, ctx.params["run_id"])
    params = ctx.body({"metadata"})
    metadata = params.metadata()
    if metadata is not None:
        record.obj["metadata"] = metadata
    ctx.state.engine.refresh(record, ctx.emitter(), observed=True)
    return ok(record.obj)


def cancel(ctx: Context) -> ApiResponse:
    thread_id = ctx.path_id("thread_id", "thread", "thread")
    get_thread(ctx, thread_id)
    record = get_run(ctx, thread_id, ctx.params["run_id"])
    if ctx.permissive and record.status in TERMINAL_STATUSES:
        return ok(record.obj)
    ctx.state.engine.cancel(record, ctx.emitter())
    return ok(record.obj)


def submit_tool_outputs(ctx: Context) -> ApiResponse:
    thread_id = ctx.path_id("thread_id", "thread", "thread")
    get_thread(ctx, thread_id)
    record = get_run(ctx, thread_id, ctx.params["run_id"])
    params = ctx.body({"tool_outputs", "stream"}, required=True)
    outputs = params.array("tool_outputs")
    if outputs is None:
        params.required("tool_outputs")
    checked: list[JSON] = []
    for index, output in enumerate(outputs or []):
        if not isinstance(output, dict):
            raise bad_request(
                f"Invalid type for 'tool_outputs[{index}]': expected an object.",
                param=f"tool_outputs[{index}]",
                code="invalid_type",
            )
        checked.append(output)
    emit = ctx.emitter(streaming=ctx.wants_stream(params))
    if ctx.permissive and record.status != "requires_action":
        return ok(record.obj)
    ctx.state.engine.submit_tool_outputs(
        record, checked, emit, request=ctx.label, check_ids=not ctx.permissive
    )
    return _answer(ctx, record, emit)


ROUTES = [
    ("POST", "/threads/runs", create_thread_and_run),
    ("POST", "/threads/{thread_id}/runs", create),
    ("GET", "/threads/{thread_id}/runs", list_),
    ("GET", "/threads/{thread_id}/runs/{run_id}", retrieve),
    ("POST", "/threads/{thread_id}/runs/{run_id}", modify),
    ("POST", "/threads/{thread_id}/runs/{run_id}/cancel", cancel),
    ("POST", "/threads/{thread_id}/runs/{run_id}/submit_tool_outputs", submit_tool_outputs),
]
