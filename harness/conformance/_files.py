"""Probes of the Files API and vector stores (their files and file batches)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from harness.conformance._checks import CheckFailed, CheckSpec
from harness.conformance._context import (
    UNKNOWN,
    Context,
    Probe,
    expect_fields,
    expect_prefix,
    ids_of,
    object_id,
)

__all__ = ["FILES", "VECTOR_STORES"]

_DOCUMENT = b"harness conformance: a run step is one thing an assistant did during a run.\n"
_DONE = ("completed", "failed", "cancelled")


def _upload(ctx: Context, name: str, purpose: str = "assistants") -> str:
    s = ctx.session
    body = s.ok(
        s.call(
            "files.create",
            s.client.files.with_raw_response.create,
            file=(name, _DOCUMENT),
            purpose=purpose,
        ),
        "file",
    )
    file_id = object_id(body, "files.create")
    s.created("file", file_id)
    return file_id


def _files(ctx: Context) -> None:
    s, api = ctx.session, ctx.session.client.files.with_raw_response
    with ctx.check("files.create") as check:
        body = s.ok(
            s.call(
                "files.create", api.create, file=("conformance.txt", _DOCUMENT), purpose="user_data"
            ),
            "file",
        )
        file_id = object_id(body, "files.create")
        s.created("file", file_id)
        expect_prefix(check, "files.create", file_id, "file-")
        expect_fields(
            check,
            "files.create",
            body,
            {"object": "file", "filename": "conformance.txt", "bytes": len(_DOCUMENT)},
        )
    with ctx.check("files.retrieve") as check:
        body = s.ok(s.call("files.retrieve", api.retrieve, file_id), "file")
        expect_fields(check, "files.retrieve", body, {"id": file_id, "purpose": "user_data"})
    with ctx.check("files.list") as check:
        page = s.ok(s.call("files.list", api.list, purpose="user_data"), "list", item_kind="file")
        check.expect(file_id in ids_of(page), f"files.list(purpose=user_data): {file_id} missing")
        others = [i for i in page.get("data") or [] if i.get("purpose") != "user_data"]
        check.expect(not others, "files.list(purpose=user_data) lists files of other purposes")
    with ctx.check("files.content") as check:
        answer = s.call("files.content", api.content, file_id)
        check.expect(answer.status == 200, f"files.content: expected 200, got {answer.status}")
        check.expect(
            answer.text.encode() == _DOCUMENT, "files.content: the bytes differ from the upload"
        )
    with ctx.check("files.delete") as check:
        body = s.ok(s.call("files.delete", api.delete, file_id), "file.deleted")
        s.deleted.add(file_id)
        expect_fields(check, "files.delete", body, {"id": file_id, "deleted": True})
        s.error(s.call("files.retrieve", api.retrieve, file_id), 404)
    with ctx.check("files.errors") as check:
        s.error(s.call("files.retrieve", api.retrieve, f"file-{UNKNOWN}"), 404)
        bad = s.call("files.create", api.create, file=("x.txt", b"x"), purpose="nonsense")
        error = s.error(bad, 400)
        check.expect(
            "purpose" in str(error.get("message")) or error.get("param") == "purpose",
            f"files.create(purpose=nonsense): the error does not name 'purpose': {error}",
        )


def _wait(
    ctx: Context, label: str, fetch: Callable[[], Any], kind: str, done: Callable[[Any], bool]
) -> dict[str, Any]:
    """Retrieve until ``done`` (honouring openai-poll-after-ms), within the session's budget."""
    s = ctx.session
    deadline = time.monotonic() + s.max_wait
    while True:
        answer = fetch()
        body = s.ok(answer, kind)
        if done(body):
            return body
        if time.monotonic() > deadline:
            raise CheckFailed(f"{label}: still {body.get('status')!r} after {s.max_wait:.0f} s")
        delay = answer.headers.get("openai-poll-after-ms")
        time.sleep(min(int(delay), 2000) / 1000 if delay and delay.isdigit() else 0.25)


