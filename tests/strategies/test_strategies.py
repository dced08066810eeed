"""The public strategies: objects validate, lifecycles are legal, misuse fails early."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from harness import lifecycle, schemas
from harness.errors import ConfigError
from harness.scenario.model import MessageSpec, RunScript, Scenario, StepSpec
from harness.strategies import (
    SCENARIO_ASSISTANT_ID,
    StrategyError,
    ids,
    lifecycles,
    messages,
    metadata,
    polled_statuses,
    run_objects,
    run_scripts,
    run_steps,
    scenarios,
    step_specs,
)

FAST = settings(max_examples=60, deadline=None)


@FAST
@given(run_objects())
def test_run_objects_validate_and_fit_their_status(run: dict[str, Any]) -> None:
    schemas.validate("run", run)
    status = run["status"]
    terminal = lifecycle.is_terminal(status)
    assert (run["expires_at"] is None) == terminal
    assert (run["usage"] is not None) == terminal
    assert (run["required_action"] is not None) == (status == "requires_action")
    assert (run["last_error"] is not None) == (status == "failed")
    for other, stamp in lifecycle.TIMESTAMP_FIELD.items():
        if stamp != "started_at":
            assert (run[stamp] is not None) == (status == other)


@FAST
@given(run_objects("requires_action", function_names=["f"]))
def test_requires_action_calls_a_tool_of_the_run(run: dict[str, Any]) -> None:
    calls = run["required_action"]["submit_tool_outputs"]["tool_calls"]
    assert calls
    assert {call["function"]["name"] for call in calls} == {"f"}
    assert all(call["id"].startswith("call_") and len(call["id"]) == 29 for call in calls)


@FAST
@given(messages())
def test_messages_validate(message: dict[str, Any]) -> None:
    schemas.validate("message", message)
    assert (message["run_id"] is None) == (message["role"] == "user")


@FAST
@given(run_steps())
def test_run_steps_validate(step: dict[str, Any]) -> None:
    schemas.validate("run_step", step)
    assert (step["usage"] is None) == (step["status"] == "in_progress")


@FAST
@given(metadata(), ids("thread"))
def test_metadata_and_ids_are_accepted_shapes(pairs: dict[str, str], thread_id: str) -> None:
    schemas.validate(
        "thread",
        {
            "id": thread_id,
            "object": "thread",
            "created_at": 1,
            "metadata": pairs,
            "tool_resources": {},
        },
    )


def _legal(statuses: list[str]) -> None:
    assert statuses[0] == "queued"
    assert lifecycle.is_terminal(statuses[-1])
    assert lifecycle.check_sequence(statuses, sampled=False) == []
    for before, after in itertools.pairwise(statuses):
        if before == "requires_action":
            assert after == "queued"


@FAST
@given(lifecycles())
def test_lifecycles_are_legal(statuses: list[str]) -> None:
    _legal(statuses)
    assert 2 <= len(statuses) <= 10


@FAST
@given(lifecycles(min_length=6, max_length=7, ends_in={"cancelled", "expired"}))
def test_lifecycles_honour_length_and_end(statuses: list[str]) -> None:
    _legal(statuses)
    assert 6 <= len(statuses) <= 7
    assert statuses[-1] in {"cancelled", "expired"}


def test_lifecycles_reach_every_transition() -> None:
    seen: set[tuple[str, str]] = set()

    @settings(max_examples=300, deadline=None)
    @given(lifecycles(max_length=12))
    def collect(statuses: list[str]) -> None:
        seen.update(itertools.pairwise(statuses))

    collect()
    expected = {
        (before, after)
        for before, afters in lifecycle.TRANSITIONS.items()
        for after in afters
        if before != "requires_action" or after == "queued"
    }
    assert expected - seen == set()


@FAST
@given(run_scripts(max_polls=2))
def test_run_scripts_are_normalised(script: RunScript) -> None:
    statuses = [step.status for step in script.steps]
    _legal(statuses)
    for step in script.steps:
        assert bool(step.tool_calls) == (step.status == "requires_action")
        assert step.last_error is None or step.status == "failed"
        assert (step.incomplete_reason is not None) == (step.status == "incomplete")
        assert not step.activity or step.status in {"in_progress", "completed", "incomplete"}
        assert step.polls is None or 1 <= step.polls <= 2
    shown = polled_statuses(script)
    assert shown[0] == "queued"
    assert shown[-1] == statuses[-1]


@FAST
@given(step_specs("failed"))
def test_step_specs_for_one_status(step: StepSpec) -> None:
    assert step.status == "failed"
    assert step.tool_calls == ()


@FAST
@given(scenarios(max_runs=2))
def test_scenarios_seed_an_assistant_with_the_functions(scenario: Scenario) -> None:
    (assistant,) = scenario.assistants
    assert assistant.id == SCENARIO_ASSISTANT_ID
    names = {tool["function"]["name"] for tool in assistant.tools}
    for script in scenario.runs:
        for step in script.steps:
            # A call names a seeded function or is bound to the run's declared ones (None).
            assert {call.name for call in step.tool_calls} <= {*names, None}
    assert 1 <= len(scenario.runs) <= 2


def test_polled_statuses_counts_polls_and_stops() -> None:
    script = RunScript(
        (
            StepSpec("queued", polls=2),
            StepSpec("in_progress", polls=3),
            StepSpec("requires_action", polls=4),
            StepSpec("queued"),
            StepSpec("completed", polls=5, activity=(MessageSpec("hi"),)),
        )
    )
    assert polled_statuses(script) == [
        "queued",
        "queued",
        "in_progress",
        "in_progress",
        "in_progress",
        "requires_action",
        "queued",
        "completed",
    ]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: lifecycles(max_length=1), r"max_length=1.*at least 2 statuses.*max_length >= 2"),
        (lambda: lifecycles(min_length=5, max_length=3), r"min_length is above max_length"),
        (lambda: lifecycles(ends_in={"in_progress"}), r"\['in_progress'\] is not one; choose"),
        (
            lambda: lifecycles(max_length=2, ends_in={"cancelled"}),
            r"no legal lifecycle has that length; the shortest that ends in cancelled has 3",
        ),
        (lambda: step_specs("complete"), r"'complete'.*not one of queued"),
        (lambda: step_specs(max_polls=0), r"shown at least once"),
        (lambda: run_objects(function_names=[]), r"function_names is empty"),
        (lambda: run_scripts(function_names=["no spaces"]), r"'no spaces' is not a function name"),
        (lambda: scenarios(max_runs=0), r"at least 1 run"),
        (lambda: metadata(17), r"0\.\.16 pairs"),
        (lambda: ids("run_"), r"lower-case letters"),
        (lambda: messages("system"), r"'system'.*not one of user, assistant"),
    ],
)
def test_misuse_fails_when_the_strategy_is_made(make: Any, message: str) -> None:
    with pytest.raises(StrategyError, match=message) as caught:
        make()
    assert isinstance(caught.value, ConfigError)
    assert isinstance(caught.value, InvalidArgument)


def test_strategies_compose_with_hypothesis() -> None:
    @settings(max_examples=10, deadline=None)
    @given(st.data())
    def draw_mixed(data: st.DataObject) -> None:
        run = data.draw(run_objects(status=["completed", "failed"]))
        assert run["status"] in {"completed", "failed"}

    draw_mixed()


@given(lifecycles(max_tool_rounds=2))
def test_tool_rounds_stay_within_the_bound(statuses: list[str]) -> None:
    assert statuses.count("requires_action") <= 2
    assert not lifecycle.check_sequence(statuses, sampled=False)


def test_bounded_tool_rounds_reach_the_bound_and_none() -> None:
    from hypothesis import find

    two = find(lifecycles(max_tool_rounds=2), lambda s: s.count("requires_action") == 2)
    assert two.count("queued") == 3
    none = find(lifecycles(max_tool_rounds=0), lambda s: True)
    assert "requires_action" not in none


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # shared CI cores
@given(scenarios(max_runs=1, function_names=None, seed_assistant=False, max_tool_rounds=2))
def test_declared_tool_calls_use_the_clients_own_tools(scenario: Scenario) -> None:
    assert scenario.assistants == ()
    for step in scenario.runs[0].steps:
        assert all(call.name is None and call.arguments is None for call in step.tool_calls)
