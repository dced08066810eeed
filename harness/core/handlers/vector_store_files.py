"""``/vector_stores/{id}/files``: add, list (with ``filter``), retrieve, delete."""

from __future__ import annotations

from harness.core.file_records import VectorStoreFileRecord, vector_store_file_key
from harness.core.handlers.common import ok, poll_headers
from harness.core.handlers.files import get_file
from harness.core.handlers.vector_stores import (
    check_chunking,
    get_vector_store,
    resolve_files,
)
from harness.core.http import ApiResponse
from harness.core.params import invalid_choice
from harness.core.search import passages
from harness.core.state import Context, not_found
from harness.core.store import paginate

__all__ = ["BETA", "ROUTES", "file_filter", "list_files"]

BETA = False

_FILTERS = ("in_progress", "completed", "failed", "cancelled")


def file_filter(ctx: Context) -> str | None:
    values = ctx.request.query_values("filter")
    value = values[-1] if values else None
    if value is not None and value not in _FILTERS:
        raise invalid_choice("filter", value, _FILTERS)
    return value


def list_files(ctx: Context, records: list[VectorStoreFileRecord]) -> ApiResponse:
    """A page of ``records`` (each one observed), narrowed by the ``filter`` query."""
    page = ctx.page()
    wanted = file_filter(ctx)
    for record in records:
        ctx.state.ingestion.observe_file(record)
    shown = [r for r in records if wanted is None or r.status == wanted]
    return ok(paginate(shown, page, key=lambda r: str(r.obj["id"]), render=lambda r: dict(r.obj)))


def _get(ctx: Context) -> VectorStoreFileRecord:
    vector_store = get_vector_store(ctx, ctx.params["vector_store_id"])
    file_id = ctx.params["file_id"]
    record = ctx.state.store.vector_store_files.get(vector_store_file_key(vector_store.id, file_id))
    if record is None:
        if ctx.permissive:
            return ctx.state.ingestion.add_file(vector_store, get_file(ctx, file_id), None)
        raise not_found("file", file_id)
    return record


def create(ctx: Context) -> ApiResponse:
    vector_store = get_vector_store(ctx, ctx.params["vector_store_id"])
    params = ctx.body({"file_id", "chunking_strategy", "attributes"}, required=True)
    file_id = params.string("file_id", required=True)
    chunking = check_chunking(params.raw("chunking_strategy"))
    attributes = params.obj("attributes")
    (file,) = resolve_files(ctx, [file_id], "file_id")
    record = ctx.state.ingestion.add_file(vector_store, file, chunking)
    if attributes is not None:
        record.obj["attributes"] = attributes
    return ok(record.obj)


def list_(ctx: Context) -> ApiResponse:
    vector_store = get_vector_store(ctx, ctx.params["vector_store_id"])
    return list_files(ctx, ctx.state.ingestion.files_of(vector_store.id))


def retrieve(ctx: Context) -> ApiResponse:
    record = _get(ctx)
    return ok(ctx.state.ingestion.observe_file(record), poll_headers(ctx))


def update(ctx: Context) -> ApiResponse:
    record = _get(ctx)
    params = ctx.body({"attributes"}, required=True)
    params.required("attributes")
    record.obj["attributes"] = params.obj("attributes")
    return ok(record.obj)


def content(ctx: Context) -> ApiResponse:
    """The file's parsed text, as passages (what file_search reads)."""
    record = _get(ctx)
    file = get_file(ctx, record.obj["id"])
    data = [{"type": "text", "text": text} for text in passages(file.text())]
    return ok(
        {
            "object": "vector_store.file_content.page",
            "data": data,
            "has_more": False,
            "next_page": None,
        }
    )


def delete(ctx: Context) -> ApiResponse:
    record = _get(ctx)
    ctx.state.ingestion.remove_file(record)
    return ok({"id": record.obj["id"], "object": "vector_store.file.deleted", "deleted": True})


ROUTES = [
    ("POST", "/vector_stores/{vector_store_id}/files", create),
    ("GET", "/vector_stores/{vector_store_id}/files", list_),
    ("GET", "/vector_stores/{vector_store_id}/files/{file_id}", retrieve),
    ("POST", "/vector_stores/{vector_store_id}/files/{file_id}", update),
    ("GET", "/vector_stores/{vector_store_id}/files/{file_id}/content", content),
    ("DELETE", "/vector_stores/{vector_store_id}/files/{file_id}", delete),
]
