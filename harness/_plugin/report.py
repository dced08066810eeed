"""Run timelines: taken at teardown, carried on the test report, printed in the summary.

The timelines travel as a report section, so under pytest-xdist the controller receives them
with each worker's reports and prints one summary.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pytest

from harness.core.journal import Journal

__all__ = ["SECTION", "RunTimelines", "write_summary"]

SECTION = "harness run timelines"
_REQUESTS = "requests:"


@dataclass(frozen=True)
class RunTimelines:
    """The runs and requests of one test."""

    nodeid: str
    runs: tuple[tuple[str, str], ...]
    """(run id, folded timeline) in creation order."""
    requests: tuple[str, ...]
    """``METHOD /path → status``."""

    @classmethod
    def of(
        cls, nodeid: str, journal: Journal, true_statuses: Mapping[str, str] | None = None
    ) -> RunTimelines:
        """The runs of ``journal``; a run whose status in ``true_statuses`` (the server's,
        at teardown) is not the last one the client saw ends ``(then expired, unseen)``."""
        runs = []
        for run_id in list(journal.timelines):
            timeline = journal.timeline(run_id)
            shown = journal.timelines[run_id]
            true = (true_statuses or {}).get(run_id)
            if true is not None and shown and shown[-1] != true:
                timeline += f" (then {true}, unseen)"
            runs.append((run_id, timeline))
        return cls(
            nodeid,
            tuple(runs),
            tuple(f"{r.method} {r.path} → {r.status}" for r in list(journal.requests)),
        )

    def section(self) -> str:
        """The report section text (parsed back by :meth:`from_section`)."""
        lines = [f"{run_id}: {timeline}" for run_id, timeline in self.runs]
        if self.requests:
            lines.append(_REQUESTS)
            lines.extend(f"  {request}" for request in self.requests)
        return "\n".join(lines)

    @classmethod
    def from_section(cls, nodeid: str, text: str) -> RunTimelines:
        runs: list[tuple[str, str]] = []
        requests: list[str] = []
        in_requests = False
        for line in text.splitlines():
            if line == _REQUESTS:
                in_requests = True
            elif in_requests:
                requests.append(line.strip())
            elif ": " in line:
                run_id, _, timeline = line.partition(": ")
                runs.append((run_id, timeline))
        return cls(nodeid, tuple(runs), tuple(requests))


def write_summary(
    reporter: pytest.TerminalReporter, tests: list[RunTimelines], *, verbose: bool
) -> None:
    """The ``harness run timelines`` section: each test that created runs, run by run."""
    shown = [test for test in tests if test.runs]
    if not shown:
        return
    reporter.write_sep("=", SECTION)
    for test in shown:
        reporter.write_line(test.nodeid)
        for run_id, timeline in test.runs:
            reporter.write_line(f"  {run_id}: {timeline}")
        if verbose:
            for request in test.requests:
                reporter.write_line(f"    {request}")
