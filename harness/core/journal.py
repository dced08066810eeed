"""What happened during a test: requests, run timelines and contract violations."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

__all__ = ["Journal", "RequestRecord", "Violation", "format_timeline"]


@dataclass(frozen=True)
class Violation:
    """The client broke its side of the contract."""

    rule: str
    """Short rule name: ``tool-outputs``, ``locked-thread``, ``beta-header``,
    ``poll-after-terminal``, ``poll-requires-action`` (the README lists them)."""
    message: str
    request: str
    """``METHOD /path`` of the offending request."""
    run_id: str | None = None

    def __str__(self) -> str:
        return f"[{self.rule}] {self.request}: {self.message}"


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str
    status: int


@dataclass
class Journal:
    """Append-only log of one test's traffic, read by the pytest plugin and the CLI."""

    violations: list[Violation] = field(default_factory=list)
    requests: list[RequestRecord] = field(default_factory=list)
    timelines: dict[str, list[str]] = field(default_factory=dict)
    """Run id → every status the client was shown, in order."""
    notes: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def violate(self, violation: Violation) -> None:
        with self._lock:
            self.violations.append(violation)

    def log_request(self, record: RequestRecord) -> None:
        with self._lock:
            self.requests.append(record)

    def observe(self, run_id: str, status: str) -> None:
        with self._lock:
            self.timelines.setdefault(run_id, []).append(status)

    def note(self, text: str) -> None:
        with self._lock:
            self.notes.append(text)

    def clear(self) -> None:
        with self._lock:
            self.violations.clear()
            self.requests.clear()
            self.timelines.clear()
            self.notes.clear()

    def timeline(self, run_id: str) -> str:
        return format_timeline(self.timelines.get(run_id, []))


def format_timeline(statuses: list[str]) -> str:
    """``queued › in_progress ×2 › completed``: repeats folded."""
    parts: list[str] = []
    previous: str | None = None
    count = 0
    for status in [*statuses, None]:
        if status == previous:
            count += 1
            continue
        if previous is not None:
            parts.append(previous if count == 1 else f"{previous} ×{count}")
        previous, count = status, 1
    return " › ".join(parts)
