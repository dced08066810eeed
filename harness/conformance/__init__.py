"""Conformance battery: probe any Assistants-compatible server and score it.

>>> report = run_conformance("http://127.0.0.1:8080/v1")  # doctest: +SKIP
>>> report.score, report.by_area()["runs"].passed  # doctest: +SKIP

Every check has a stable id (``runs.create``, ``locking.message_while_active``, …) and an area;
every payload is validated against :mod:`harness.schemas` and every observed run status
sequence against :mod:`harness.lifecycle`.
"""

from harness.conformance._checks import CheckSpec
from harness.conformance._probes import CHECKS
from harness.conformance._report import AREAS, AreaScore, CheckResult, ConformanceReport
from harness.conformance._runner import run_conformance

__all__ = [
    "AREAS",
    "CHECKS",
    "AreaScore",
    "CheckResult",
    "CheckSpec",
    "ConformanceReport",
    "run_conformance",
]
