"""The run lifecycle of the Assistants API as one declarative table.

This module is the single source of truth used by the engine, the scenario validator, the
cassette validator, the conformance checker and the hypothesis strategies. It knows nothing of
HTTP, YAML or pytest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal, get_args

__all__ = [
    "ACTIVE_STATUSES",
    "ENDINGS",
    "INCOMPLETE_REASONS",
    "LAST_ERROR_CODES",
    "POLL_STOP_STATUSES",
    "RUN_STATUSES",
    "STEP_STATUS_FOR_RUN_END",
    "TERMINAL_STATUSES",
    "TIMESTAMP_FIELD",
    "TRANSITIONS",
    "RunStatus",
    "SequenceProblem",
    "check_sequence",
    "ending",
    "is_legal",
    "is_reachable",
    "is_terminal",
    "locks_thread",
    "reachable_from",
]

RunStatus = Literal[
    "queued",
    "in_progress",
    "requires_action",
    "cancelling",
    "cancelled",
    "failed",
    "completed",
    "incomplete",
    "expired",
]

RUN_STATUSES: Final[tuple[RunStatus, ...]] = get_args(RunStatus)

TERMINAL_STATUSES: Final[frozenset[str]] = frozenset(
    {"cancelled", "failed", "completed", "incomplete", "expired"}
)
"""Statuses a run never leaves."""

ACTIVE_STATUSES: Final[frozenset[str]] = frozenset(
    {"queued", "in_progress", "requires_action", "cancelling"}
)
"""Statuses that lock the run's thread: no new messages, no new runs."""

POLL_STOP_STATUSES: Final[frozenset[str]] = TERMINAL_STATUSES | {"requires_action"}
"""Statuses at which the SDKs' poll helpers return (openai-python and openai-node agree)."""

TRANSITIONS: Final[Mapping[str, frozenset[str]]] = {
    # A queued run starts, or dies before starting.
    "queued": frozenset({"in_progress", "cancelling", "failed", "expired"}),
    "in_progress": frozenset(
        {"requires_action", "completed", "failed", "incomplete", "cancelling", "expired"}
    ),
    # Tool outputs send the run back to the queue; an unanswered call expires.
    "requires_action": frozenset({"queued", "cancelling", "expired", "failed"}),
    # Cancellation "is attempted but not guaranteed": the run may still end another way.
    "cancelling": frozenset({"cancelled", "completed", "failed", "incomplete", "expired"}),
    "cancelled": frozenset(),
    "failed": frozenset(),
    "completed": frozenset(),
    "incomplete": frozenset(),
    "expired": frozenset(),
}
"""Direct transitions: ``TRANSITIONS[a]`` holds every status a run may enter straight from ``a``."""

TIMESTAMP_FIELD: Final[Mapping[str, str]] = {
    "in_progress": "started_at",
    "completed": "completed_at",
    "failed": "failed_at",
    "cancelled": "cancelled_at",
}
"""The run field stamped when the run first enters a status."""

STEP_STATUS_FOR_RUN_END: Final[Mapping[str, str]] = {
    "completed": "completed",
    "incomplete": "completed",
    "failed": "failed",
    "cancelled": "cancelled",
    "expired": "expired",
}
"""What an unfinished run step becomes when its run ends in a given status."""


LAST_ERROR_CODES: Final[tuple[str, ...]] = ("server_error", "rate_limit_exceeded", "invalid_prompt")
"""The ``last_error.code`` values of a failed run."""

INCOMPLETE_REASONS: Final[tuple[str, ...]] = ("max_completion_tokens", "max_prompt_tokens")
"""The ``incomplete_details.reason`` values of an incomplete run."""

ENDINGS: Final[tuple[str, ...]] = (
    "completed",
    *(f"failed/{code}" for code in LAST_ERROR_CODES),
    "cancelled",
    "expired",
    *(f"incomplete/{reason}" for reason in INCOMPLETE_REASONS),
)
"""Every way a run can end, as :func:`ending` names it: a terminal status, with the error code or
the reason where the API gives one."""


def ending(status: str, detail: str | None = None) -> str:
    """The :data:`ENDINGS` name of a run that ended in ``status`` (``failed/server_error``)."""
    return f"{status}/{detail}" if detail and status in ("failed", "incomplete") else status


def is_terminal(status: str) -> bool:
    """Whether ``status`` is one a run never leaves."""
    return status in TERMINAL_STATUSES


def locks_thread(status: str) -> bool:
    """Whether a run in ``status`` keeps its thread locked."""
    return status in ACTIVE_STATUSES


def is_legal(before: str, after: str) -> bool:
    """Whether a run may go straight from ``before`` to ``after``."""
    return after in TRANSITIONS.get(before, frozenset())


def reachable_from(status: str) -> frozenset[str]:
    """Every status reachable from ``status`` in one or more transitions."""
    seen: set[str] = set()
    frontier = list(TRANSITIONS.get(status, ()))
    while frontier:
        current = frontier.pop()
        if current not in seen:
            seen.add(current)
            frontier.extend(TRANSITIONS.get(current, ()))
    return frozenset(seen)


def is_reachable(before: str, after: str) -> bool:
    """Whether ``after`` can follow ``before`` when intermediate statuses went unobserved."""
    return after in reachable_from(before)


@dataclass(frozen=True)
class SequenceProblem:
    """One way an observed status sequence breaks the lifecycle model."""

    index: int
    before: str | None
    after: str
    message: str

    def __str__(self) -> str:
        return f"#{self.index}: {self.message}"


def check_sequence(
    statuses: Sequence[str] | Iterable[str], *, sampled: bool = True, first: str | None = "queued"
) -> list[SequenceProblem]:
    """List the problems of a run's status sequence.

    ``sampled`` means the sequence was observed by polling, so repeated statuses are fine and
    a status may be skipped (``queued › completed``) as long as it is reachable; otherwise every
    change must be a direct transition. ``first`` is the status a run must start in (``None``
    for any).
    """
    problems: list[SequenceProblem] = []
    previous: str | None = None
    for index, status in enumerate(statuses):
        if status not in TRANSITIONS:
            problems.append(
                SequenceProblem(index, previous, status, f"unknown run status {status!r}")
            )
            continue
        if previous is None:
            if first is not None and status != first and not sampled:
                problems.append(
                    SequenceProblem(index, None, status, f"a run starts {first!r}, not {status!r}")
                )
        elif status != previous:
            legal = is_reachable(previous, status) if sampled else is_legal(previous, status)
            if not legal:
                problems.append(
                    SequenceProblem(
                        index, previous, status, f"illegal transition {previous} › {status}"
                    )
                )
        elif is_terminal(previous) or sampled:
            pass
        else:
            problems.append(SequenceProblem(index, previous, status, f"status {status!r} repeated"))
        previous = status
    return problems
