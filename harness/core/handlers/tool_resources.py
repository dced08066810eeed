"""``tool_resources`` and message ``attachments`` resolved against the store.

Their shapes are checked by :mod:`harness.core.handlers.options`; here every file and vector
store they name must exist (the real errors otherwise), and the inline ``vector_stores`` helper
creates its stores.
"""

from __future__ import annotations

from typing import Any

from harness.core.file_parts import tool_file_ids
from harness.core.handlers.vector_stores import get_vector_store, new_vector_store, resolve_files
from harness.core.objects import JSON
from harness.core.params import Params, bad_request
from harness.core.state import Context

__all__ = ["attach_to_thread", "resolve_attachments", "resolve_tool_resources"]

_HELPER_FIELDS = {"file_ids", "chunking_strategy", "metadata"}


def resolve_tool_resources(
    ctx: Context, params: Params, name: str = "tool_resources"
) -> JSON | None:
    """The normalised ``params[name]``, once its files and vector stores are found."""
    value = params.raw(name)
    if not isinstance(value, dict):
        return None
    where = params.name(name)
    result: JSON = {}
    interpreter = value.get("code_interpreter")
    if isinstance(interpreter, dict):
        spot = f"{where}.code_interpreter.file_ids"
        files = resolve_files(ctx, interpreter.get("file_ids") or [], spot)
        result["code_interpreter"] = {"file_ids": [file.id for file in files]}
    search = value.get("file_search")
    if isinstance(search, dict):
        ids: list[str] = search.get("vector_store_ids") or []
        helpers: list[Any] = search.get("vector_stores") or []
        if ids and helpers and not ctx.permissive:
            raise bad_request(
                f"Invalid '{where}.file_search': give either 'vector_store_ids' or "
                "'vector_stores', not both.",
                param=f"{where}.file_search",
            )
        store_ids = [get_vector_store(ctx, store_id).id for store_id in ids]
        for index, helper in enumerate(helpers):
            spot = f"{where}.file_search.vector_stores[{index}]"
            nested = Params(
                helper,
                allowed=_HELPER_FIELDS,
                strict=ctx.strict,
                relaxed=ctx.permissive,
                where=spot,
            )
            store_ids.append(new_vector_store(ctx, nested, param=spot).id)
        result["file_search"] = {"vector_store_ids": store_ids}
    return result


def resolve_attachments(ctx: Context, attachments: list[Any], param: str) -> list[JSON]:
    """Shape-checked ``attachments`` whose files must exist, with their tools normalised."""
    resolved: list[JSON] = []
    for index, attachment in enumerate(attachments):
        resolve_files(ctx, [attachment["file_id"]], f"{param}[{index}].file_id")
        tools = [{"type": tool["type"]} for tool in attachment.get("tools") or []]
        resolved.append({"file_id": attachment["file_id"], "tools": tools})
    return resolved


def attach_to_thread(ctx: Context, thread: JSON, attachments: list[JSON]) -> None:
    """Files attached for file_search go into the thread's vector store (made on first use,
    as the API did), ingested at once; those for code_interpreter join its files."""
    searched = [a["file_id"] for a in attachments if {"type": "file_search"} in a["tools"]]
    coded = [a["file_id"] for a in attachments if {"type": "code_interpreter"} in a["tools"]]
    resources = thread.get("tool_resources") or {}
    if coded:
        known = tool_file_ids(resources, "code_interpreter", "file_ids")
        resources["code_interpreter"] = {
            "file_ids": [*known, *(f for f in coded if f not in known)]
        }
    if searched:
        store_ids = tool_file_ids(resources, "file_search", "vector_store_ids")
        if store_ids:
            store = get_vector_store(ctx, store_ids[0])
            for file in resolve_files(ctx, searched, "attachments"):
                added = ctx.state.ingestion.add_file(store, file, None)
                added.views = added.script.polls
                ctx.state.ingestion.observe_file(added)
        else:
            params = Params(
                {"file_ids": searched, "name": f"vector store for {thread['id']}"},
                allowed={"file_ids", "name"},
                strict=False,
            )
            store_ids = [new_vector_store(ctx, params, ready=True).id]
        resources["file_search"] = {"vector_store_ids": store_ids}
    thread["tool_resources"] = resources
