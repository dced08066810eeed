"""Results of a conformance run: one :class:`CheckResult` per check, and the report over them."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["AREAS", "AreaScore", "CheckResult", "ConformanceReport"]

AREAS: tuple[str, ...] = (
    "assistants",
    "threads",
    "messages",
    "runs",
    "steps",
    "pagination",
    "errors",
    "locking",
    "tools",
    "cancellation",
    "streaming",
    "files",
    "vector_stores",
    "schemas",
)
"""Every area a check belongs to, in report order."""


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check: ``message`` names what broke (or notes a tolerated race)."""

    id: str
    area: str
    title: str
    passed: bool
    message: str = ""
    seconds: float = 0.0

    @property
    def not_run(self) -> bool:
        """The check could not run (something it needs broke first); ``message`` says why."""
        return self.message.startswith("not run:")

    def line(self) -> str:
        """``PASS runs.create`` or ``FAIL runs.create: why``: one line for progress output."""
        verdict = "PASS" if self.passed else "FAIL"
        detail = f": {self.message}" if self.message else ""
        return f"{verdict} {self.id}{detail}"


@dataclass(frozen=True)
class AreaScore:
    """How one area fared."""

    area: str
    passed: int
    total: int

    @property
    def score(self) -> float:
        return 100.0 * self.passed / self.total if self.total else 0.0


