"""The battery: every probe, in the order it runs."""

from __future__ import annotations

from harness.conformance._checks import CheckSpec
from harness.conformance._context import Probe
from harness.conformance._crud import ASSISTANTS, MESSAGES, THREADS
from harness.conformance._files import FILES, VECTOR_STORES
from harness.conformance._final import FINAL
from harness.conformance._lists import ERRORS, PAGINATION
from harness.conformance._runs import CANCELLATION, LOCKING, RUNS, TOOLS
from harness.conformance._streaming import STREAMING

__all__ = ["CHECKS", "PROBES"]

PROBES: tuple[Probe, ...] = (
    ASSISTANTS,
    THREADS,
    MESSAGES,
    RUNS,
    PAGINATION,
    ERRORS,
    LOCKING,
    TOOLS,
    CANCELLATION,
    STREAMING,
    FILES,
    VECTOR_STORES,
    FINAL,
)
"""The schema checks come last: they judge every payload the others saw."""

CHECKS: tuple[CheckSpec, ...] = tuple(spec for probe in PROBES for spec in probe.checks)
"""Every check of the battery, in report order."""
