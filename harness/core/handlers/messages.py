"""``/threads/{thread_id}/messages``: create, list (with ``run_id``), retrieve, modify, delete."""

from __future__ import annotations

from typing import Any

from harness.core.handlers.common import get_message, get_thread, ok, update_metadata
from harness.core.handlers.options import check_attachments, content_blocks
from harness.core.handlers.tool_resources import attach_to_thread, resolve_attachments
from harness.core.http import ApiResponse
from harness.core.journal import Violation
from harness.core.objects import JSON, USER_MESSAGE_STATUS, deleted_object, message_object
from harness.core.params import Params
from harness.core.state import Context
from harness.core.store import paginate
from harness.errors import ApiError

__all__ = ["ROUTES", "add_user_message", "check_unlocked"]

_FIELDS = {"role", "content", "attachments", "metadata"}


def add_user_message(ctx: Context, thread_id: str, data: Any, param: str) -> JSON:
    """Validate one message body (also used inside thread and run creation) and store it."""
    params = Params.of(data, param, allowed=_FIELDS, strict=ctx.strict, relaxed=ctx.permissive)
    role = params.choice("role", ("user", "assistant"), required=True)
    assert role is not None  # required
    content = content_blocks(params)
    metadata = params.metadata()
    attachments = resolve_attachments(ctx, check_attachments(params), params.name("attachments"))
    thread = ctx.state.store.threads.get(thread_id)
    if attachments and thread is not None:
        attach_to_thread(ctx, thread, attachments)
    state = ctx.state
    message = message_object(
        id=state.ids.new("message"),
        created_at=state.clock.now(),
        thread_id=thread_id,
        role=role,
        content=content,
        status=USER_MESSAGE_STATUS,
        attachments=attachments,
        metadata=metadata,
    )
    state.store.messages.put(message["id"], message)
    return message


def check_unlocked(ctx: Context, thread_id: str, *, adding: str) -> None:
    """Refuse to add a message or run to a thread whose run is active, as the API did."""
    active = ctx.state.engine.active_run(thread_id)
    if active is None or ctx.permissive:
        return
    if adding == "message":
        text = f"Can't add messages to {thread_id} while a run {active.id} is active."
    else:
        text = f"Thread {thread_id} already has an active run {active.id}."
    ctx.state.journal.violate(
        Violation(
            "locked-thread",
            f"{text} (status '{active.status}'; wait for a terminal status or cancel the run)",
            ctx.label,
            active.id,
        )
    )
    raise ApiError(400, text)


def create(ctx: Context) -> ApiResponse:
    thread_id = ctx.path_id("thread_id", "thread", "thread")
    get_thread(ctx, thread_id)
    data = ctx.body(_FIELDS, required=True).data
    check_unlocked(ctx, thread_id, adding="message")
    return ok(add_user_message(ctx, thread_id, dict(data), ""))


def list_(ctx: Context) -> ApiResponse:
    thread_id = ctx.path_id("thread_id", "thread", "thread")
    get_thread(ctx, thread_id)
    page = ctx.page()
    run_filter = ctx.request.query_values("run_id")
    run_id = run_filter[-1] if run_filter else None
    items = ctx.state.store.messages.group(thread_id)
    if run_id is not None:
        items = [m for m in items if m["run_id"] == run_id]
    return ok(paginate(items, page, key=lambda m: str(m["id"]), render=dict))


def retrieve(ctx: Context) -> ApiResponse:
    thread_id = ctx.path_id("thread_id", "thread", "thread")
    get_thread(ctx, thread_id)
    return ok(get_message(ctx, thread_id, ctx.params["message_id"]))


def modify(ctx: Context) -> ApiResponse:
    thread_id = ctx.path_id("thread_id", "thread", "thread")
    get_thread(ctx, thread_id)
    message = get_message(ctx, thread_id, ctx.params["message_id"])
    params: Params = ctx.body({"metadata"})
    update_metadata(message, params.raw("metadata"))
    return ok(message)


def delete(ctx: Context) -> ApiResponse:
    thread_id = ctx.path_id("thread_id", "thread", "thread")
    get_thread(ctx, thread_id)
    message = get_message(ctx, thread_id, ctx.params["message_id"])
    ctx.state.store.messages.pop(message["id"])
    return ok(deleted_object("thread.message", message["id"]))


ROUTES = [
    ("POST", "/threads/{thread_id}/messages", create),
    ("GET", "/threads/{thread_id}/messages", list_),
    ("GET", "/threads/{thread_id}/messages/{message_id}", retrieve),
    ("POST", "/threads/{thread_id}/messages/{message_id}", modify),
    ("DELETE", "/threads/{thread_id}/messages/{message_id}", delete),
]
