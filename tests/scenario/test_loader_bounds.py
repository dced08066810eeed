"""The loader is bounded and explains itself: hostile YAML, broken files, every error listed."""

from __future__ import annotations

import textwrap
import tracemalloc
from pathlib import Path

import pytest

from harness.cli import main
from harness.cli.validate import _is_cassette
from harness.errors import ScenarioError
from harness.scenario import load_scenario, parse_scenario, scenario_errors
from harness.scenario._located import MAX_ALIASES, MAX_BYTES, MAX_DEPTH

# The classic "billion laughs" in YAML: 476 bytes, 9**9 strings once expanded.
ALIAS_BOMB = textwrap.dedent(
    """\
    a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
    b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
    c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
    d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
    e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
    f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
    g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
    h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
    i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
    name: bomb
    runs: [{steps: *i}]
    """
)


def _only_error(text: str) -> ScenarioError:
    errors = scenario_errors(text, source="x.yaml")
    assert len(errors) == 1, [str(e) for e in errors]
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, source="x.yaml")
    assert str(caught.value) == str(errors[0])
    return errors[0]


def test_an_alias_bomb_is_refused_within_bounded_memory() -> None:
    assert len(ALIAS_BOMB.encode()) < 500
    tracemalloc.start()
    try:
        error = _only_error(ALIAS_BOMB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "expands to more than 100000 values" in str(error)
    assert error.line is not None
    assert peak < 200 * 1024**2


@pytest.mark.parametrize(
    "text",
    [
        "name: x\nruns: &r [*r]\n",
        "name: x\nruns:\n  - &s {steps: [queued, *s]}\n",
    ],
)
def test_a_self_referencing_alias_is_a_located_error(text: str) -> None:
    error = _only_error(text)
    assert "an alias refers to a value that contains it" in str(error)
    assert error.line in (2, 3)


@pytest.mark.parametrize(
    "text",
    [
        "name: x\nruns: " + "[" * 5000 + "]" * 5000 + "\n",
        "name: x\nruns: " + "{a: " * 5000 + "1" + "}" * 5000 + "\n",
        "name: x\nruns:\n" + "".join("  " * depth + "- \n" for depth in range(1, 400)),
    ],
    ids=["flow-lists", "flow-mappings", "block-lists"],
)
def test_deep_nesting_is_a_located_error(text: str) -> None:
    error = _only_error(text)
    assert f"nested more than {MAX_DEPTH} deep" in str(error)
    assert error.line is not None
    assert error.column is not None


def test_too_many_aliases() -> None:
    text = "name: x\ndescription: &d hi\nthreads:\n" + "".join(
        f"  - {{id: thread_{i}, metadata: {{k: *d}}}}\n" for i in range(MAX_ALIASES + 1)
    )
    assert f"more than {MAX_ALIASES} aliases" in str(_only_error(text))


def test_an_oversized_document() -> None:
    text = "name: x\ndescription: '" + "x" * MAX_BYTES + "'\n"
    error = _only_error(text)
    assert "a scenario may have at most" in str(error)
    assert error.line == 1


def test_a_non_utf8_file_is_a_clear_error_for_serve_and_validate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: café\n".encode("latin-1"))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert (caught.value.line, caught.value.column) == (1, 10)
    assert "not UTF-8 text: byte 0xe9" in str(caught.value)
    assert main(["serve", "--scenario", str(path)]) == 1
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.count("not UTF-8 text") == 2
    assert "Traceback" not in err


# -- every error, of every file -----------------------------------------------------------------

BROKEN = textwrap.dedent(
    """\
    name: many
    runs:
      - steps: [queued, in_progress, requires_action]
      - steps: [queued, cancelled]
      - steps:
          - status: requires_action
            tool_calls: [{name: f, arguments: "{not json"}]
      - steps: [queued, in_progress, completed]
        match: {content: "("}
    faults:
      - {match: {path: /x}}
    """
)


def test_validate_lists_every_semantic_error_in_file_order() -> None:
    errors = scenario_errors(BROKEN, source="x.yaml")
    fields = [e.field for e in errors]
    assert fields == [
        "runs[0].steps[2]",
        "runs[1].steps[1]",
        "runs[2].steps[0].tool_calls[0].arguments",
        "runs[3].match.content",
        "faults[0]",
    ]
    assert [e.line for e in errors] == sorted(e.line or 0 for e in errors)


def test_schema_errors_do_not_hide_semantic_errors_elsewhere() -> None:
    text = BROKEN + "contract: {max_polls_after_terminl: 3}\n"
    errors = scenario_errors(text, source="x.yaml")
    assert "contract.max_polls_after_terminl" in [e.field for e in errors]
    assert "runs[1].steps[1]" in [e.field for e in errors]


def test_validate_lists_every_error_of_every_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = tmp_path / "first.yaml"
    first.write_text(BROKEN)
    second = tmp_path / "second.yaml"
    second.write_text("name: two\nruns:\n  - steps: [queued, complete]\n  - steps: [queud]\n")
    good = tmp_path / "good.yaml"
    good.write_text("name: fine\n")
    assert main(["validate", str(first), str(second), str(good)]) == 1
    captured = capsys.readouterr()
    assert captured.err.count(str(first)) == 5
    assert captured.err.count(str(second)) == 2
    assert f"{good}: ok" in captured.out


# -- messages that say what to do --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "hint"),
    [
        ("name: x\nruns:\n\t- steps: [queued]\n", 3, "YAML indents with spaces only"),
        ("name: 'x\nruns: []\n", 3, "an unclosed quote"),
        ("name: x\nruns: [{steps: [queued]}\n", 3, "an unclosed ["),
        ("name: x\ncontract: {require_beta_header: true\n", 3, "an unclosed {"),
        ("name: x\ndescription: a: b\n", 2, "quote a value holding ': '"),
        ("name: x\nruns:\n  - steps: [queued]\n   match: {}\n", 4, "the indentation"),
        ("name: x\nruns: *nowhere\n", 2, "no &name anchor"),
    ],
    ids=["tab", "quote", "bracket", "brace", "colon-in-value", "indentation", "alias"],
)
def test_yaml_syntax_errors_say_what_to_check(text: str, line: int, hint: str) -> None:
    error = _only_error(text)
    assert str(error).startswith(f"x.yaml:{line}:")
    assert "invalid YAML" in str(error)
    assert hint in str(error)


