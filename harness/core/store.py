"""In-memory tables of API objects with the API's cursor pagination."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from harness.core.file_records import (
    BatchRecord,
    StoredFile,
    VectorStoreFileRecord,
    VectorStoreRecord,
)
from harness.core.objects import JSON, list_page
from harness.core.records import RunRecord

__all__ = ["Page", "Store", "Table", "paginate"]

T = TypeVar("T")


@dataclass(frozen=True)
class Page:
    """The list query: ``limit`` 1–100, ``order`` asc/desc, ``after``/``before`` cursors."""

    limit: int = 20
    order: str = "desc"
    after: str | None = None
    before: str | None = None


def paginate(
    items: Sequence[T], page: Page, *, key: Callable[[T], str], render: Callable[[T], JSON]
) -> JSON:
    """One page of ``items`` (oldest first) as the list envelope the SDK's auto-pager expects.

    ``after`` takes the items that follow the cursor in the requested order, ``before`` the ones
    that precede it; an unknown cursor gives an empty page, as the API did.
    """
    ordered = list(items) if page.order == "asc" else list(reversed(items))
    start, stop = 0, len(ordered)
    if page.after is not None or page.before is not None:
        positions = {key(item): index for index, item in enumerate(ordered)}
        if page.after is not None:
            start = positions.get(page.after, len(ordered) - 1) + 1
        if page.before is not None:
            stop = positions.get(page.before, 0)
    window = ordered[start:stop]
    if page.before is not None and page.after is None:
        chosen = window[-page.limit :] if page.limit < len(window) else window
        has_more = len(window) > len(chosen)
    else:
        chosen = window[: page.limit]
        has_more = len(window) > page.limit
    return list_page([render(item) for item in chosen], has_more=has_more)


class Table(Generic[T]):
    """Objects of one kind by id, in creation order; optionally also grouped by the object they
    belong to (messages by thread, steps by run), so reading one group costs the group's size,
    not the session's."""

    def __init__(self, group: Callable[[T], str] | None = None) -> None:
        self._rows: dict[str, T] = {}
        self._group = group
        self._groups: dict[str, dict[str, T]] = {}

    def __contains__(self, id: object) -> bool:
        return id in self._rows

    def __len__(self) -> int:
        return len(self._rows)

    def get(self, id: str) -> T | None:
        return self._rows.get(id)

    def put(self, id: str, row: T) -> T:
        self._rows[id] = row
        if self._group is not None:
            self._groups.setdefault(self._group(row), {})[id] = row
        return row

    def pop(self, id: str) -> T | None:
        row = self._rows.pop(id, None)
        if row is not None and self._group is not None:
            members = self._groups.get(self._group(row), {})
            members.pop(id, None)
            if not members:
                self._groups.pop(self._group(row), None)
        return row

    def group(self, key: str) -> list[T]:
        """The rows that belong to ``key``, in creation order (a grouped table only)."""
        if self._group is None:
            raise TypeError("this table is not grouped")
        return list(self._groups.get(key, {}).values())

    def values(self) -> list[T]:
        return list(self._rows.values())

    def ids(self) -> list[str]:
        """Every row's id, in creation order."""
        return list(self._rows)

    def where(self, predicate: Callable[[T], bool]) -> list[T]:
        return [row for row in self._rows.values() if predicate(row)]

    def clear(self) -> None:
        self._rows.clear()
        self._groups.clear()


def _by(name: str) -> Callable[[JSON], str]:
    return lambda row: str(row[name])


@dataclass
class Store:
    """Every table of the fake API. Run rows are engine records; the rest are JSON objects."""

    assistants: Table[JSON] = field(default_factory=Table)
    threads: Table[JSON] = field(default_factory=Table)
    messages: Table[JSON] = field(default_factory=lambda: Table(_by("thread_id")))
    runs: Table[RunRecord] = field(default_factory=lambda: Table(lambda run: run.thread_id))
    steps: Table[JSON] = field(default_factory=lambda: Table(_by("run_id")))
    files: Table[StoredFile] = field(default_factory=Table)
    vector_stores: Table[VectorStoreRecord] = field(default_factory=Table)
    vector_store_files: Table[VectorStoreFileRecord] = field(default_factory=Table)
    """Keyed by ``vector_store_id/file_id``."""
    file_batches: Table[BatchRecord] = field(default_factory=Table)

    def tables(self) -> Iterable[Table[Any]]:
        return (
            self.assistants,
            self.threads,
            self.messages,
            self.runs,
            self.steps,
            self.files,
            self.vector_stores,
            self.vector_store_files,
            self.file_batches,
        )

    def clear(self) -> None:
        """Forget every object (a reset between tests)."""
        for table in self.tables():
            table.clear()

    def counts(self) -> dict[str, int]:
        return {
            "assistants": len(self.assistants),
            "threads": len(self.threads),
            "messages": len(self.messages),
            "runs": len(self.runs),
            "steps": len(self.steps),
            "files": len(self.files),
            "vector_stores": len(self.vector_stores),
            "vector_store_files": len(self.vector_store_files),
            "file_batches": len(self.file_batches),
        }
