"""A run's lane: its statuses over the requests that showed them, with what happened between."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Lane", "LaneMark", "Segment", "TestEntry", "fold", "lane_of"]


@dataclass(frozen=True)
class Segment:
    """A status shown ``count`` times in a row (polls collapsed)."""

    status: str
    count: int = 1
    seen: bool = True
    """``False`` for a status the run reached that no response showed the client."""


@dataclass(frozen=True)
class LaneMark:
    """A tool-call round, a fault or a violation, before the ``position``-th observation."""

    position: int
    kind: str
    text: str


@dataclass(frozen=True)
class Lane:
    """One run: its folded statuses and its marks."""

    run_id: str
    segments: tuple[Segment, ...]
    marks: tuple[LaneMark, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "segments": [[s.status, s.count, s.seen] for s in self.segments],
            "marks": [[m.position, m.kind, m.text] for m in self.marks],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Lane:
        return cls(
            str(data["run_id"]),
            tuple(Segment(str(s), int(c), bool(v)) for s, c, v in data["segments"]),
            tuple(LaneMark(int(p), str(k), str(t)) for p, k, t in data["marks"]),
        )


@dataclass(frozen=True)
class TestEntry:
    """One test (or conformance check) of a page: its outcome, its runs, where to look."""

    name: str
    outcome: str
    """``passed``, ``failed``, ``skipped``…"""
    lanes: tuple[Lane, ...] = ()
    marks: tuple[LaneMark, ...] = ()
    """Marks that concern no single run (a fault on ``POST /v1/threads``)."""
    message: str = ""
    links: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    """(label, href) pairs: a failure's counterexample file, for instance."""


def fold(statuses: Iterable[str]) -> list[Segment]:
    """Consecutive repeats as one segment: ``in_progress ×614``."""
    segments: list[Segment] = []
    for status in statuses:
        if segments and segments[-1].status == status:
            segments[-1] = Segment(status, segments[-1].count + 1)
        else:
            segments.append(Segment(status))
    return segments


def lane_of(
    run_id: str,
    shown: Sequence[str],
    *,
    true_status: str | None = None,
    marks: Iterable[LaneMark] = (),
) -> Lane:
    """The lane of a run shown ``shown``; a ``true_status`` the client never saw is added as
    an unseen segment."""
    segments = fold(shown)
    if true_status is not None and (not shown or shown[-1] != true_status):
        segments.append(Segment(true_status, 1, seen=False))
    return Lane(run_id, tuple(segments), tuple(marks))
