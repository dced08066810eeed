"""Lifecycle coverage: what the server truly did during a test, as plain counts.

The engine, the stream, the fault injector and the journal feed one :class:`Coverage` per
server state (per test). It is plain data: counts by dimension and item, mergeable and
JSON-ready, so the pytest plugin can carry it on reports across xdist workers and add it up.
The universe every count is measured against comes from :mod:`harness.lifecycle` (statuses,
transitions, endings) and from the tables below (what the engine and the stream can produce).
Contract rules have no fixed universe: whatever rule names the journal records are listed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final

from harness import lifecycle

__all__ = [
    "DIMENSIONS",
    "FAULT_KINDS",
    "STEP_TYPES",
    "STREAM_EVENTS",
    "Coverage",
    "DimensionSummary",
    "summarise",
    "transition_name",
    "universe",
]

DIMENSIONS: Final = (
    "statuses",
    "transitions",
    "endings",
    "step_types",
    "stream_events",
    "faults",
    "rules",
)
"""What coverage counts, in the order reports show it."""

STEP_TYPES: Final = (
    "message_creation",
    "tool_calls/function",
    "tool_calls/code_interpreter",
    "tool_calls/file_search",
)
"""Run step types, with the kind of tool call of a ``tool_calls`` step."""

STREAM_EVENTS: Final = (
    "thread.created",
    "thread.run.created",
    *(f"thread.run.{status}" for status in lifecycle.RUN_STATUSES),
    *(
        f"thread.run.step.{what}"
        for what in ("created", "in_progress", "delta", "completed", "failed", "cancelled")
    ),
    "thread.run.step.expired",
    *(
        f"thread.message.{what}"
        for what in ("created", "in_progress", "delta", "completed", "incomplete")
    ),
    "error",
    "done",
)
"""Every event an Assistants stream can carry."""

FAULT_KINDS: Final = ("http_status", "reset", "delay", "cut_stream", "stream_error")
"""The kinds of HTTP fault a scenario can inject."""


def transition_name(before: str, after: str) -> str:
    """``queued › in_progress``: how coverage names a transition."""
    return f"{before} › {after}"


def universe() -> dict[str, tuple[str, ...]]:
    """Every item of every dimension a complete test suite meets (rules: none fixed)."""
    return {
        "statuses": lifecycle.RUN_STATUSES,
        "transitions": tuple(
            transition_name(before, after)
            for before in lifecycle.RUN_STATUSES
            for after in sorted(lifecycle.TRANSITIONS[before])
        ),
        "endings": lifecycle.ENDINGS,
        "step_types": STEP_TYPES,
        "stream_events": STREAM_EVENTS,
        "faults": FAULT_KINDS,
        "rules": (),
    }


@dataclass
class Coverage:
    """How often each item of each dimension happened."""

    counts: dict[str, dict[str, int]] = field(
        default_factory=lambda: {dimension: {} for dimension in DIMENSIONS}
    )

    def hit(self, dimension: str, item: str) -> None:
        items = self.counts[dimension]
        items[item] = items.get(item, 0) + 1

    def entered(self, before: str | None, after: str) -> None:
        """A run entered ``after`` from ``before`` (``None``: it was just created)."""
        self.hit("statuses", after)
        if before is not None and before != after:
            self.hit("transitions", transition_name(before, after))

    def merge(self, other: Coverage | Mapping[str, Mapping[str, int]]) -> None:
        """Add ``other``'s counts (a :class:`Coverage` or its :meth:`as_json`) to these."""
        counts = other.counts if isinstance(other, Coverage) else other
        for dimension, items in counts.items():
            mine = self.counts.setdefault(dimension, {})
            for item, count in items.items():
                mine[item] = mine.get(item, 0) + int(count)

    def as_json(self) -> dict[str, dict[str, int]]:
        return {dimension: dict(items) for dimension, items in self.counts.items()}

    @classmethod
    def from_json(cls, data: Mapping[str, Mapping[str, int]]) -> Coverage:
        coverage = cls()
        coverage.merge(data)
        return coverage

    @classmethod
    def total(cls, parts: Iterable[Coverage]) -> Coverage:
        coverage = cls()
        for part in parts:
            coverage.merge(part)
        return coverage

    def __bool__(self) -> bool:
        return any(self.counts.values())


@dataclass(frozen=True)
class DimensionSummary:
    """One dimension against its universe."""

    dimension: str
    met: tuple[str, ...]
    """Items of the universe that happened, in universe order."""
    missed: tuple[str, ...]
    """Items of the universe that never happened."""
    extra: tuple[str, ...]
    """Items outside the universe that happened (illegal transitions, contract rules)."""

    @property
    def total(self) -> int:
        return len(self.met) + len(self.missed)


def summarise(coverage: Coverage) -> tuple[list[DimensionSummary], float]:
    """Each dimension's met and missed items, and the percentage of the whole universe met."""
    summaries = []
    for dimension, items in universe().items():
        counts = coverage.counts.get(dimension, {})
        known = set(items)
        summaries.append(
            DimensionSummary(
                dimension,
                tuple(item for item in items if counts.get(item)),
                tuple(item for item in items if not counts.get(item)),
                tuple(sorted(item for item in counts if item not in known)),
            )
        )
    total = sum(summary.total for summary in summaries)
    met = sum(len(summary.met) for summary in summaries)
    return summaries, (100.0 * met / total if total else 100.0)
