"""Polling loops that can never end, told apart from reads in general.

A client's polling loop shows up as the same caller retrieving the same run again and again, with
nothing else from that caller in between. Reading a finished run a few times, many callers
reading one run, or one caller polling many runs at once are all legal and never counted: each
caller's streak of repeated retrievals is broken by any other request it sends.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from harness.lifecycle import POLL_STOP_STATUSES

__all__ = ["PollWatch", "after_terminal", "missing_outputs", "requires_action_unanswered"]


@dataclass
class _Streak:
    run_id: str
    status: str
    last_request: int
    length: int


class PollWatch:
    """Per caller: how many requests it sent, and its current streak of repeated retrievals."""

    def __init__(self) -> None:
        self._requests: dict[str, int] = {}
        self._streaks: dict[str, _Streak] = {}

    def request(self, caller: str) -> None:
        """A request from ``caller`` arrived (any request: it ends a streak unless it extends
        it through :meth:`repeat`)."""
        self._requests[caller] = self._requests.get(caller, 0) + 1

    def repeat(self, caller: str, run_id: str, status: str) -> int:
        """``caller``'s current request retrieved ``run_id`` again in ``status``, which it had
        already been shown; return how many such retrievals it made in a row."""
        number = self._requests.get(caller, 0)
        streak = self._streaks.get(caller)
        if (
            streak is not None
            and streak.run_id == run_id
            and streak.status == status
            and streak.last_request == number - 1
        ):
            streak.length += 1
            streak.last_request = number
            return streak.length
        self._streaks[caller] = _Streak(run_id, status, number, 1)
        return 1


def _stop_list() -> str:
    return ", ".join(sorted(POLL_STOP_STATUSES))


def _why_terminal(run: Mapping[str, Any]) -> str:
    """What is true of a loop that still polls a run ended in its status."""
    status = run["status"]
    if status == "completed":
        return (
            "'completed' is final, so the loop waits for a change that never comes (does it "
            "compare against a status the run never takes, or wait for something it should read "
            "from the thread's messages?)"
        )
    detail = ""
    if status == "failed" and run.get("last_error"):
        error = run["last_error"]
        detail = f"; last_error: {error.get('code')}: {error.get('message')}"
    elif status == "incomplete" and run.get("incomplete_details"):
        detail = f"; incomplete_details.reason: {run['incomplete_details'].get('reason')}"
    return (
        f"a polling loop that waits only for 'completed' (or for some statuses) never ends on "
        f"'{status}'{detail}"
    )


def after_terminal(run: Mapping[str, Any], polls: int, limit: int) -> tuple[str, str]:
    """The violation and the error message for a loop polling a finished run."""
    why = _why_terminal(run)
    violation = (
        f"the client polled {run['id']} {polls} times in a row after it was shown its terminal "
        f"status '{run['status']}' (limit {limit}), with no other request between: {why}"
    )
    error = (
        f"harness: {run['id']} ended with status '{run['status']}' and will never change; the "
        f"client keeps polling a finished run ({polls} retrievals in a row): {why}. Stop "
        f"polling at any of: {_stop_list()}"
    )
    return violation, error


def missing_outputs(calls: Sequence[Mapping[str, Any]]) -> str:
    """``call_a (get_weather), call_b (get_time)``."""
    return ", ".join(f"{call['id']} ({call['function']['name']})" for call in calls)


def requires_action_unanswered(
    run_id: str, calls: Sequence[Mapping[str, Any]], polls: int, limit: int
) -> tuple[str, str]:
    """The violation and the error message for a loop polling a run that waits for outputs."""
    missing = missing_outputs(calls)
    violation = (
        f"the client polled {run_id} {polls} times in a row while it waited in "
        f"'requires_action' (limit {limit}) and submitted no tool outputs: missing outputs for "
        f"{missing}; a loop that polls until the run ends waits until it expires"
    )
    error = (
        f"harness: {run_id} is waiting for tool outputs and will not move until they are "
        f"submitted; the client keeps polling it ({polls} retrievals in a row) without "
        f"submitting. Missing outputs for {missing}: send them with POST "
        f".../runs/{run_id}/submit_tool_outputs (the SDK's runs.submit_tool_outputs), and stop "
        f"polling at any of: {_stop_list()}"
    )
    return violation, error
