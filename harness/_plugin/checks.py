"""What fails a test at teardown: contract violations, scenario parts it never used or left
half-way, and runs no script planned for."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from harness._plugin.settings import MarkerOptions
from harness.core.journal import Violation, format_timeline
from harness.core.polling import missing_outputs
from harness.lifecycle import TERMINAL_STATUSES
from harness.scenario.model import FaultSpec, IngestionSpec, RunScript, Scenario

if TYPE_CHECKING:
    from harness.core import AssistantsAPI

__all__ = ["teardown_problems", "violation_lines"]


def violation_lines(violations: Sequence[Violation]) -> list[str]:
    """``[rule] METHOD /path: message``, one per violation."""
    return [f"  {violation}" for violation in violations]


def teardown_problems(
    api: AssistantsAPI, options: MarkerOptions, *, report_unused: bool, test: str
) -> str | None:
    """The failure message for a test that passed its body, or ``None`` when all is well."""
    parts: list[str] = []
    violations = list(api.state.journal.violations)
    if not options.allow_violations:
        expected = set(options.expect_violations)
        unexpected = [v for v in violations if v.rule not in expected]
        if unexpected:
            count = len(unexpected)
            parts.append(
                f"harness: {count} contract violation{'s' * (count != 1)} in {test}:\n"
                + "\n".join(violation_lines(unexpected))
                + "\n  (expected? mark the test harness_scenario(..., expect_violations=["
                + ", ".join(repr(rule) for rule in sorted({v.rule for v in unexpected}))
                + "]) or call harness_server.journal.clear())"
            )
        missing = sorted(expected - {v.rule for v in violations})
        if missing:
            parts.append(
                f"harness: {test} expected violations of {', '.join(missing)}, but the client "
                "kept that part of the contract"
            )
    if report_unused:
        unused = _unused_lines(api)
        if unused:
            scenario = api.scenario
            where = f"{scenario.name!r} ({scenario.source})" if scenario else "the scenario"
            parts.append(
                f"harness: {test} did not play the scenario {where} as written; a script the "
                "client never reached or left half-way, or work no script planned for, is a test "
                "that proves less than it claims:\n"
                + "\n".join(unused)
                + "\n  (intended? harness_scenario(..., allow_unused=True), "
                "--harness-no-unused-check, or harness_report_unused = false)"
            )
    return "\n".join(parts) or None


def _unused_lines(api: AssistantsAPI) -> list[str]:
    scenario = api.scenario
    if scenario is None:
        return []
    lines = [
        f"  {_script_label(scenario, script)}: no run the client created used it"
        for script in api.state.scripts.unused()
    ]
    lines.extend(_half_way_lines(api, scenario))
    lines.extend(
        f"  {run_id}: no script: it {why}, so it played the default story (script it, or give "
        "the scenario a default_run)"
        for run_id, why in api.state.scripts.unscripted
    )
    lines.extend(f"  {_fault_label(scenario, fault)}: never fired" for fault in api.faults.unused())
    lines.extend(
        f"  {_ingestion_label(spec)}: no object the client made matched it"
        for spec in api.state.ingestion.unused()
    )
    return lines


def _ingestion_label(spec: IngestionSpec) -> str:
    section = {"file": "files", "file_batch": "file_batches"}.get(spec.target, "vector_stores")
    where = f" (line {spec.line})" if spec.line is not None else ""
    match = f"; matching {spec.match!r}" if spec.match is not None else ""
    return f"ingestion.{section}{where} [{spec.status} after {spec.polls} poll(s){match}]"


def _half_way_lines(api: AssistantsAPI, scenario: Scenario) -> list[str]:
    """Scripted runs the client left before they ended."""
    scripts = {id(script) for script in scenario.runs}
    lines = []
    for record in api.state.store.runs.values():
        if id(record.script) not in scripts or record.status in TERMINAL_STATUSES:
            continue
        if record.status == "requires_action" and record.pending_calls:
            left = f"tool outputs for {missing_outputs(record.pending_calls)} never submitted"
        else:
            shown = api.state.journal.timeline(record.id) or record.status
            left = f"never polled to its end (shown: {shown})"
        lines.append(
            f"  {_script_label(scenario, record.script)}: {record.id} left half-way at "
            f"'{record.status}': {left}"
        )
    return lines


def _script_label(scenario: Scenario, script: RunScript) -> str:
    index = next((i for i, s in enumerate(scenario.runs) if s is script), None)
    label = f"runs[{index}]" if index is not None else "run"
    if script.name:
        label += f" {script.name!r}"
    line = next((step.line for step in script.steps if step.line is not None), None)
    if line is not None:
        label += f" (line {line})"
    statuses = format_timeline([step.status for step in script.steps])
    match = script.match
    criteria = [
        f"{key}={value!r}"
        for key, value in (
            ("assistant_id", match.assistant_id),
            ("thread_id", match.thread_id),
            ("content", match.content),
        )
        if value is not None
    ] + [f"metadata.{key}={value!r}" for key, value in match.metadata.items()]
    if criteria:
        statuses += f"; matching {', '.join(criteria)}"
    return f"{label} [{statuses}]"


def _fault_label(scenario: Scenario, fault: FaultSpec) -> str:
    index = next((i for i, f in enumerate(scenario.faults) if f is fault), None)
    label = f"faults[{index}]" if index is not None else "fault"
    when = (
        f"request #{', #'.join(str(n) for n in fault.nth)}"
        if fault.nth
        else f"first {fault.times} request{'s' * (fault.times != 1)}"
    )
    effect = (
        "reset"
        if fault.reset
        else f"HTTP {fault.status}"
        if fault.status is not None
        else f"delay {fault.delay_ms} ms"
        if fault.cut_stream_after is None
        else f"cut stream after {fault.cut_stream_after} events"
    )
    return f"{label} [{fault.method} {fault.path}, {when} → {effect}]"
