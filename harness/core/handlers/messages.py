"""``/threads/{thread_id}/messages``: create, list (with ``run_id``), retrieve, modify, delete."""

from __future__ import annotations

from typing import Any

from harness.core.handlers.common import get_message, get_thread, ok, update_metadata
from harness.core.http import ApiResponse
from harness.core.journal import Violation
from harness.core.objects import JSON, deleted_object, message_object, text_content
from harness.core.params import Params, bad_request, check_metadata, invalid_choice, type_name
from harness.core.state import Context
from harness.core.store import paginate
from harness.errors import ApiError

__all__ = ["ROUTES", "add_user_message", "check_unlocked"]

_FIELDS = {"role", "content", "attachments", "metadata"}
_BLOCK_TYPES = ("text", "image_file", "image_url")


def _content_blocks(value: Any, param: str) -> list[JSON]:
    if isinstance(value, str):
        return [text_content(value)]
    if not isinstance(value, list):
        raise bad_request(
            f"Invalid type for '{param}': expected one of a string or array of objects, but got "
            f"{type_name(value)} instead.",
            param=param,
            code="invalid_type",
        )
    if not value:
        raise bad_request(
            f"Invalid '{param}': empty array. Expected an array with minimum length 1, but got an "
            "empty array instead.",
            param=param,
            code="empty_array",
        )
    blocks: list[JSON] = []
    for index, block in enumerate(value):
        where = f"{param}[{index}]"
        kind = block.get("type") if isinstance(block, dict) else None
        if kind not in _BLOCK_TYPES:
            raise invalid_choice(f"{where}.type", str(kind), _BLOCK_TYPES)
        if kind == "text":
            text = block.get("text")
            if not isinstance(text, str):
                raise bad_request(
                    f"Invalid type for '{where}.text': expected a string, but got "
                    f"{type_name(text)} instead.",
                    param=f"{where}.text",
                    code="invalid_type",
                )
            blocks.append(text_content(text))
        else:
            inner = block.get(kind)
            if not isinstance(inner, dict):
                raise bad_request(
                    f"Missing required parameter: '{where}.{kind}'.",
                    param=f"{where}.{kind}",
                    code="missing_required_parameter",
                )
            blocks.append({"type": kind, kind: {"detail": "auto", **inner}})
    return blocks


def add_user_message(ctx: Context, thread_id: str, data: Any, param: str) -> JSON:
    """Validate one message body (also used inside thread and run creation) and store it."""
    if not isinstance(data, dict):
        raise bad_request(
            f"Invalid type for '{param}': expected an object, but got {type_name(data)} instead.",
            param=param,
            code="invalid_type",
        )
    prefix = f"{param}." if param else ""
    for key in data:
        if key not in _FIELDS and ctx.strict:
            raise bad_request(f"Unrecognized request argument supplied: {prefix}{key}")
    role = data.get("role")
    if role is None:
        raise bad_request(
            f"Missing required parameter: '{prefix}role'.",
            param=f"{prefix}role",
            code="missing_required_parameter",
        )
    if role not in ("user", "assistant"):
        raise invalid_choice(f"{prefix}role", str(role), ("user", "assistant"))
    if "content" not in data:
        raise bad_request(
            f"Missing required parameter: '{prefix}content'.",
            param=f"{prefix}content",
            code="missing_required_parameter",
        )
    content = _content_blocks(data["content"], f"{prefix}content")
    metadata = check_metadata(data.get("metadata"))
    attachments = data.get("attachments") or []
    if not isinstance(attachments, list):
        raise bad_request(
            f"Invalid type for '{prefix}attachments': expected an array, but got "
            f"{type_name(attachments)} instead.",
            param=f"{prefix}attachments",
            code="invalid_type",
        )
    state = ctx.state
    message = message_object(
        id=state.ids.new("message"),
        created_at=state.clock.now(),
        thread_id=thread_id,
        role=role,
        content=content,
        status=None,
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
    items = ctx.state.store.messages.where(
        lambda m: m["thread_id"] == thread_id and (run_id is None or m["run_id"] == run_id)
    )
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
