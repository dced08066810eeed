"""Vector stores, their files and file batches through the real SDK's helpers, sync and async."""

from __future__ import annotations

import openai
import pytest

from harness import AssistantsAPI
from harness.scenario.model import IngestionSpec, LastError, Scenario
from harness.schemas import validate
from tests.files.support import message_of

GUIDE = b"A run step is a detailed list of steps the Assistant took as part of a Run.\n"


def _load(api: AssistantsAPI, *ingestion: IngestionSpec) -> None:
    api.load_scenario(Scenario("ingestion", ingestion=ingestion))


def test_store_crud_and_list(client: openai.OpenAI) -> None:
    store = client.vector_stores.create(
        name="docs", metadata={"team": "a"}, expires_after={"anchor": "last_active_at", "days": 7}
    )
    assert store.id.startswith("vs_")
    assert store.status == "completed"
    assert store.file_counts.total == 0
    assert store.expires_after is not None
    assert store.expires_after.days == 7
    assert store.expires_at == store.last_active_at + 7 * 86_400  # type: ignore[operator]
    renamed = client.vector_stores.update(store.id, name="manuals")
    assert renamed.name == "manuals"
    other = client.vector_stores.create(name="other")
    assert [s.id for s in client.vector_stores.list(order="asc")] == [store.id, other.id]
    deleted = client.vector_stores.delete(store.id)
    assert (deleted.id, deleted.deleted, deleted.object) == (store.id, True, "vector_store.deleted")
    with pytest.raises(openai.NotFoundError) as caught:
        client.vector_stores.retrieve(store.id)
    assert message_of(caught.value).endswith(f"No vector store found with id '{store.id}'.")


def test_file_ingestion_moves_by_observation(client: openai.OpenAI, api: AssistantsAPI) -> None:
    store = client.vector_stores.create(name="docs")
    file = client.files.create(file=("guide.md", GUIDE), purpose="assistants")
    attached = client.vector_stores.files.create(vector_store_id=store.id, file_id=file.id)
    assert (attached.status, attached.usage_bytes) == ("in_progress", 0)
    assert attached.chunking_strategy is not None
    assert attached.chunking_strategy.type == "static"
    # Unrelated traffic does not move it.
    for _ in range(3):
        client.files.list()
        client.vector_stores.list()
    assert api.state.store.vector_store_files.values()[0].status == "in_progress"
    done = client.vector_stores.files.retrieve(file.id, vector_store_id=store.id)
    assert (done.status, done.usage_bytes) == ("completed", len(GUIDE))
    validate("vector_store.file", done.model_dump(mode="json"))
    refreshed = client.vector_stores.retrieve(store.id)
    assert refreshed.file_counts.completed == 1
    assert refreshed.usage_bytes == len(GUIDE)


def test_create_and_poll_and_upload_and_poll(client: openai.OpenAI) -> None:
    store = client.vector_stores.create(name="docs")
    file = client.files.create(file=("guide.md", GUIDE), purpose="assistants")
    polled = client.vector_stores.files.create_and_poll(file_id=file.id, vector_store_id=store.id)
    assert polled.status == "completed"
    uploaded = client.vector_stores.files.upload_and_poll(
        vector_store_id=store.id, file=("second.md", b"second file\n")
    )
    assert uploaded.status == "completed"
    listed = client.vector_stores.files.list(vector_store_id=store.id, filter="completed")
    assert {f.id for f in listed} == {file.id, uploaded.id}
    assert list(client.vector_stores.files.list(vector_store_id=store.id, filter="failed")) == []
    removed = client.vector_stores.files.delete(file.id, vector_store_id=store.id)
    assert (removed.deleted, removed.object) == (True, "vector_store.file.deleted")
    assert client.vector_stores.retrieve(store.id).file_counts.total == 1
    assert client.files.retrieve(file.id).id == file.id  # the file itself stays


