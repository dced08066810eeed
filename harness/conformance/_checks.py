"""Declared checks and the bookkeeping of one check while its probe runs.

A probe declares its checks up front (so the battery has a fixed size) and runs each inside
``with ctx.check(id) as check:``. Inside, :meth:`Check.expect` records a problem and carries on;
raising :class:`CheckFailed` (``check.fail``) records it and stops the probe, whose remaining
checks are then reported as not run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import NoReturn

import httpx2
import openai

from harness.conformance._report import CheckResult, merge_messages

__all__ = ["Check", "CheckFailed", "CheckSpec", "ProbeStopped", "Recorder"]


@dataclass(frozen=True)
class CheckSpec:
    """One check of the battery: a stable id, its area and what it verifies."""

    id: str
    area: str
    title: str


class CheckFailed(Exception):
    """A check cannot go on; the message names what broke."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ProbeStopped(Exception):
    """A probe cannot go on because ``check_id`` failed (or a fixture it needs did)."""

    def __init__(self, check_id: str, reason: str) -> None:
        super().__init__(reason)
        self.check_id = check_id
        self.reason = reason


@dataclass
class Check:
    """A check being run: the problems and notes gathered so far."""

    spec: CheckSpec
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.spec.id

    def expect(self, condition: bool, message: str) -> bool:
        """Record ``message`` as a problem unless ``condition`` holds; go on either way."""
        if not condition:
            self.problems.append(message)
        return condition

    def fail(self, message: str) -> NoReturn:
        """Record ``message`` and stop the probe."""
        raise CheckFailed(message)

    def note(self, message: str) -> None:
        """Something worth reporting that is not a failure (e.g. a tolerated race)."""
        self.notes.append(message)


@dataclass
class Recorder:
    """Collects the results of the checks of one battery, in order."""

    specs: dict[str, CheckSpec]
    emit: Callable[[CheckResult], None]
    wanted: set[str] | None = None
    """Ids to report; the others still run (later checks may need them) but stay silent."""
    skipped: frozenset[str] = frozenset()
    """Ids of checks whose rule the wire does not have: run for what they make, never judged."""
    results: dict[str, CheckResult] = field(default_factory=dict)
    current: Check | None = None

    @contextmanager
    def check(self, check_id: str) -> Iterator[Check]:
        """Run one declared check; see the module docstring."""
        spec = self.specs.get(check_id)
        if spec is None:
            raise KeyError(f"check {check_id!r} is not declared by any probe")
        if check_id in self.results:
            raise KeyError(f"check {check_id!r} ran twice")
        check = Check(spec)
        started = time.perf_counter()
        self.current = check
        stopped: str | None = None
        try:
            yield check
        except CheckFailed as failure:
            check.problems.append(failure.message)
            stopped = failure.message
        except ProbeStopped as blocked:
            check.problems.append(f"not run: {blocked.reason}")
            stopped = blocked.reason
        except (openai.APIConnectionError, httpx2.HTTPError) as error:
            check.problems.append(f"no answer from the server: {type(error).__name__}: {error}")
            stopped = check.problems[-1]
        except Exception as error:
            check.problems.append(f"unexpected {type(error).__name__}: {error}")
            stopped = check.problems[-1]
        finally:
            self.current = None
        self.finish(check, time.perf_counter() - started)
        if stopped is not None and check_id not in self.skipped:
            raise ProbeStopped(check_id, f"{check_id} failed")

    def finish(self, check: Check, seconds: float = 0.0) -> None:
        if check.spec.id in self.skipped:
            return
        if self.wanted is not None and check.spec.id not in self.wanted:
            return
        passed = not check.problems
        message = merge_messages(check.problems) if check.problems else "; ".join(check.notes)
        result = CheckResult(
            check.spec.id, check.spec.area, check.spec.title, passed, message, seconds
        )
        self.results[check.spec.id] = result
        self.emit(result)

    def not_run(self, check_ids: list[str], reason: str) -> None:
        """Report each of ``check_ids`` that has no result yet as failed with ``reason``."""
        for check_id in check_ids:
            if check_id not in self.results and (self.wanted is None or check_id in self.wanted):
                check = Check(self.specs[check_id], problems=[f"not run: {reason}"])
                self.finish(check)
