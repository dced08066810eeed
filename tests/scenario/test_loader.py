"""The scenario loader: valid documents become models; broken ones fail with a location."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.cli import main
from harness.errors import ScenarioError
from harness.scenario import (
    builtin_names,
    load_scenario,
    parse_scenario,
    scenario_errors,
)


def _doc(text: str) -> str:
    return textwrap.dedent(text).lstrip()


def _error(text: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(_doc(text), source="specs/x.yaml")
    return caught.value


def test_a_full_document_becomes_the_model() -> None:
    scenario = parse_scenario(
        _doc(
            """
            name: weather
            description: one round
            assistants:
              - {id: asst_weather, model: gpt-4o, tools: [{type: function, function: {name: f}}]}
            threads:
              - id: thread_seeded
                messages: [{role: user, content: hi}]
            runs:
              - match: {assistant_id: asst_weather, content: 'weather'}
                steps:
                  - status: in_progress
                    polls: 2
                  - status: requires_action
                    tool_calls: [{name: get_weather, arguments: {city: Paris}, id: call_fixed}]
                    expect_outputs: [{tool: get_weather, output_schema: {type: object}}]
                    expires_after_s: 600
                  - in_progress
                  - status: completed
                    messages: [{text: "It is 18", chunks: ["It ", "is 18"]}]
                    usage: {prompt_tokens: 120, completion_tokens: 20}
                on_cancel: [cancelling, {status: completed, message: raced}]
            faults:
              - {match: {method: GET, path: '/v1/threads/*/runs/*'}, nth: [2, 3], respond: {status: 429}}
            contract: {max_polls_after_terminal: 2}
            """
        )
    )
    run = scenario.runs[0]
    # Implicit statuses are made explicit: a run starts queued; outputs send it back to queued.
    assert [s.status for s in run.steps] == [
        "queued",
        "in_progress",
        "requires_action",
        "queued",
        "in_progress",
        "completed",
    ]
    assert run.steps[1].polls == 2
    call = run.steps[2].tool_calls[0]
    assert (call.name, call.arguments, call.id) == ("get_weather", '{"city":"Paris"}', "call_fixed")
    assert run.steps[-1].activity[0].chunks  # type: ignore[union-attr] == ("It ", "is 18")
    assert run.on_cancel[1].activity[0].text  # type: ignore[union-attr] == "raced"
    assert run.match.content == "weather"
    assert scenario.faults[0].nth == (2, 3)
    assert scenario.contract.max_polls_after_terminal == 2
    assert scenario.threads[0].messages[0].content == "hi"


def test_declared_tool_calls_leave_name_and_arguments_to_the_run() -> None:
    scenario = parse_scenario(
        _doc(
            """
            name: declared
            runs:
              - steps:
                  - in_progress
                  - status: requires_action
                    tool_calls:
                      - declared
                      - {}
                      - {name: lookup_order}
                      - {arguments: {order_id: ord_0001}, id: call_pinned}
                  - in_progress
                  - completed
            """
        )
    )
    calls = scenario.runs[0].steps[2].tool_calls
    assert [(c.name, c.arguments, c.id) for c in calls] == [
        (None, None, None),
        (None, None, None),
        ("lookup_order", None, None),
        (None, '{"order_id":"ord_0001"}', "call_pinned"),
    ]
    assert [c.declared for c in calls] == [True, True, False, True]


def test_a_tool_call_string_other_than_declared_is_located() -> None:
    error = _error(
        """
        name: typo
        runs:
          - steps:
              - in_progress
              - status: requires_action
                tool_calls: [declard]
              - completed
        """
    )
    assert error.line == 6
    assert "tool_calls[0]" in error.field
    assert "'declared' was expected" in error.detail


def test_the_error_names_file_line_column_field_and_expectation() -> None:
    error = _error(
        """
        name: x
        runs:
          - steps:
              - queued
              - status: complete
        """
    )
    assert str(error).startswith(
        "specs/x.yaml:5:17: runs[0].steps[1].status: 'complete' is not one of"
    )
    assert (error.line, error.column, error.field) == (5, 17, "runs[0].steps[1].status")


@pytest.mark.parametrize(
    ("text", "line", "field", "words"),
    [
        ("name: x\nrun: []\n", 2, "run", "unknown field 'run'"),
        (
            "name: x\nruns:\n  - steps: [queued, in_progress, completed, in_progress]\n",
            3,
            "runs[0].steps[3]",
            "illegal transition completed › in_progress",
        ),
        (
            "name: x\nruns:\n  - steps: [queued, in_progress]\n",
            3,
            "runs[0].steps[1]",
            "must end in a terminal status",
        ),
        (
            "name: x\nruns:\n  - steps:\n      - {status: requires_action}\n",
            4,
            "runs[0].steps[0]",
            "needs tool_calls",
        ),
        (
            "name: x\nruns:\n  - steps:\n      - {status: completed, polls: 1, after_ms: 5}\n",
            4,
            "runs[0].steps[0]",
            "either 'polls' or 'after_ms'",
        ),
        (
            "name: x\nruns:\n  - steps:\n      - {status: failed, incomplete_details: {reason: max_prompt_tokens}}\n",
            4,
            "runs[0].steps[0].incomplete_details",
            "only a incomplete step",
        ),
        (
            "name: x\nruns:\n  - match: {content: '('}\n    steps: [in_progress, completed]\n",
            3,
            "runs[0].match.content",
            "invalid regular expression",
        ),
        (
            "name: x\nruns:\n  - steps: [in_progress, completed]\n    on_cancel: [cancelled]\n",
            4,
            "runs[0].on_cancel[0]",
            "starts with 'cancelling'",
        ),
        ("name: x\nname: y\n", 2, "name", "duplicate key 'name'"),
        ("name: [unclosed\n", 2, "", "invalid YAML"),
        ("name: x\nfaults:\n  - {match: {path: /v1/x}}\n", 3, "faults[0]", "needs an effect"),
        ("name: x\nassistants: [{id: wrong}]\n", 2, "assistants[0].id", "does not match '^asst_'"),
    ],
)
def test_located_errors(text: str, line: int, field: str, words: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, source="s.yaml")
    error = caught.value
    assert words in str(error)
    assert error.line == line
    assert error.field == field
    assert str(error).startswith(f"s.yaml:{line}:")


def test_illegal_transitions_are_allowed_when_marked() -> None:
    scenario = parse_scenario(
        "name: x\nruns:\n  - steps: [in_progress, completed, {status: in_progress, illegal: true}, failed]\n"
    )
    assert [s.status for s in scenario.runs[0].steps] == [
        "queued",
        "in_progress",
        "completed",
        "in_progress",
        "failed",
    ]


def test_every_error_of_a_document_is_listed() -> None:
    errors = scenario_errors(
        "name: 5\nruns:\n  - steps: [finished]\n  - bogus: 1\n", source="f.yaml"
    )
    fields = {e.field for e in errors}
    assert {"name", "runs[0].steps[0]", "runs[1].bogus"} <= fields


def test_builtins_load_and_unknown_builtin_lists_the_known_ones() -> None:
    assert len(builtin_names()) == 18
    with pytest.raises(ScenarioError, match="no built-in scenario 'nope'; known: cancel-races"):
        load_scenario("builtin:nope")


def test_missing_file_is_a_scenario_error(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="cannot read the scenario"):
        load_scenario(tmp_path / "absent.yaml")


def test_cli_validate_lists_every_error_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("name: good\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nruns:\n  - steps: [queued, complete]\n  - steps: []\n")
    assert main(["validate", str(good), str(bad)]) == 1
    captured = capsys.readouterr()
    assert f"{good}: ok" in captured.out
    assert f"{bad}:3:" in captured.err
    assert f"{bad}:4:" in captured.err
    assert main(["validate", str(good), "builtin:completed"]) == 0


def test_cli_scenarios_lists_builtins(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenarios"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 18
    assert all(line.startswith("builtin:") and len(line.split(None, 1)) == 2 for line in lines)


def test_the_project_scenario_folder_is_valid() -> None:
    folder = Path(__file__).parents[2] / "specs" / "scenarios"
    files = sorted(folder.glob("*.yaml"))
    assert files, "specs/scenarios holds example scenarios"
    for path in files:
        load_scenario(path)


# -- fuzzing: malformed documents always get a located error, never a traceback ----------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 700)
    | st.sampled_from(
        ["queued", "completed", "requires_action", "x", "", "asst_a", "call_1", "(", "*"]
    ),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "name",
                    "runs",
                    "steps",
                    "status",
                    "polls",
                    "after_ms",
                    "tool_calls",
                    "message",
                    "faults",
                    "match",
                    "respond",
                    "on_cancel",
                    "contract",
                    "nth",
                    "illegal",
                    "bogus",
                ]
            ),
            inner,
            max_size=5,
        )
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_random_documents_never_crash_the_loader(value: object) -> None:
    text = yaml.safe_dump({"name": "fuzz", "runs": value} if not isinstance(value, dict) else value)
    for error in scenario_errors(text, source="fuzz.yaml"):
        assert isinstance(error, ScenarioError)
        assert str(error).startswith("fuzz.yaml")


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(builtin_names()), st.data())
def test_mutated_builtins_never_crash_the_loader(name: str, data: st.DataObject) -> None:
    original = load_scenario_text(name)
    position = data.draw(st.integers(0, len(original)))
    junk = data.draw(
        st.sampled_from(["", ":", "- ", "\n  ", "{", "]", "'", "status: x", "\t", "&a", "*a"])
    )
    cut = data.draw(st.integers(0, 5))
    text = original[:position] + junk + original[position + cut :]
    for error in scenario_errors(text, source="m.yaml"):
        assert str(error).startswith("m.yaml")


def load_scenario_text(name: str) -> str:
    from importlib import resources

    return resources.files("harness.scenario").joinpath(f"builtins/{name}.yaml").read_text("utf-8")
