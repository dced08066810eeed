"""``/vector_stores``: create (with files), list, retrieve, modify, delete."""

from __future__ import annotations

from typing import Any

from harness.core import materialise
from harness.core.file_records import StoredFile, VectorStoreRecord
from harness.core.handlers.common import ok, poll_headers
from harness.core.handlers.files import get_file
from harness.core.http import ApiResponse
from harness.core.objects import JSON, deleted_object, vector_store_object
from harness.core.params import Params, bad_request, invalid_choice
from harness.core.search import search
from harness.core.state import Context, not_found
from harness.core.store import paginate

__all__ = [
    "BETA",
    "ROUTES",
    "check_chunking",
    "get_vector_store",
    "new_vector_store",
    "resolve_files",
]

BETA = False

_CREATE_FIELDS = {
    "file_ids",
    "name",
    "description",
    "expires_after",
    "chunking_strategy",
    "metadata",
}
_MODIFY_FIELDS = {"name", "expires_after", "metadata"}


def get_vector_store(ctx: Context, vector_store_id: str) -> VectorStoreRecord:
    record = ctx.state.store.vector_stores.get(vector_store_id)
    if record is None:
        if ctx.permissive:
            return materialise.vector_store(ctx.state, vector_store_id)
        raise not_found("vector store", vector_store_id)
    return record


def resolve_files(ctx: Context, file_ids: list[Any], param: str) -> list[StoredFile]:
    """The stored files of ``file_ids``; a 404 naming the first unknown one."""
    files: list[StoredFile] = []
    for index, file_id in enumerate(file_ids):
        if not isinstance(file_id, str):
            raise bad_request(
                f"Invalid type for '{param}[{index}]': expected a string.",
                param=f"{param}[{index}]",
                code="invalid_type",
            )
        if file_id not in ctx.state.store.files and not ctx.permissive:
            raise not_found("file", file_id)
        files.append(get_file(ctx, file_id))
    return files


def check_chunking(value: Any, param: str = "chunking_strategy") -> JSON | None:
    """``auto``, or ``static`` with the API's bounds on chunk size and overlap."""
    if value is None:
        return None
    kind = value.get("type") if isinstance(value, dict) else None
    if kind not in ("auto", "static"):
        raise invalid_choice(f"{param}.type", str(kind), ("auto", "static"))
    assert isinstance(value, dict)
    if kind == "auto":
        return {"type": "auto"}
    static = value.get("static")
    if not isinstance(static, dict):
        raise bad_request(
            f"Missing required parameter: '{param}.static'.",
            param=f"{param}.static",
            code="missing_required_parameter",
        )
    size = static.get("max_chunk_size_tokens")
    overlap = static.get("chunk_overlap_tokens")
    if not isinstance(size, int) or not 100 <= size <= 4096:
        raise bad_request(
            f"Invalid '{param}.static.max_chunk_size_tokens': expected an integer between 100 "
            f"and 4096, but got {size!r} instead.",
            param=f"{param}.static.max_chunk_size_tokens",
            code="invalid_value",
        )
    if not isinstance(overlap, int) or overlap < 0 or overlap > size // 2:
        raise bad_request(
            f"Invalid '{param}.static.chunk_overlap_tokens': expected an integer between 0 and "
            f"half of max_chunk_size_tokens ({size // 2}), but got {overlap!r} instead.",
            param=f"{param}.static.chunk_overlap_tokens",
            code="invalid_value",
        )
    return {
        "type": "static",
        "static": {"max_chunk_size_tokens": size, "chunk_overlap_tokens": overlap},
    }


def _check_expires_after(value: Any) -> JSON | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise bad_request(
            "Invalid type for 'expires_after': expected an object.",
            param="expires_after",
            code="invalid_type",
        )
    anchor = value.get("anchor")
    if anchor != "last_active_at":
        raise invalid_choice("expires_after.anchor", str(anchor), ("last_active_at",))
    days = value.get("days")
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 365:
        raise bad_request(
            "Invalid 'expires_after.days': expected an integer between 1 and 365, but got "
            f"{days!r} instead.",
            param="expires_after.days",
            code="invalid_value",
        )
    return {"anchor": "last_active_at", "days": days}


def new_vector_store(
    ctx: Context,
    params: Params,
    *,
    param: str = "",
    ready: bool = False,
) -> VectorStoreRecord:
    """Create a store from a create body (also the inline ``tool_resources`` helper).

    ``ready``: its files are ingested at once (stores the API made for message attachments).
    """
    prefix = f"{param}." if param else ""
    name = params.string("name", max_length=256)
    metadata = params.metadata()
    file_ids = params.array("file_ids", max_items=500) or []
    chunking = check_chunking(params.raw("chunking_strategy"), f"{prefix}chunking_strategy")
    expires_after = _check_expires_after(params.raw("expires_after"))
    files = resolve_files(ctx, file_ids, f"{prefix}file_ids")
    state = ctx.state
    obj = vector_store_object(
        id=state.ids.new("vector_store"),
        created_at=state.clock.now(),
        name=name,
        params={"metadata": metadata, "expires_after": expires_after},
    )
    record = state.ingestion.new_store(obj)
    for file in files:
        added = state.ingestion.add_file(record, file, chunking)
        if ready:
            added.views = added.script.polls
            state.ingestion.observe_file(added)
    return record


