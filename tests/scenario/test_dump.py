"""Scenarios written back as YAML load as the same scenario (the fuzz counterexamples)."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings

from harness.scenario.dump import dump_scenario
from harness.scenario.loader import builtin_scenarios, parse_scenario, scenario_errors
from harness.scenario.model import LastError, RunScript, Scenario, StepSpec
from harness.strategies import scenarios


def _without_locations(scenario: Scenario) -> Scenario:
    def script(run: RunScript) -> RunScript:
        return dataclasses.replace(
            run,
            steps=tuple(_step(step) for step in run.steps),
            on_cancel=tuple(_step(step) for step in run.on_cancel),
        )

    return dataclasses.replace(
        scenario,
        runs=tuple(script(run) for run in scenario.runs),
        default_run=script(scenario.default_run) if scenario.default_run else None,
        source="",
    )


def _step(step: StepSpec) -> StepSpec:
    return dataclasses.replace(step, line=None)


@settings(max_examples=60, deadline=None)
@given(scenarios(max_runs=2, max_faults=2, stream_cuts=True))
def test_generated_scenarios_round_trip(scenario: Scenario) -> None:
    text = dump_scenario(scenario)
    assert scenario_errors(text) == []
    assert _without_locations(parse_scenario(text)) == _without_locations(scenario)


@pytest.mark.parametrize("scenario", builtin_scenarios(), ids=lambda s: s.name)
def test_builtins_round_trip(scenario: Scenario) -> None:
    again = parse_scenario(dump_scenario(scenario))
    assert _without_locations(again) == _without_locations(scenario)


def test_unicode_line_breaks_survive() -> None:
    scenario = parse_scenario("name: x\nruns:\n  - steps: [queued, failed]\n")
    step = dataclasses.replace(
        scenario.runs[0].steps[1], last_error=LastError("server_error", "a\x85b\u2028c")
    )
    changed = dataclasses.replace(
        scenario,
        runs=(dataclasses.replace(scenario.runs[0], steps=(scenario.runs[0].steps[0], step)),),
    )
    again = parse_scenario(dump_scenario(changed))
    assert again.runs[0].steps[1].last_error == LastError("server_error", "a\x85b\u2028c")


def test_defaults_are_left_out_and_the_header_is_a_comment() -> None:
    scenario = parse_scenario("name: x\nruns:\n  - steps: [queued, in_progress, completed]\n")
    text = dump_scenario(scenario, header="found by harness_fuzz\n\nreplay: here")
    assert text == (
        "# found by harness_fuzz\n#\n# replay: here\n"
        "name: x\nruns:\n- steps:\n  - queued\n  - in_progress\n  - completed\n"
    )


@pytest.mark.parametrize("text", ["\x85", "a\u2028b", "end\u2029"])
def test_yaml_line_break_characters_round_trip(text: str) -> None:
    """NEL and the Unicode separators are line breaks to YAML: they must come back as written."""
    failed = StepSpec("failed", last_error=LastError("server_error", text))
    scenario = Scenario(
        "breaks", runs=(RunScript(steps=(StepSpec("queued"), StepSpec("in_progress"), failed)),)
    )
    loaded = parse_scenario(dump_scenario(scenario))
    error = loaded.runs[0].steps[-1].last_error
    assert error is not None
    assert error.message == text
