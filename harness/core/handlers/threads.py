"""``/threads``: create (with messages), retrieve, modify, delete."""

from __future__ import annotations

from typing import Any

from harness.core.handlers.common import get_thread, ok, update_metadata
from harness.core.handlers.messages import add_user_message
from harness.core.handlers.options import check_tool_resources
from harness.core.handlers.tool_resources import resolve_tool_resources
from harness.core.http import ApiResponse
from harness.core.objects import JSON, deleted_object, thread_object
from harness.core.params import Params
from harness.core.state import Context

__all__ = ["ROUTES", "new_thread"]

_FIELDS = {"messages", "tool_resources", "metadata"}


def new_thread(ctx: Context, params: Params) -> JSON:
    """Create a thread (and its initial messages) from a ``thread`` body."""
    metadata = params.metadata()
    messages = params.array("messages") or []
    check_tool_resources(params)
    resources = resolve_tool_resources(ctx, params)
    state = ctx.state
    thread = thread_object(
        id=state.ids.new("thread"),
        created_at=state.clock.now(),
        params={"metadata": metadata, "tool_resources": resources},
    )
    state.store.threads.put(thread["id"], thread)
    try:
        for index, message in enumerate(messages):
            add_user_message(ctx, thread["id"], message, params.name(f"messages[{index}]"))
    except Exception:
        _drop_thread(ctx, thread["id"])
        raise
    return thread


def _drop_thread(ctx: Context, thread_id: str) -> None:
    store = ctx.state.store
    store.threads.pop(thread_id)
    for message in store.messages.group(thread_id):
        store.messages.pop(message["id"])


def create(ctx: Context) -> ApiResponse:
    return ok(new_thread(ctx, ctx.body(_FIELDS)))


def retrieve(ctx: Context) -> ApiResponse:
    return ok(get_thread(ctx, ctx.path_id("thread_id", "thread", "thread")))


def modify(ctx: Context) -> ApiResponse:
    thread = get_thread(ctx, ctx.path_id("thread_id", "thread", "thread"))
    params = ctx.body({"tool_resources", "metadata"})
    check_tool_resources(params)
    update_metadata(thread, params.raw("metadata"))
    resources: Any = resolve_tool_resources(ctx, params)
    if resources is not None:
        thread["tool_resources"] = resources
    return ok(thread)


def delete(ctx: Context) -> ApiResponse:
    thread_id = ctx.path_id("thread_id", "thread", "thread")
    get_thread(ctx, thread_id)
    _drop_thread(ctx, thread_id)
    return ok(deleted_object("thread", thread_id))


ROUTES = [
    ("POST", "/threads", create),
    ("GET", "/threads/{thread_id}", retrieve),
    ("POST", "/threads/{thread_id}", modify),
    ("DELETE", "/threads/{thread_id}", delete),
]