def test_a_missing_space_after_a_colon() -> None:
    assert "put a space after the colon" in str(_only_error("name:x\n"))
    error = _only_error("name: x\nruns:\n  - steps: [queued, status:completed]\n")
    assert "did you mean 'completed'?" in str(error)


@pytest.mark.parametrize(
    ("text", "field", "suggestion"),
    [
        ("name: x\nrunz: []\n", "runz", "did you mean 'runs'?"),
        ("name: x\nruns:\n  - stpes: [queued]\n", "runs[0].stpes", "did you mean 'steps'?"),
        (
            "name: x\nruns:\n  - steps: [{status: completed, mesage: hi}]\n",
            "runs[0].steps[0].mesage",
            "did you mean 'message'?",
        ),
        ("name: x\nruns:\n  - steps: [queued, complete]\n", "runs[0].steps[1]", "'completed'"),
        (
            "name: x\nruns:\n  - steps: [queued, {status: canceled}]\n",
            "runs[0].steps[1].status",
            "'cancelled'",
        ),
    ],
)
def test_did_you_mean(text: str, field: str, suggestion: str) -> None:
    errors = {e.field: str(e) for e in scenario_errors(text, source="x.yaml")}
    assert suggestion in errors[field]


def test_a_bare_requires_action_is_a_located_error() -> None:
    error = _only_error("name: x\nruns:\n  - steps:\n      - queued\n      - requires_action\n")
    assert (error.line, error.field) == (5, "runs[0].steps[1]")
    assert "needs tool_calls" in str(error)


def test_requires_action_with_tool_calls_is_fine() -> None:
    scenario = parse_scenario(
        "name: x\nruns:\n  - steps:\n      - in_progress\n      - status: requires_action\n"
        "        tool_calls: [{name: f, arguments: '{\"a\": 1}'}]\n"
    )
    assert scenario.runs[0].steps[2].tool_calls[0].arguments == '{"a": 1}'


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        ("'{city: Paris}'", "must be JSON"),
        ("'[1, 2]'", "must be a JSON object"),
        ("'5'", "not int"),
    ],
)
def test_tool_call_arguments_given_as_a_string_must_be_a_json_object(
    arguments: str, says: str
) -> None:
    text = (
        "name: x\nruns:\n  - steps:\n      - status: requires_action\n"
        f"        tool_calls: [{{name: f, arguments: {arguments}}}]\n"
    )
    error = _only_error(text)
    assert error.field == "runs[0].steps[0].tool_calls[0].arguments"
    assert error.line == 5
    assert says in str(error)


# -- scenario or cassette: by structure ---------------------------------------------------------


def test_a_scenario_that_talks_about_interactions_is_a_scenario(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "talks.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            name: talks
            description: |
              interactions:
                - like a vcrpy cassette's "interactions" and HAR's "log"
            """
        )
    )
    assert main(["validate", str(path)]) == 0
    assert f"{path}: ok" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("name", "text", "cassette"),
    [
        ("a.yaml", "interactions: []\nversion: 1\n", True),
        ("a.yaml", "version: 1\ninteractions: []\n", True),
        ("a.yaml", "http_interactions: []\nrecorded_with: VCR\n", True),
        ("a.yaml", "name: x\ninteractions: []\n", False),
        ("a.yaml", "description: {interactions: 1}\nname: x\n", False),
        ("a.yaml", "- interactions\n", False),
        ("a.yaml", "a: *unknown\n", False),
        ("a.json", '{"Entries": []}', True),
        ("a.har", '{"log": {"entries": []}}', True),
        ("a.json", '{"name": "x", "description": "interactions"}', False),
    ],
)
def test_files_are_classified_by_their_top_level_keys(name: str, text: str, cassette: bool) -> None:
    assert _is_cassette(text, Path(name)) is cassette
