"""What happened during a test: requests, run timelines and contract violations."""

from __future__ import annotations

import fnmatch
import json
import threading
from dataclasses import dataclass, field
from typing import Any

from harness.core.coverage import Coverage
from harness.core.http import ApiRequest
from harness.secrets import PLACEHOLDER, scrub_json, scrub_text

__all__ = ["Journal", "Mark", "RequestRecord", "Violation", "format_timeline"]


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
    """One request the server answered, as a test asserts on it (secrets already scrubbed).

    Headers are not kept (they carry the API key); ``body`` is the parsed JSON body, ``None``
    when there was none or it was not JSON.
    """

    method: str
    path: str
    """The full path, API prefix included: ``/v1/threads/thread_…/runs``."""
    status: int
    """The status of the answer."""
    query: tuple[tuple[str, str], ...] = ()
    body: Any = None

    @classmethod
    def capture(cls, request: ApiRequest, *, path: str, status: int) -> RequestRecord:
        """The record of ``request`` answered with ``status``."""
        query = tuple(
            (key, PLACEHOLDER if key.lower() in _SECRET_PARAMS else scrub_text(value))
            for key, value in request.query
        )
        return cls(request.method, path, status, query, _json_body(request.body))

    @property
    def params(self) -> dict[str, str]:
        """The query as a dict (the first value of a repeated name)."""
        params: dict[str, str] = {}
        for key, value in self.query:
            params.setdefault(key, value)
        return params

    def matches(
        self, method: str | None = None, path: str | None = None, status: int | None = None
    ) -> bool:
        """Whether this request fits every filter given; ``path`` may hold ``*`` wildcards."""
        return (
            (method is None or self.method == method.upper())
            and (path is None or fnmatch.fnmatchcase(self.path, path))
            and (status is None or self.status == status)
        )


# Query parameters some clients carry a key in (Azure's ``api-key``, ``?key=``…).
_SECRET_PARAMS = frozenset({"api-key", "api_key", "key", "access_token", "token"})


def _json_body(raw: bytes) -> Any:
    if not raw.strip():
        return None
    try:
        return scrub_json(json.loads(raw))
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None  # not JSON: the handler answered 400, nothing to assert on


@dataclass(frozen=True)
class Mark:
    """Something that happened to a run between two of its observations (for pictures)."""

    run_id: str | None
    """The run it concerns; ``None`` for the test as a whole."""
    position: int
    """How many times the run had been shown when it happened (the request count when
    ``run_id`` is ``None``)."""
    kind: str
    """``tool_calls``, ``fault`` or ``violation``."""
    text: str


@dataclass
class Journal:
    """Append-only log of one test's traffic, read by the pytest plugin and the CLI."""

    violations: list[Violation] = field(default_factory=list)
    requests: list[RequestRecord] = field(default_factory=list)
    timelines: dict[str, list[str]] = field(default_factory=dict)
    """Run id → every status the client was shown, in order."""
    notes: list[str] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    coverage: Coverage = field(default_factory=Coverage)
    """What the server did (kept by :meth:`clear`: it happened all the same)."""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def violate(self, violation: Violation) -> None:
        with self._lock:
            self.violations.append(violation)
            self.coverage.hit("rules", violation.rule)
            self._mark(violation.run_id, "violation", str(violation))

    def mark(self, run_id: str | None, kind: str, text: str) -> None:
        with self._lock:
            self._mark(run_id, kind, text)

    def _mark(self, run_id: str | None, kind: str, text: str) -> None:
        shown = self.requests if run_id is None else self.timelines.get(run_id, ())
        position = len(shown)
        self.marks.append(Mark(run_id, position, kind, text))

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
            self.marks.clear()

    def find_requests(
        self, method: str | None = None, path: str | None = None, status: int | None = None
    ) -> list[RequestRecord]:
        """The requests, in order, that fit every filter (see :meth:`RequestRecord.matches`)."""
        with self._lock:
            requests = list(self.requests)
        return [record for record in requests if record.matches(method, path, status)]

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