def _vector_stores(ctx: Context) -> None:
    s = ctx.session
    api = s.client.vector_stores.with_raw_response
    files = s.client.vector_stores.files.with_raw_response
    batches = s.client.vector_stores.file_batches.with_raw_response
    with ctx.check("vector_stores.create") as check:
        fields = {"name": "harness-conformance", "metadata": {"suite": "conformance"}}
        body = s.ok(s.call("vector_stores.create", api.create, **fields), "vector_store")
        store_id = object_id(body, "vector_stores.create")
        s.created("vector_store", store_id)
        expect_prefix(check, "vector_stores.create", store_id, "vs_")
        expect_fields(check, "vector_stores.create", body, {**fields, "object": "vector_store"})
    with ctx.check("vector_stores.retrieve") as check:
        body = s.ok(s.call("vector_stores.retrieve", api.retrieve, store_id), "vector_store")
        expect_fields(check, "vector_stores.retrieve", body, {"id": store_id})
    with ctx.check("vector_stores.update") as check:
        body = s.ok(
            s.call("vector_stores.update", api.update, store_id, name="harness-renamed"),
            "vector_store",
        )
        expect_fields(check, "vector_stores.update", body, {"name": "harness-renamed"})
    with ctx.check("vector_stores.list") as check:
        page = s.ok(
            s.call("vector_stores.list", api.list, limit=100), "list", item_kind="vector_store"
        )
        check.expect(store_id in ids_of(page), f"vector_stores.list: {store_id} missing")
    with ctx.check("vector_stores.files") as check:
        file_id = _upload(ctx, "conformance-doc.txt")
        body = s.ok(
            s.call(
                "vector_stores.files.create",
                files.create,
                vector_store_id=store_id,
                file_id=file_id,
            ),
            "vector_store.file",
        )
        expect_fields(check, "vector_stores.files.create", body, {"id": file_id})
        done = _wait(
            ctx,
            "vector_stores.files.retrieve",
            lambda: s.call(
                "vector_stores.files.retrieve",
                files.retrieve,
                file_id,
                vector_store_id=store_id,
            ),
            "vector_store.file",
            lambda b: b.get("status") in _DONE,
        )
        check.expect(done.get("status") == "completed", f"ingestion ended {done.get('status')!r}")
        page = s.ok(
            s.call(
                "vector_stores.files.list",
                files.list,
                vector_store_id=store_id,
                filter="completed",
            ),
            "list",
            item_kind="vector_store.file",
        )
        check.expect(
            file_id in ids_of(page), "vector_stores.files.list(filter=completed) misses it"
        )
        counts = s.ok(s.call("vector_stores.retrieve", api.retrieve, store_id), "vector_store")
        check.expect(
            (counts.get("file_counts") or {}).get("completed") == 1,
            f"vector_stores.retrieve: file_counts {counts.get('file_counts')} after ingestion",
        )
        s.ok(
            s.call("vector_stores.files.delete", files.delete, file_id, vector_store_id=store_id),
            "vector_store.file.deleted",
        )
    with ctx.check("vector_stores.file_batches") as check:
        ids = [_upload(ctx, f"conformance-{n}.txt") for n in (1, 2)]
        body = s.ok(
            s.call("file_batches.create", batches.create, store_id, file_ids=ids),
            "vector_store.files_batch",
        )
        batch_id = object_id(body, "file_batches.create")
        expect_prefix(check, "file_batches.create", batch_id, "vsfb_")
        done = _wait(
            ctx,
            "file_batches.retrieve",
            lambda: s.call(
                "file_batches.retrieve", batches.retrieve, batch_id, vector_store_id=store_id
            ),
            "vector_store.files_batch",
            lambda b: (b.get("file_counts") or {}).get("in_progress") == 0,
        )
        check.expect(
            (done.get("file_counts") or {}).get("total") == 2,
            f"file_batches.retrieve: file_counts {done.get('file_counts')}",
        )
        page = s.ok(
            s.call(
                "file_batches.list_files", batches.list_files, batch_id, vector_store_id=store_id
            ),
            "list",
            item_kind="vector_store.file",
        )
        check.expect(sorted(ids_of(page)) == sorted(ids), "file_batches.list_files: other files")
    with ctx.check("vector_stores.delete") as check:
        body = s.ok(s.call("vector_stores.delete", api.delete, store_id), "vector_store.deleted")
        s.deleted.add(store_id)
        expect_fields(check, "vector_stores.delete", body, {"id": store_id, "deleted": True})
        s.error(s.call("vector_stores.retrieve", api.retrieve, store_id), 404)


def _spec(check_id: str, area: str, title: str) -> CheckSpec:
    return CheckSpec(check_id, area, title)


FILES = Probe(
    "files",
    (
        _spec("files.create", "files", "POST /files uploads (multipart) without the beta header"),
        _spec("files.retrieve", "files", "GET /files/{id} returns the file"),
        _spec("files.list", "files", "GET /files?purpose= lists only that purpose"),
        _spec("files.content", "files", "GET /files/{id}/content gives back the uploaded bytes"),
        _spec("files.delete", "files", "DELETE /files/{id}: deleted; then 404"),
        _spec("files.errors", "files", "unknown file 404; a bad purpose 400 naming it"),
    ),
    _files,
)
VECTOR_STORES = Probe(
    "vector_stores",
    (
        _spec("vector_stores.create", "vector_stores", "POST /vector_stores echoes its fields"),
        _spec("vector_stores.retrieve", "vector_stores", "GET /vector_stores/{id} returns it"),
        _spec("vector_stores.update", "vector_stores", "POST /vector_stores/{id} renames it"),
        _spec("vector_stores.list", "vector_stores", "GET /vector_stores lists it"),
        _spec(
            "vector_stores.files",
            "vector_stores",
            "a file added to a store is ingested as it is polled; filter, counts, delete",
        ),
        _spec(
            "vector_stores.file_batches",
            "vector_stores",
            "a file batch is polled until no file is in progress; its files are listed",
        ),
        _spec("vector_stores.delete", "vector_stores", "DELETE /vector_stores/{id}; then 404"),
    ),
    _vector_stores,
)
