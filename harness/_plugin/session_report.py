"""What the session reports at its end: timelines, lifecycle coverage, the HTML page.

Each test's data travels as sections of its teardown report (JSON text), so under
pytest-xdist the controller receives every worker's share with the reports and adds it up.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import pytest

from harness._plugin.report import SECTION, RunTimelines, write_summary
from harness.core.coverage import Coverage, summarise

__all__ = [
    "COUNTEREXAMPLE_SECTION",
    "COVERAGE_SECTION",
    "LANES_SECTION",
    "ReportOptions",
    "SessionReport",
    "add_report_options",
]

COVERAGE_SECTION: Final = "harness coverage"
LANES_SECTION: Final = "harness lanes"
COUNTEREXAMPLE_SECTION: Final = "harness counterexample"
TIMELINE_MODES: Final = ("none", "failed", "all")


def add_report_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("harness")
    group.addoption(
        "--harness-timelines",
        dest="harness_timelines",
        choices=TIMELINE_MODES,
        default="failed",
        help="which tests' run timelines the summary shows: none, failed (default) or all.",
    )
    group.addoption(
        "--harness-coverage",
        dest="harness_coverage",
        action="store_true",
        default=False,
        help="collect lifecycle coverage (statuses, transitions, endings, step types, stream "
        "events, faults, contract rules) and print what was never met.",
    )
    group.addoption(
        "--harness-coverage-json",
        dest="harness_coverage_json",
        metavar="PATH",
        default=None,
        help="write lifecycle coverage (per test and in total) as JSON; implies "
        "--harness-coverage.",
    )
    group.addoption(
        "--harness-coverage-fail-under",
        dest="harness_coverage_fail_under",
        metavar="PCT",
        type=float,
        default=None,
        help="fail the session when lifecycle coverage is below PCT percent; implies "
        "--harness-coverage.",
    )
    group.addoption(
        "--harness-html",
        dest="harness_html",
        metavar="PATH",
        default=None,
        help="write one self-contained HTML page: every test's run lanes and the coverage.",
    )


@dataclass(frozen=True)
class ReportOptions:
    timelines: str = "failed"
    coverage: bool = False
    coverage_json: Path | None = None
    fail_under: float | None = None
    html: Path | None = None

    @classmethod
    def of(cls, config: pytest.Config) -> ReportOptions:
        base = config.invocation_params.dir

        def path(name: str) -> Path | None:
            value = config.getoption(name, default=None)
            return None if value is None else base / Path(value)

        coverage_json = path("harness_coverage_json")
        fail_under = config.getoption("harness_coverage_fail_under", default=None)
        html = path("harness_html")
        return cls(
            timelines=config.getoption("harness_timelines", default="failed") or "failed",
            coverage=bool(config.getoption("harness_coverage", default=False))
            or coverage_json is not None
            or fail_under is not None
            or html is not None,
            coverage_json=coverage_json,
            fail_under=fail_under,
            html=html,
        )


@dataclass
class _Test:
    nodeid: str
    outcome: str = "passed"
    message: str = ""
    timelines: RunTimelines | None = None
    coverage: dict[str, dict[str, int]] | None = None
    lanes: list[dict[str, Any]] = field(default_factory=list)
    marks: list[list[Any]] = field(default_factory=list)
    counterexample: str | None = None
    replay: str = ""


class SessionReport:
    """Gathers every test's reports (from any xdist worker) and writes the session's end."""

    def __init__(self, config: pytest.Config, options: ReportOptions) -> None:
        self.config = config
        self.options = options
        self.tests: dict[str, _Test] = {}
        self.coverage_failed: str | None = None

    def _test(self, nodeid: str) -> _Test:
        test = self.tests.get(nodeid)
        if test is None:
            test = self.tests[nodeid] = _Test(nodeid)
        return test

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        test = self._test(report.nodeid)
        if report.failed:
            test.outcome = "failed" if report.when == "call" else "error"
            test.message = test.message or str(report.longrepr or "")[-4000:]
        elif report.skipped and test.outcome == "passed":
            test.outcome = "skipped"
        for name, content in report.sections:
            if name == COUNTEREXAMPLE_SECTION:
                test.counterexample = content.strip()
            elif name == "harness fuzz counterexample":
                test.replay = content
        if report.when != "teardown":
            return
        for name, content in report.sections:
            if name == SECTION:
                test.timelines = RunTimelines.from_section(report.nodeid, content)
            elif name == COVERAGE_SECTION:
                test.coverage = json.loads(content)
            elif name == LANES_SECTION:
                data = json.loads(content)
                test.lanes, test.marks = data["lanes"], data["marks"]

    def total_coverage(self) -> Coverage:
        return Coverage.total(
            Coverage.from_json(test.coverage) for test in self.tests.values() if test.coverage
        )

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        options = self.options
        if not options.coverage:
            return
        coverage = self.total_coverage()
        _, percent = summarise(coverage)
        if options.coverage_json is not None:
            self._write_json(options.coverage_json, coverage)
        if options.fail_under is not None and percent < options.fail_under:
            self.coverage_failed = (
                f"FAIL Required lifecycle coverage of {options.fail_under:g}% not reached. "
                f"Total coverage: {percent:.2f}%"
            )
            if session.exitstatus == pytest.ExitCode.OK:
                session.exitstatus = pytest.ExitCode.TESTS_FAILED
        if options.html is not None:
            self._write_html(options.html, coverage)

    def _write_json(self, path: Path, coverage: Coverage) -> None:
        summaries, percent = summarise(coverage)
        document = {
            "total": {
                "percent": round(percent, 2),
                "dimensions": {
                    s.dimension: {
                        "met": list(s.met),
                        "missed": list(s.missed),
                        "extra": list(s.extra),
                        "counts": coverage.counts.get(s.dimension, {}),
                    }
                    for s in summaries
                },
            },
            "tests": {
                nodeid: test.coverage for nodeid, test in self.tests.items() if test.coverage
            },
        }
        _write_text(path, json.dumps(document, indent=2, sort_keys=False) + "\n")

    def _write_html(self, path: Path, coverage: Coverage | None) -> None:
        from harness.report import Lane, LaneMark, TestEntry, render_page

        entries = []
        for test in self.tests.values():
            links: tuple[tuple[str, str], ...] = ()
            if test.counterexample:
                target = Path(test.counterexample)
                links = ((test.counterexample, target.resolve().as_uri()),)
            entries.append(
                TestEntry(
                    test.nodeid,
                    test.outcome,
                    tuple(Lane.from_json(lane) for lane in test.lanes),
                    tuple(LaneMark(int(p), str(k), str(t)) for p, k, t in test.marks),
                    test.message if test.outcome in ("failed", "error") else "",
                    links,
                )
            )
        _write_text(path, render_page("harness test report", entries, coverage=coverage))

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        found = [test for test in self.tests.values() if test.counterexample]
        if found:
            terminalreporter.write_sep("=", "harness fuzz counterexamples")
            for test in found:
                terminalreporter.write_line(test.nodeid)
                for line in test.replay.splitlines():
                    terminalreporter.write_line(f"  {line.strip()}")
        mode = self.options.timelines
        if mode != "none":
            shown = [
                test.timelines
                for test in self.tests.values()
                if test.timelines is not None
                and (mode == "all" or test.outcome in ("failed", "error"))
            ]
            write_summary(terminalreporter, shown, verbose=terminalreporter.verbosity > 0)
        if self.options.coverage:
            from harness.report import coverage_lines

            terminalreporter.write_sep("=", "harness lifecycle coverage")
            for line in coverage_lines(self.total_coverage()):
                terminalreporter.write_line(line)
            if self.options.coverage_json is not None:
                terminalreporter.write_line(
                    f"coverage JSON written to {self.options.coverage_json}"
                )
            if self.coverage_failed:
                terminalreporter.write_line(self.coverage_failed, red=True, bold=True)
        if self.options.html is not None:
            terminalreporter.write_line(f"harness HTML report written to {self.options.html}")


def _write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
