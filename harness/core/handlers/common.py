"""Pieces shared by the handlers: tools, JSON answers, lookups."""

from __future__ import annotations

from typing import Any

from harness.core import materialise
from harness.core.http import ApiResponse
from harness.core.objects import JSON
from harness.core.params import check_metadata
from harness.core.records import RunRecord
from harness.core.state import Context, not_found

__all__ = [
    "get_assistant",
    "get_message",
    "get_run",
    "get_step",
    "get_thread",
    "ok",
    "poll_headers",
    "update_metadata",
]


def ok(body: Any, headers: dict[str, str] | None = None) -> ApiResponse:
    return ApiResponse(200, body, dict(headers or {}))


def poll_headers(ctx: Context) -> dict[str, str]:
    """What retrievals of polled objects (runs, stores, files, batches) carry, so that the SDK's
    pollers don't sleep a second per poll."""
    return {"openai-poll-after-ms": str(ctx.state.config.poll_after_ms)}


def update_metadata(obj: JSON, value: Any) -> None:
    metadata = check_metadata(value)
    if metadata is not None:
        obj["metadata"] = metadata


def get_assistant(ctx: Context, assistant_id: str) -> JSON:
    assistant = ctx.state.store.assistants.get(assistant_id)
    if assistant is None:
        if ctx.permissive:
            return materialise.assistant(ctx.state, assistant_id)
        raise not_found("assistant", assistant_id)
    return assistant


def get_thread(ctx: Context, thread_id: str) -> JSON:
    thread = ctx.state.store.threads.get(thread_id)
    if thread is None:
        if ctx.permissive:
            return materialise.thread(ctx.state, thread_id)
        raise not_found("thread", thread_id)
    return thread


def get_message(ctx: Context, thread_id: str, message_id: str) -> JSON:
    message = ctx.state.store.messages.get(message_id)
    if message is None or (message["thread_id"] != thread_id and not ctx.permissive):
        if ctx.permissive:
            return materialise.message(ctx.state, thread_id, message_id)
        raise not_found("message", message_id)
    return message


def get_run(ctx: Context, thread_id: str, run_id: str) -> RunRecord:
    record = ctx.state.store.runs.get(run_id)
    if record is None or (record.thread_id != thread_id and not ctx.permissive):
        if ctx.permissive:
            return materialise.run(ctx.state, thread_id, run_id)
        raise not_found("run", run_id)
    return record


def get_step(ctx: Context, record: RunRecord, step_id: str) -> JSON:
    step = ctx.state.store.steps.get(step_id)
    if step is None or step["run_id"] != record.id:
        if ctx.permissive:
            return materialise.run_step(ctx.state, record, step_id)
        raise not_found("run step", step_id)
    return step
