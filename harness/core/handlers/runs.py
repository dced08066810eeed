"""Runs: create (also with a new thread), list, retrieve, modify, cancel, submit tool outputs."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from harness.core.engine import Emitter
from harness.core.handlers.common import (
    get_assistant,
    get_run,
    get_thread,
    ok,
    poll_headers,
)
from harness.core.handlers.messages import add_user_message, check_unlocked
from harness.core.handlers.options import (
    check_reasoning_effort,
    check_response_format,
    check_tool_choice,
    check_tool_resources,
    check_truncation,
    normalize_tools,
    tool_outputs,
)
from harness.core.handlers.threads import new_thread
from harness.core.handlers.tool_resources import resolve_tool_resources
from harness.core.http import ApiResponse, Pause, SSEEvent
from harness.core.objects import JSON, run_object
from harness.core.params import Params, invalid_choice
from harness.core.records import RunRecord
from harness.core.state import Context, ServerState
from harness.core.store import paginate
from harness.errors import ApiError
from harness.lifecycle import TERMINAL_STATUSES
from harness.scenario.model import file_search_run_script

__all__ = ["INCLUDE_VALUES", "ROUTES", "check_include", "public_step"]

SEARCH_CONTENT = "step_details.tool_calls[*].file_search.results[*].content"
INCLUDE_VALUES = (SEARCH_CONTENT,)

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


def check_include(ctx: Context) -> bool:
    """Check ``include[]``; whether file_search results carry their content."""
    values = ctx.request.query_values("include[]")
    for value in values:
        if value not in INCLUDE_VALUES:
            raise invalid_choice("include[]", value, INCLUDE_VALUES)
    return SEARCH_CONTENT in values


def public_step(step: JSON, *, with_content: bool) -> JSON:
    """A run step as answered: file_search results lose their ``content`` unless included."""
    if with_content or step["step_details"]["type"] != "tool_calls":
        return step
    calls = step["step_details"].get("tool_calls") or []
    if not any(call.get("type") == "file_search" for call in calls):
        return step
    shown = copy.deepcopy(step)
    for call in shown["step_details"]["tool_calls"]:
        for result in (call.get("file_search") or {}).get("results") or ():
            result.pop("content", None)
    return shown


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
    check_reasoning_effort(params)
    params.boolean("stream")
    params.metadata()
    check_tool_choice(params)
    check_truncation(params)
    check_response_format(params)
    settings = {key: params.raw(key) for key in _RUN_FIELDS if params.has(key)}
    if params.raw("tools") is not None:
        settings["tools"] = normalize_tools(params, max_items=20)
    return settings


def _check_runnable(
    ctx: Context, thread_id: str, assistant: JSON, settings: dict[str, Any]
) -> None:
    """The real API refused a run with nothing to answer (seen in ruby-openai's recordings)."""
    if ctx.permissive:
        return
    has_user_message = any(m["role"] == "user" for m in ctx.state.store.messages.group(thread_id))
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
    messages = [m for m in ctx.state.store.messages.group(thread_id) if m["role"] == "user"]
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
    if state.scripts.is_builtin_default(script) and _searches_files(run, state):
        script = file_search_run_script()
    record = RunRecord(obj=run, script=script, steps=script.steps, clock=clock)
    state.store.runs.put(run["id"], record)
    state.engine.start(record, emit)
    return record


def _searches_files(run: JSON, state: ServerState) -> bool:
    """A file_search assistant whose stores hold ingested files searches them by default."""
    uses_search = any(tool.get("type") == "file_search" for tool in run["tools"])
    return uses_search and bool(
        state.engine.searchable_files(run["assistant_id"], run["thread_id"])
    )


def _is_step(data: object) -> bool:
    return isinstance(data, dict) and data.get("object") == "thread.run.step"


def _answer(
    ctx: Context, record: RunRecord, emit: Emitter, *, lead: list[SSEEvent] | None = None
) -> ApiResponse:
    if not emit.streaming:
        return ok(record.obj)
    return ApiResponse(200, None, dict(_STREAM_HEADERS), stream=_stream(ctx, record, emit, lead))


def _stream(
    ctx: Context, record: RunRecord, emit: Emitter, lead: list[SSEEvent] | None
) -> Iterator[SSEEvent | Pause]:
    with_content = check_include(ctx)
    yield from lead or ()
    for item in ctx.state.engine.play(record, emit):
        if isinstance(item, SSEEvent) and _is_step(item.data):
            item = SSEEvent(item.event, public_step(item.data, with_content=with_content))
        yield item
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
    check_tool_resources(params)
    thread_params = params.nested(
        "thread", allowed={"messages", "tool_resources", "metadata"}
    ) or Params({}, allowed=(), strict=False, relaxed=ctx.permissive, where="thread")
    emit = ctx.emitter(streaming=ctx.wants_stream(params))
    resources = resolve_tool_resources(ctx, params)
    thread = new_thread(ctx, thread_params)
    # The run's resources serve the run; kept with its new thread, whose own ones win.
    thread["tool_resources"] = {**(resources or {}), **thread["tool_resources"]}
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
    records = ctx.state.store.runs.group(thread_id)
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
    return ok(run, poll_headers(ctx))


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
    checked = tool_outputs(params)
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