def test_file_batches_upload_and_poll(client: openai.OpenAI) -> None:
    store = client.vector_stores.create(name="docs")
    kept = client.files.create(file=("kept.md", b"kept\n"), purpose="assistants")
    batch = client.vector_stores.file_batches.upload_and_poll(
        store.id, files=[("a.md", b"alpha\n"), ("b.md", b"beta\n")], file_ids=[kept.id]
    )
    assert batch.id.startswith("vsfb_")
    assert batch.status == "completed"
    assert (batch.file_counts.completed, batch.file_counts.total) == (3, 3)
    validate("vector_store.files_batch", batch.model_dump(mode="json"))
    files = client.vector_stores.file_batches.list_files(batch.id, vector_store_id=store.id)
    assert len(list(files)) == 3
    with pytest.raises(openai.BadRequestError):
        client.vector_stores.file_batches.cancel(batch.id, vector_store_id=store.id)


def test_store_created_with_files_and_chunking(client: openai.OpenAI) -> None:
    file = client.files.create(file=("guide.md", GUIDE), purpose="assistants")
    store = client.vector_stores.create(
        file_ids=[file.id],
        chunking_strategy={
            "type": "static",
            "static": {"max_chunk_size_tokens": 400, "chunk_overlap_tokens": 100},
        },
    )
    assert store.status == "in_progress"
    assert store.file_counts.in_progress == 1
    ready = client.vector_stores.retrieve(store.id)
    assert ready.status == "completed"
    assert ready.file_counts.completed == 1
    vs_file = client.vector_stores.files.retrieve(file.id, vector_store_id=store.id)
    assert vs_file.chunking_strategy.static.max_chunk_size_tokens == 400  # type: ignore[union-attr]


def test_unknown_ids_and_bad_parameters(client: openai.OpenAI) -> None:
    store = client.vector_stores.create(name="docs")
    with pytest.raises(openai.NotFoundError) as caught:
        client.vector_stores.files.create(vector_store_id=store.id, file_id="file-missing")
    assert message_of(caught.value).endswith("No file found with id 'file-missing'.")
    with pytest.raises(openai.NotFoundError):
        client.vector_stores.create(file_ids=["file-missing"])
    with pytest.raises(openai.NotFoundError):
        client.vector_stores.files.retrieve("file-missing", vector_store_id=store.id)
    with pytest.raises(openai.BadRequestError) as caught:
        client.vector_stores.create(expires_after={"anchor": "last_active_at", "days": 400})
    assert caught.value.param == "expires_after.days"  # type: ignore[attr-defined]
    with pytest.raises(openai.BadRequestError) as caught:
        client.vector_stores.files.list(vector_store_id=store.id, filter="done")  # type: ignore[arg-type]
    assert caught.value.param == "filter"  # type: ignore[attr-defined]
    with pytest.raises(openai.BadRequestError):
        client.vector_stores.file_batches.create(store.id, file_ids=[])


def test_scripted_failed_file(client: openai.OpenAI, api: AssistantsAPI) -> None:
    _load(
        api,
        IngestionSpec(
            "file",
            match="broken*.pdf",
            status="failed",
            polls=2,
            last_error=LastError("unsupported_file", "The file type is not supported."),
        ),
    )
    store = client.vector_stores.create(name="docs")
    broken = client.files.create(file=("broken-scan.pdf", b"%PDF-1.4"), purpose="assistants")
    fine = client.files.create(file=("fine.md", GUIDE), purpose="assistants")
    failed = client.vector_stores.files.create_and_poll(file_id=broken.id, vector_store_id=store.id)
    assert failed.status == "failed"
    assert failed.last_error is not None
    assert (failed.last_error.code, failed.last_error.message) == (
        "unsupported_file",
        "The file type is not supported.",
    )
    assert (
        client.vector_stores.files.create_and_poll(file_id=fine.id, vector_store_id=store.id).status
        == "completed"
    )
    counts = client.vector_stores.retrieve(store.id).file_counts
    assert (counts.failed, counts.completed) == (1, 1)
    assert [f.id for f in client.vector_stores.files.list(store.id, filter="failed")] == [broken.id]
    assert api.state.ingestion.unused() == []


