"""``/vector_stores/{id}/file_batches``: create, retrieve, cancel, list its files."""

from __future__ import annotations

from typing import Any

from harness.core.file_records import BatchRecord, StoredFile
from harness.core.handlers.common import ok, poll_headers
from harness.core.handlers.vector_store_files import list_files
from harness.core.handlers.vector_stores import (
    check_chunking,
    get_vector_store,
    resolve_files,
)
from harness.core.http import ApiResponse
from harness.core.objects import JSON, file_batch_object
from harness.core.params import bad_request
from harness.core.state import Context, not_found
from harness.errors import ApiError

__all__ = ["BETA", "ROUTES"]

BETA = False


def _get(ctx: Context) -> BatchRecord:
    vector_store = get_vector_store(ctx, ctx.params["vector_store_id"])
    batch = ctx.state.store.file_batches.get(ctx.params["batch_id"])
    if batch is None or batch.obj["vector_store_id"] != vector_store.id:
        raise not_found("file batch", ctx.params["batch_id"])
    return batch


def _requested(ctx: Context, files: list[Any] | None, file_ids: list[Any] | None) -> list[Any]:
    if files is not None and file_ids is not None:
        raise bad_request(
            "Invalid request: 'file_ids' and 'files' are mutually exclusive.", param="files"
        )
    if files is None and file_ids is None:
        raise bad_request(
            "Missing required parameter: 'file_ids'.",
            param="file_ids",
            code="missing_required_parameter",
        )
    entries = files if files is not None else [{"file_id": id} for id in file_ids or []]
    if not entries:
        param = "files" if files is not None else "file_ids"
        raise bad_request(
            f"Invalid '{param}': empty array. Expected an array with minimum length 1, but got "
            "an empty array instead.",
            param=param,
            code="empty_array",
        )
    return entries


def create(ctx: Context) -> ApiResponse:
    vector_store = get_vector_store(ctx, ctx.params["vector_store_id"])
    params = ctx.body({"file_ids", "files", "chunking_strategy", "attributes"}, required=True)
    entries = _requested(
        ctx, params.array("files", max_items=2000), params.array("file_ids", max_items=2000)
    )
    chunking = check_chunking(params.raw("chunking_strategy"))
    plan: list[tuple[StoredFile, JSON | None]] = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise bad_request(
                f"Invalid type for 'files[{index}]': expected an object.",
                param=f"files[{index}]",
                code="invalid_type",
            )
        (file,) = resolve_files(ctx, [entry.get("file_id")], "file_ids")
        own = check_chunking(entry.get("chunking_strategy"), f"files[{index}].chunking_strategy")
        plan.append((file, own or chunking))
    state = ctx.state
    obj = file_batch_object(
        id=state.ids.new("file_batch"),
        vector_store_id=vector_store.id,
        created_at=state.clock.now(),
    )
    batch = state.ingestion.new_batch(obj, [file for file, _ in plan])
    for file, strategy in plan:
        state.ingestion.add_file(vector_store, file, strategy, batch_id=batch.id)
    state.ingestion.settle_batch(batch)
    return ok(batch.obj)


def retrieve(ctx: Context) -> ApiResponse:
    batch = _get(ctx)
    return ok(ctx.state.ingestion.observe_batch(batch), poll_headers(ctx))


def cancel(ctx: Context) -> ApiResponse:
    batch = _get(ctx)
    status = batch.obj["status"]
    if status != "in_progress" and not ctx.permissive:
        raise ApiError(400, f"Cannot cancel a vector store file batch with status '{status}'.")
    if status == "in_progress":
        ctx.state.ingestion.stop_batch(batch, "cancelled")
    return ok(batch.obj)


def list_(ctx: Context) -> ApiResponse:
    batch = _get(ctx)
    return list_files(ctx, ctx.state.ingestion.batch_files(batch))


ROUTES = [
    ("POST", "/vector_stores/{vector_store_id}/file_batches", create),
    ("GET", "/vector_stores/{vector_store_id}/file_batches/{batch_id}", retrieve),
    ("POST", "/vector_stores/{vector_store_id}/file_batches/{batch_id}/cancel", cancel),
    ("GET", "/vector_stores/{vector_store_id}/file_batches/{batch_id}/files", list_),
]
