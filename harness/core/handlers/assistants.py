"""``/assistants``: create, list, retrieve, modify, delete."""

from __future__ import annotations

from harness.core.handlers.common import get_assistant, ok, update_metadata
from harness.core.handlers.options import (
    check_reasoning_effort,
    check_response_format,
    check_tool_resources,
    normalize_tools,
)
from harness.core.handlers.tool_resources import resolve_tool_resources
from harness.core.http import ApiResponse
from harness.core.objects import JSON, assistant_object, deleted_object
from harness.core.params import Params
from harness.core.state import Context
from harness.core.store import paginate

__all__ = ["ROUTES"]

_FIELDS = {
    "model",
    "name",
    "description",
    "instructions",
    "tools",
    "tool_resources",
    "metadata",
    "temperature",
    "top_p",
    "response_format",
    "reasoning_effort",
}


def _validated(params: Params) -> dict[str, object]:
    params.string("model")
    params.string("name", max_length=256)
    params.string("description", max_length=512)
    params.string("instructions", max_length=256_000)
    params.number("temperature", minimum=0, maximum=2)
    params.number("top_p", minimum=0, maximum=1)
    check_reasoning_effort(params)
    params.metadata()
    check_response_format(params)
    check_tool_resources(params)
    values: dict[str, object] = {key: params.raw(key) for key in _FIELDS if params.has(key)}
    if params.raw("tools") is not None:
        values["tools"] = normalize_tools(params, max_items=128)
    return values


def create(ctx: Context) -> ApiResponse:
    params = ctx.body(_FIELDS, required=True)
    params.string("model", required=True)
    values = _validated(params)
    values["tool_resources"] = resolve_tool_resources(ctx, params)
    state = ctx.state
    assistant = assistant_object(
        id=state.ids.new("assistant"), created_at=state.clock.now(), params=values
    )
    state.store.assistants.put(assistant["id"], assistant)
    return ok(assistant)


def list_(ctx: Context) -> ApiResponse:
    page = ctx.page()
    items = ctx.state.store.assistants.values()
    return ok(paginate(items, page, key=_id, render=dict))


def retrieve(ctx: Context) -> ApiResponse:
    return ok(get_assistant(ctx, ctx.params["assistant_id"]))


def modify(ctx: Context) -> ApiResponse:
    assistant = get_assistant(ctx, ctx.params["assistant_id"])
    params = ctx.body(_FIELDS)
    values = _validated(params)
    if params.has("tool_resources"):
        values["tool_resources"] = resolve_tool_resources(ctx, params) or {}
    metadata = values.pop("metadata", None)
    assistant.update(values)
    update_metadata(assistant, metadata)
    return ok(assistant)


def delete(ctx: Context) -> ApiResponse:
    assistant_id = ctx.params["assistant_id"]
    get_assistant(ctx, assistant_id)
    ctx.state.store.assistants.pop(assistant_id)
    return ok(deleted_object("assistant", assistant_id))


def _id(obj: JSON) -> str:
    value: str = obj["id"]
    return value


ROUTES = [
    ("POST", "/assistants", create),
    ("GET", "/assistants", list_),
    ("GET", "/assistants/{assistant_id}", retrieve),
    ("POST", "/assistants/{assistant_id}", modify),
    ("DELETE", "/assistants/{assistant_id}", delete),
]