def test_scripted_cancelled_batch(client: openai.OpenAI, api: AssistantsAPI) -> None:
    _load(api, IngestionSpec("file_batch", status="cancelled", polls=1))
    store = client.vector_stores.create(name="docs")
    batch = client.vector_stores.file_batches.upload_and_poll(
        store.id, files=[("a.md", b"alpha\n"), ("b.md", b"beta\n")]
    )
    assert batch.status == "cancelled"
    assert (batch.file_counts.cancelled, batch.file_counts.in_progress) == (2, 0)
    statuses = {
        f.status
        for f in client.vector_stores.file_batches.list_files(batch.id, vector_store_id=store.id)
    }
    assert statuses == {"cancelled"}


def test_client_cancels_a_slow_batch(client: openai.OpenAI, api: AssistantsAPI) -> None:
    _load(api, IngestionSpec("file", polls=50), IngestionSpec("file", polls=50))
    store = client.vector_stores.create(name="docs")
    ids = [client.files.create(file=(f"{n}.md", b"x\n"), purpose="assistants").id for n in "ab"]
    batch = client.vector_stores.file_batches.create(store.id, file_ids=ids)
    assert client.vector_stores.file_batches.retrieve(
        batch.id, vector_store_id=store.id
    ).status == ("in_progress")
    cancelled = client.vector_stores.file_batches.cancel(batch.id, vector_store_id=store.id)
    assert cancelled.status == "cancelled"
    assert cancelled.file_counts.cancelled == 2
    assert client.vector_stores.retrieve(store.id).status == "completed"


def test_scripted_and_clock_expiry(client: openai.OpenAI, api: AssistantsAPI) -> None:
    _load(api, IngestionSpec("vector_store", match="scratch-*", status="expired", polls=2))
    scratch = client.vector_stores.create(name="scratch-1")
    kept = client.vector_stores.create(
        name="kept", expires_after={"anchor": "last_active_at", "days": 1}
    )
    assert client.vector_stores.retrieve(scratch.id).status == "completed"
    assert client.vector_stores.retrieve(scratch.id).status == "expired"
    assert client.vector_stores.retrieve(kept.id).status == "completed"
    api.state.clock.advance(86_400)
    assert client.vector_stores.retrieve(kept.id).status == "expired"


async def test_async_helpers(aclient: openai.AsyncOpenAI) -> None:
    store = await aclient.vector_stores.create(name="docs")
    vs_file = await aclient.vector_stores.files.upload_and_poll(
        vector_store_id=store.id, file=("guide.md", GUIDE)
    )
    assert vs_file.status == "completed"
    batch = await aclient.vector_stores.file_batches.upload_and_poll(
        store.id, files=[("a.md", b"alpha\n"), ("b.md", b"beta\n")]
    )
    assert batch.status == "completed"
    assert batch.file_counts.completed == 2
    assert (await aclient.vector_stores.retrieve(store.id)).file_counts.completed == 3


def test_search_content_and_attributes(client: openai.OpenAI) -> None:
    store = client.vector_stores.create(name="docs")
    guide = client.files.create(
        file=("guide.md", GUIDE + b"\nThreads hold messages.\n"), purpose="assistants"
    )
    other = client.files.create(file=("other.md", b"Nothing relevant.\n"), purpose="assistants")
    client.vector_stores.files.create_and_poll(
        file_id=guide.id, vector_store_id=store.id, attributes={"lang": "en"}
    )
    client.vector_stores.files.create_and_poll(file_id=other.id, vector_store_id=store.id)
    updated = client.vector_stores.files.update(
        other.id, vector_store_id=store.id, attributes={"lang": "fr"}
    )
    assert updated.attributes == {"lang": "fr"}
    results = list(client.vector_stores.search(store.id, query="What is a run step?"))
    assert results[0].file_id == guide.id
    assert results[0].content[0].text.startswith("A run step is")
    assert results[0].attributes == {"lang": "en"}
    assert 0 < results[0].score <= 1
    only_fr = client.vector_stores.search(
        store.id, query="run step", filters={"type": "eq", "key": "lang", "value": "fr"}
    )
    assert {r.file_id for r in only_fr} == {other.id}
    pieces = list(client.vector_stores.files.content(guide.id, vector_store_id=store.id))
    assert [p.text for p in pieces] == [GUIDE.decode().strip(), "Threads hold messages."]