def create(ctx: Context) -> ApiResponse:
    return ok(new_vector_store(ctx, ctx.body(_CREATE_FIELDS)).obj)


def list_(ctx: Context) -> ApiResponse:
    page = ctx.page()
    items = ctx.state.store.vector_stores.values()
    return ok(paginate(items, page, key=lambda r: r.id, render=lambda r: dict(r.obj)))


def retrieve(ctx: Context) -> ApiResponse:
    record = get_vector_store(ctx, ctx.params["vector_store_id"])
    return ok(ctx.state.ingestion.observe_store(record), poll_headers(ctx))


def modify(ctx: Context) -> ApiResponse:
    record = get_vector_store(ctx, ctx.params["vector_store_id"])
    params = ctx.body(_MODIFY_FIELDS)
    name = params.string("name", max_length=256)
    metadata = params.metadata()
    if params.has("expires_after"):
        record.obj["expires_after"] = _check_expires_after(params.raw("expires_after"))
        ctx.state.ingestion.set_expiry(record)
    if name is not None:
        record.obj["name"] = name
    if metadata is not None:
        record.obj["metadata"] = metadata
    return ok(record.obj)


def search_store(ctx: Context) -> ApiResponse:
    """``POST /vector_stores/{id}/search``: the best passages of its ingested files."""
    record = get_vector_store(ctx, ctx.params["vector_store_id"])
    params = ctx.body(
        {"query", "rewrite_query", "max_num_results", "filters", "ranking_options"}, required=True
    )
    query = params.required("query")
    queries = [query] if isinstance(query, str) else query
    if not isinstance(queries, list) or not all(isinstance(q, str) for q in queries):
        raise bad_request(
            "Invalid type for 'query': expected a string or an array of strings.",
            param="query",
            code="invalid_type",
        )
    limit = params.number("max_num_results", minimum=1, maximum=50, integer=True) or 10
    params.boolean("rewrite_query")
    wanted = params.obj("filters")
    state = ctx.state
    state.ingestion.touch(record)
    files = [
        file
        for vs_file in state.ingestion.files_of(record.id)
        if vs_file.status == "completed"
        and _passes(wanted, vs_file.obj.get("attributes") or {})
        and (file := state.store.files.get(vs_file.obj["id"])) is not None
    ]
    found = search(" ".join(queries), files, limit=int(limit))
    attributes = {
        r.obj["id"]: r.obj.get("attributes") or {} for r in state.ingestion.files_of(record.id)
    }
    data = [
        {
            "file_id": p.file.id,
            "filename": p.file.filename,
            "score": p.score,
            "attributes": attributes.get(p.file.id, {}),
            "content": [{"type": "text", "text": p.text}],
        }
        for p in found
    ]
    return ok(
        {
            "object": "vector_store.search_results.page",
            "search_query": queries,
            "data": data,
            "has_more": False,
            "next_page": None,
        }
    )


_COMPARISONS = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}


def _passes(wanted: Any, attributes: dict[str, Any]) -> bool:
    """A comparison filter (``eq``, ``gt``, …) or a compound one (``and``, ``or``)."""
    if not isinstance(wanted, dict):
        return True
    kind = wanted.get("type")
    if kind in ("and", "or"):
        results = [_passes(item, attributes) for item in wanted.get("filters") or []]
        return all(results) if kind == "and" else any(results)
    compare = _COMPARISONS.get(str(kind))
    if compare is None:
        raise invalid_choice("filters.type", str(kind), (*_COMPARISONS, "and", "or"))
    key = wanted.get("key")
    if key not in attributes:
        return False
    try:
        return bool(compare(attributes[key], wanted.get("value")))
    except TypeError:
        return False


def delete(ctx: Context) -> ApiResponse:
    record = get_vector_store(ctx, ctx.params["vector_store_id"])
    ctx.state.ingestion.remove_store(record)
    return ok(deleted_object("vector_store", record.id))


ROUTES = [
    ("POST", "/vector_stores", create),
    ("GET", "/vector_stores", list_),
    ("GET", "/vector_stores/{vector_store_id}", retrieve),
    ("POST", "/vector_stores/{vector_store_id}", modify),
    ("DELETE", "/vector_stores/{vector_store_id}", delete),
    ("POST", "/vector_stores/{vector_store_id}/search", search_store),
]
