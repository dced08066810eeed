"""Store rows of the Files and vector store APIs: the JSON object plus what the fake needs."""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.core.objects import JSON
from harness.scenario.model import IngestionSpec

__all__ = ["BatchRecord", "StoredFile", "VectorStoreFileRecord", "VectorStoreRecord"]


@dataclass
class StoredFile:
    """An uploaded (or generated) file and its bytes."""

    obj: JSON
    content: bytes

    @property
    def id(self) -> str:
        value: str = self.obj["id"]
        return value

    @property
    def filename(self) -> str:
        value: str = self.obj["filename"]
        return value

    def text(self) -> str:
        """The file as text (what file_search reads); undecodable bytes are replaced."""
        return self.content.decode("utf-8", "replace")


@dataclass
class VectorStoreFileRecord:
    """A file in a vector store and where its ingestion stands."""

    obj: JSON
    script: IngestionSpec
    views: int = 1
    """Observations of the current status (the creation answer is the first)."""
    batch_id: str | None = None

    @property
    def key(self) -> str:
        return vector_store_file_key(self.obj["vector_store_id"], self.obj["id"])

    @property
    def status(self) -> str:
        value: str = self.obj["status"]
        return value


@dataclass
class BatchRecord:
    """A file batch: the files it added and its scripted ending."""

    obj: JSON
    script: IngestionSpec
    file_ids: list[str] = field(default_factory=list)
    views: int = 1

    @property
    def id(self) -> str:
        value: str = self.obj["id"]
        return value


@dataclass
class VectorStoreRecord:
    """A vector store and its scripted ending (an expiry), if any."""

    obj: JSON
    script: IngestionSpec | None = None
    views: int = 1
    file_keys: dict[str, None] = field(default_factory=dict)
    """Store keys of its files, in the order they were added (an ordered set)."""
    batch_ids: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        value: str = self.obj["id"]
        return value


def vector_store_file_key(vector_store_id: str, file_id: str) -> str:
    """The store key of a file in a vector store (the same file may be in several)."""
    return f"{vector_store_id}/{file_id}"