@dataclass
class ConformanceReport:
    """Every check of one battery run against ``base_url``."""

    base_url: str
    checks: list[CheckResult] = field(default_factory=list)
    seconds: float = 0.0
    requests: int = 0
    """HTTP requests the battery made (cleanup included)."""
    runs: dict[str, list[tuple[str, list[str]]]] = field(default_factory=dict)
    """Check id → (run id, statuses observed) of the runs first seen during that check."""

    @property
    def passed(self) -> int:
        return sum(1 for check in self.checks if check.passed)

    @property
    def score(self) -> float:
        """Checks passed per hundred checks run (0 when nothing ran)."""
        return 100.0 * self.passed / len(self.checks) if self.checks else 0.0

    @property
    def failures(self) -> list[CheckResult]:
        return [check for check in self.checks if not check.passed]

    @property
    def not_run(self) -> list[CheckResult]:
        """Failed checks that could not run at all (their message says why)."""
        return [check for check in self.checks if not check.passed and check.not_run]

    def get(self, check_id: str) -> CheckResult:
        """The result of one check; ``KeyError`` names the known ids."""
        for check in self.checks:
            if check.id == check_id:
                return check
        raise KeyError(f"no check {check_id!r}; known: {', '.join(c.id for c in self.checks)}")

    def by_area(self) -> dict[str, AreaScore]:
        """Passed and total per area, in :data:`AREAS` order."""
        order = {area: index for index, area in enumerate(AREAS)}
        areas = sorted({c.area for c in self.checks}, key=lambda a: (order.get(a, len(order)), a))
        return {
            area: AreaScore(
                area,
                sum(1 for c in self.checks if c.area == area and c.passed),
                sum(1 for c in self.checks if c.area == area),
            )
            for area in areas
        }

    def summary(self) -> str:
        """The score line and a plain-text table by area, for a terminal."""
        blocked = self.not_run
        lines = [
            f"score {_percent(self.score)} ({self.passed}/{len(self.checks)} checks passed, "
            f"{len(self.failures) - len(blocked)} failed, {len(blocked)} could not run; "
            f"{self.requests} requests, {self.seconds:.2f} s) against {self.base_url}",
            "",
            f"{'area':<14}{'passed':>8}{'checks':>8}{'score':>9}",
        ]
        for row in self.by_area().values():
            lines.append(f"{row.area:<14}{row.passed:>8}{row.total:>8}{_percent(row.score):>9}")
        if blocked:
            lines += ["", "could not run:"]
            lines += [
                f"  {check.id}: {check.message.removeprefix('not run: ')}" for check in blocked
            ]
        return "\n".join(lines)

    def to_markdown(self) -> str:
        """A Markdown report: score, table by area, failures, then every check."""
        lines = [
            f"# Assistants API conformance: `{self.base_url}`",
            "",
            f"**Score: {_percent(self.score)}** ({self.passed} of {len(self.checks)} checks "
            f"passed; {self.requests} requests in {self.seconds:.2f} s)",
            "",
            "| area | passed | checks | score |",
            "|---|---:|---:|---:|",
        ]
        for row in self.by_area().values():
            lines.append(f"| {row.area} | {row.passed} | {row.total} | {_percent(row.score)} |")
        lines.append(
            f"| **total** | **{self.passed}** | **{len(self.checks)}** | "
            f"**{_percent(self.score)}** |"
        )
        failures = self.failures
        if failures:
            lines += ["", "## Failures", ""]
            lines += [f"- `{c.id}` ({c.area}): {_md(c.message)}" for c in failures]
        lines += ["", "## Checks", "", "| check | area | result | note |", "|---|---|---|---|"]
        for check in self.checks:
            verdict = "pass" if check.passed else "**FAIL**"
            lines.append(f"| `{check.id}` | {check.area} | {verdict} | {_md(check.message)} |")
        return "\n".join(lines) + "\n"

    def to_html(self, path: str | Path | None = None) -> str:
        """One self-contained HTML page, drawn like the pytest plugin's: a section per check
        with a lane per run it drove; written to ``path`` when given. Returns the HTML."""
        from harness.report import TestEntry, lane_of, render_page

        entries = [
            TestEntry(
                f"{check.id} ({check.area}): {check.title}",
                "passed" if check.passed else "failed",
                tuple(
                    lane_of(run_id, statuses) for run_id, statuses in self.runs.get(check.id, [])
                ),
                message=check.message,
            )
            for check in self.checks
        ]
        title = f"Assistants API conformance: {self.base_url} — {_percent(self.score)}"
        text = render_page(title, entries)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    def to_junit(self, path: str | Path | None = None) -> str:
        """JUnit XML, one ``testsuite`` per area and one ``testcase`` per check; written to
        ``path`` when given. Returns the XML text."""
        root = ET.Element(
            "testsuites",
            name="harness conformance",
            tests=str(len(self.checks)),
            failures=str(len(self.failures)),
            errors="0",
            time=f"{self.seconds:.3f}",
        )
        for area, row in self.by_area().items():
            members = [c for c in self.checks if c.area == area]
            suite = ET.SubElement(
                root,
                "testsuite",
                name=area,
                tests=str(row.total),
                failures=str(row.total - row.passed),
                errors="0",
                skipped="0",
                time=f"{sum(c.seconds for c in members):.3f}",
            )
            properties = ET.SubElement(suite, "properties")
            ET.SubElement(properties, "property", name="base_url", value=self.base_url)
            for check in members:
                case = ET.SubElement(
                    suite,
                    "testcase",
                    classname=f"conformance.{area}",
                    name=check.id,
                    time=f"{check.seconds:.3f}",
                )
                if not check.passed:
                    failure = ET.SubElement(
                        case, "failure", message=check.message.split("\n")[0][:500]
                    )
                    failure.set("type", "ConformanceFailure")
                    failure.text = f"{check.title}\n{check.message}"
                elif check.message:
                    ET.SubElement(case, "system-out").text = check.message
        ET.indent(root)
        text = ET.tostring(root, encoding="unicode", xml_declaration=True)
        if path is not None:
            Path(path).write_text(text + "\n", encoding="utf-8")
        return text


def _percent(value: float) -> str:
    return f"{value:.0f} %" if value in (0.0, 100.0) else f"{value:.1f} %"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def merge_messages(parts: Sequence[str], limit: int = 4) -> str:
    """Join problem messages with ``; ``, keeping the first ``limit`` and counting the rest."""
    unique = list(dict.fromkeys(parts))
    shown = "; ".join(unique[:limit])
    if len(unique) > limit:
        shown += f" (and {len(unique) - limit} more)"
    return shown
