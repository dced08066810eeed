"""Ingestion of files into vector stores, moved by observations of the objects concerned.

A vector store file is ``in_progress`` for its script's ``polls`` observations, then ends as
scripted (``completed`` by default). An observation is any answer that shows the object: the
file itself, the batch that added it, or its vector store (retrieved or listed). Unrelated
traffic never moves it, so ``upload_and_poll`` and friends see the same story however many
other clients share the server. Timestamps and expiry use the global virtual clock.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from harness.clock import VirtualClock
from harness.core.file_records import (
    BatchRecord,
    StoredFile,
    VectorStoreFileRecord,
    VectorStoreRecord,
    vector_store_file_key,
)
from harness.core.objects import JSON, file_counts, vector_store_file_object
from harness.core.store import Store
from harness.scenario.model import IngestionSpec, LastError

__all__ = ["DEFAULT_CHUNKING", "Ingestor"]

DEFAULT_CHUNKING: JSON = {
    "type": "static",
    "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400},
}
"""What ``auto`` chunking was reported as (BodhiApp's recording)."""

_DAY_S = 86_400
_DEFAULT_ERROR = LastError("server_error", "The file could not be processed.")
_DONE = frozenset({"completed", "failed", "cancelled"})


class Ingestor:
    """Plays ingestion scripts for the vector store objects of one store."""

    def __init__(
        self, store: Store, clock: VirtualClock, scripts: tuple[IngestionSpec, ...] = ()
    ) -> None:
        self.store = store
        self.clock = clock
        self._scripts = list(scripts)
        self._used = [False] * len(self._scripts)

    # -- scripts --------------------------------------------------------------------------

    def _take(self, target: str, names: list[str]) -> IngestionSpec | None:
        for index, script in enumerate(self._scripts):
            if self._used[index] or script.target != target:
                continue
            if script.match is None or any(fnmatchcase(name, script.match) for name in names):
                self._used[index] = True
                return script
        return None

    def unused(self) -> list[IngestionSpec]:
        """Scripts no object has taken (a scenario that promised more than was tested)."""
        return [s for s, used in zip(self._scripts, self._used, strict=True) if not used]

    # -- creation -------------------------------------------------------------------------

    def new_store(self, obj: JSON) -> VectorStoreRecord:
        record = VectorStoreRecord(obj, self._take("vector_store", [obj["name"] or ""]))
        self._set_expiry(obj)
        self.store.vector_stores.put(record.id, record)
        return record

    def add_file(
        self,
        vector_store: VectorStoreRecord,
        file: StoredFile,
        chunking: JSON | None,
        *,
        batch_id: str | None = None,
    ) -> VectorStoreFileRecord:
        """Put ``file`` in ``vector_store`` (again: its ingestion starts over)."""
        obj = vector_store_file_object(
            file_id=file.id,
            vector_store_id=vector_store.id,
            created_at=self.clock.now(),
            chunking_strategy=_reported_chunking(chunking),
        )
        script = self._take("file", [file.filename, file.id]) or IngestionSpec("file")
        record = VectorStoreFileRecord(obj, script, batch_id=batch_id)
        self.store.vector_store_files.put(record.key, record)
        vector_store.file_keys.pop(record.key, None)  # re-added: it moves to the end
        vector_store.file_keys[record.key] = None
        self._settle(vector_store)
        return record

    def new_batch(self, obj: JSON, files: list[StoredFile]) -> BatchRecord:
        names = [name for file in files for name in (file.filename, file.id)]
        script = self._take("file_batch", names) or IngestionSpec("file_batch")
        record = BatchRecord(obj, script, [file.id for file in files])
        self.store.file_batches.put(record.id, record)
        vector_store = self.store.vector_stores.get(obj["vector_store_id"])
        if vector_store is not None:
            vector_store.batch_ids.append(record.id)
        return record

    def remove_file(self, record: VectorStoreFileRecord) -> None:
        """Take a file out of its vector store (the file itself stays)."""
        self.store.vector_store_files.pop(record.key)
        vector_store = self.store.vector_stores.get(record.obj["vector_store_id"])
        if vector_store is not None:
            vector_store.file_keys.pop(record.key, None)
            self._settle(vector_store)

    def remove_store(self, vector_store: VectorStoreRecord) -> None:
        """Forget a vector store, its files and its batches."""
        self.store.vector_stores.pop(vector_store.id)
        for key in vector_store.file_keys:
            self.store.vector_store_files.pop(key)
        for batch_id in vector_store.batch_ids:
            self.store.file_batches.pop(batch_id)

    # -- observations ---------------------------------------------------------------------

    def observe_file(self, record: VectorStoreFileRecord) -> JSON:
        """One answer shows ``record``: its ingestion may move on."""
        self._advance(record)
        vector_store = self.store.vector_stores.get(record.obj["vector_store_id"])
        if vector_store is not None:
            self._settle(vector_store)
        if record.batch_id is not None:
            batch = self.store.file_batches.get(record.batch_id)
            if batch is not None:
                self.settle_batch(batch)
        return record.obj

    def observe_batch(self, batch: BatchRecord) -> JSON:
        """One answer shows the batch: a scripted ending, else its files move on."""
        if batch.obj["status"] == "in_progress":
            script = batch.script
            if script.status in ("cancelled", "failed") and batch.views >= script.polls:
                self.stop_batch(batch, script.status)
            else:
                for record in self.batch_files(batch):
                    self._advance(record)
        batch.views += 1
        self.settle_batch(batch)
        vector_store = self.store.vector_stores.get(batch.obj["vector_store_id"])
        if vector_store is not None:
            self._settle(vector_store)
        return batch.obj

    def observe_store(self, vector_store: VectorStoreRecord) -> JSON:
        """One answer shows the store: its files move on; a scripted expiry may come."""
        for record in self.files_of(vector_store.id):
            self._advance(record)
        script = vector_store.script
        if script is not None and script.status == "expired" and vector_store.views >= script.polls:
            vector_store.obj["status"] = "expired"
        vector_store.views += 1
        self._settle(vector_store)
        for batch_id in vector_store.batch_ids:
            batch = self.store.file_batches.get(batch_id)
            if batch is not None:
                self.settle_batch(batch)
        return vector_store.obj

    def stop_batch(self, batch: BatchRecord, status: str = "cancelled") -> None:
        """End a batch (the client cancelled it, or its script): its unfinished files too."""
        for record in self.batch_files(batch):
            if record.status == "in_progress":
                record.obj["status"] = status
                if status == "failed":
                    record.obj["last_error"] = _error_json(_DEFAULT_ERROR)
        batch.obj["status"] = status
        self.settle_batch(batch)
        vector_store = self.store.vector_stores.get(batch.obj["vector_store_id"])
        if vector_store is not None:
            self._settle(vector_store)

    def touch(self, vector_store: VectorStoreRecord) -> None:
        """The store was used (by a run): it is active now, and its expiry moves."""
        vector_store.obj["last_active_at"] = self.clock.now()
        self._set_expiry(vector_store.obj)

    def set_expiry(self, vector_store: VectorStoreRecord) -> None:
        self._set_expiry(vector_store.obj)
        self._settle(vector_store)

    # -- derived state --------------------------------------------------------------------

    def files_of(self, vector_store_id: str) -> list[VectorStoreFileRecord]:
        """The files of a vector store, in the order they were added (no scan of others)."""
        vector_store = self.store.vector_stores.get(vector_store_id)
        if vector_store is None:
            return []
        found = (self.store.vector_store_files.get(key) for key in vector_store.file_keys)
        return [record for record in found if record is not None]

    def batch_files(self, batch: BatchRecord) -> list[VectorStoreFileRecord]:
        """The files a batch added (and that are still in its store from that batch)."""
        store_id = batch.obj["vector_store_id"]
        found = (
            self.store.vector_store_files.get(vector_store_file_key(store_id, file_id))
            for file_id in batch.file_ids
        )
        return [record for record in found if record is not None and record.batch_id == batch.id]

    def _advance(self, record: VectorStoreFileRecord) -> None:
        script = record.script
        if record.status == "in_progress" and record.views >= script.polls:
            record.obj["status"] = script.status
            record.views = 0
            if script.status == "failed":
                record.obj["last_error"] = _error_json(script.last_error or _DEFAULT_ERROR)
            elif script.status == "completed":
                file = self.store.files.get(record.obj["id"])
                record.obj["usage_bytes"] = len(file.content) if file is not None else 0
        record.views += 1

    def _settle(self, vector_store: VectorStoreRecord) -> None:
        """Recompute a store's counts, usage and status from its files, and its expiry."""
        obj = vector_store.obj
        files = self.files_of(vector_store.id)
        obj["file_counts"] = file_counts([record.status for record in files])
        obj["usage_bytes"] = sum(record.obj["usage_bytes"] for record in files)
        expires_at = obj.get("expires_at")
        if obj["status"] == "expired" or (
            expires_at is not None and self.clock.now() >= expires_at
        ):
            obj["status"] = "expired"
        elif obj["file_counts"]["in_progress"]:
            obj["status"] = "in_progress"
        else:
            obj["status"] = "completed"

    def settle_batch(self, batch: BatchRecord) -> None:
        files = self.batch_files(batch)
        batch.obj["file_counts"] = file_counts([record.status for record in files])
        if batch.obj["status"] == "in_progress" and all(r.status in _DONE for r in files):
            batch.obj["status"] = "completed"

    def _set_expiry(self, obj: JSON) -> None:
        policy = obj.get("expires_after")
        if isinstance(policy, dict) and isinstance(policy.get("days"), int):
            obj["expires_at"] = obj["last_active_at"] + policy["days"] * _DAY_S
        else:
            obj["expires_at"] = None


def _reported_chunking(requested: JSON | None) -> JSON:
    """``auto`` (or nothing) is reported as the static strategy it stands for."""
    if requested is None or requested.get("type") == "auto":
        return DEFAULT_CHUNKING
    return requested


def _error_json(error: LastError) -> JSON:
    return {"code": error.code, "message": error.message}
