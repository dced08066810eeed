"""``@pytest.mark.harness_fuzz``: a planted bug is found, shrunk, written and replayed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from harness.cli import main as harness_main
from harness.scenario.loader import load_scenario
from tests.browser import parse, rendered_dom

Run = Callable[..., pytest.RunResult]

CLIENT = '''
TERMINAL = {"completed", "failed", "cancelled", "expired", "incomplete"}
TOOL = {"type": "function", "function": {"name": "get_weather"}}


def ask(client, *, rounds_answered=None):
    """Drive one run to its end, answering tool calls; with ``rounds_answered`` the planted
    bug: it answers only that many tool-call rounds and then returns the run as it is."""
    assistant = client.beta.assistants.create(model="gpt-4o", tools=[TOOL])
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Weather?"}])
    run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    answered = 0
    while run.status not in TERMINAL:
        if run.status == "requires_action":
            if rounds_answered is not None and answered >= rounds_answered:
                return run
            answered += 1
            calls = run.required_action.submit_tool_outputs.tool_calls
            run = client.beta.threads.runs.submit_tool_outputs(
                run_id=run.id,
                thread_id=thread.id,
                tool_outputs=[{"tool_call_id": c.id, "output": "18"} for c in calls],
            )
            continue
        run = client.beta.threads.runs.retrieve(run.id, thread_id=thread.id)
    return run
'''

FUZZED = """
import pytest
from client import TERMINAL, ask

ROUNDS = {rounds}


@pytest.mark.harness_fuzz(max_examples=30)
def test_every_lifecycle_ends(harness_client):
    run = ask(harness_client, rounds_answered=ROUNDS)
    assert run.status in TERMINAL
"""

REPLAY = """
import pytest
from client import TERMINAL, ask

ROUNDS = {rounds}


@pytest.mark.harness_scenario("{path}")
def test_replay(harness_client):
    run = ask(harness_client, rounds_answered=ROUNDS)
    assert run.status in TERMINAL
"""


def test_a_planted_bug_is_found_shrunk_written_and_replayed(
    project: pytest.Pytester, run: Run
) -> None:
    project.makepyfile(client=CLIENT, test_fuzzed=FUZZED.format(rounds=1))
    result = run("--harness-timelines=none", "--harness-html=page.html")
    result.assert_outcomes(failed=1)
    written = project.path / "specs" / "regressions" / "test_fuzzed__test_every_lifecycle_ends.yaml"
    replay_line = (
        '@pytest.mark.harness_scenario("specs/regressions/'
        'test_fuzzed__test_every_lifecycle_ends.yaml")'
    )
    result.stdout.fnmatch_lines(
        [
            "*assert 'requires_action' in *",
            "*harness_fuzz: the smallest failing lifecycle is written to " + str(written),
            "*replay it with: " + replay_line,
            "*= harness fuzz counterexamples =*",
            "test_fuzzed.py::test_every_lifecycle_ends",
        ]
    )
    text = written.read_text(encoding="utf-8")
    assert text.startswith("# Found by harness_fuzz. Replay it with:\n")
    assert len(text.splitlines()) <= 30, text  # small: shrunk to the essentials
    scenario = load_scenario(written)
    (script,) = scenario.runs
    statuses = [step.status for step in script.steps]
    assert statuses.count("requires_action") == 2, statuses  # the bug needs a second round
    assert len(statuses) == 8, statuses  # the shortest such lifecycle
    assert not scenario.faults
    assert harness_main(["validate", str(written)]) == 0
    # The page links the failure to its counterexample, next to the shrunk run's lane.
    dom = parse(rendered_dom(project.path / "page.html"))
    links = [a.attrs["href"] for a in dom.by_class("counterexample")]
    assert links == [written.resolve().as_uri()]
    assert len(dom.by_class("lane")) == 1  # the shrunk example, replayed last
    assert [m.attrs["title"] for m in dom.by_class("mark-tool_calls")] == [
        "tool_calls: get_weather",
        "tool_calls: get_weather",
    ]

    # Replaying the file fails the same way; the fixed client passes on it.
    project.makepyfile(test_replay=REPLAY.format(rounds=1, path=written.relative_to(project.path)))
    replay = run("test_replay.py")
    replay.assert_outcomes(failed=1)
    replay.stdout.fnmatch_lines(["*assert 'requires_action' in *"])
    project.makepyfile(test_replay=REPLAY.format(rounds=None, path=written))
    run("test_replay.py").assert_outcomes(passed=1)


def test_the_fixed_client_passes(project: pytest.Pytester, run: Run) -> None:
    project.makepyfile(client=CLIENT, test_fuzzed=FUZZED.format(rounds=None))
    passed = run("--harness-coverage-json=coverage.json", "--harness-fuzz-dir=elsewhere")
    passed.assert_outcomes(passed=1)
    assert not (project.path / "elsewhere").exists()
    # The examples met tool rounds and several endings: coverage counts every example.
    document = json.loads((project.path / "coverage.json").read_text())
    (counts,) = document["tests"].values()
    assert counts["transitions"]["requires_action › queued"] >= 2
    assert len(counts["endings"]) >= 3


@pytest.mark.timeout(300)  # two pytest sessions with shrinking: slow on a loaded machine
def test_the_same_seed_finds_the_same_counterexample_serially_and_under_xdist(
    project: pytest.Pytester, run: Run, tmp_path: Path
) -> None:
    project.makepyfile(client=CLIENT, test_fuzzed=FUZZED.format(rounds=1))
    name = "test_fuzzed__test_every_lifecycle_ends.yaml"
    run("--harness-seed=7", f"--harness-fuzz-dir={tmp_path / 'serial'}").assert_outcomes(failed=1)
    result = project.runpytest_subprocess(
        "-n",
        "1",
        "-p",
        "no:cacheprovider",
        "--harness-seed=7",
        f"--harness-fuzz-dir={tmp_path}/xdist",
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*= harness fuzz counterexamples =*", "test_fuzzed.py::test_every_lifecycle_ends"]
    )
    serial = (tmp_path / "serial" / name).read_text().replace("/serial/", "/DIR/")
    xdist = (tmp_path / "xdist" / name).read_text().replace("/xdist/", "/DIR/")
    assert serial == xdist
    assert load_scenario(tmp_path / "xdist" / name).runs


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        ("harness_fuzz(max_examples=100000)", "max_examples must be in 1..500"),
        ("harness_fuzz(colour=1)", "unknown keyword argument 'colour'"),
        ("harness_fuzz(ends_in=['done'])", "a lifecycle ends in a terminal status"),
    ],
)
def test_bad_markers_say_what_is_wrong(
    project: pytest.Pytester, run: Run, marker: str, message: str
) -> None:
    project.makepyfile(
        test_bad=f"""
        import pytest

        @pytest.mark.{marker}
        def test_x(harness_client):
            pass
        """
    )
    result = run()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([f"*{message}*"])


def test_an_async_body_runs_once_per_example_under_pytest_asyncio(
    project: pytest.Pytester, run: Run
) -> None:
    project.makepyfile(
        test_async="""
        import pytest

        @pytest.mark.harness_fuzz(max_examples=2)
        async def test_x(harness_async_client):
            raise AssertionError("the body ran")
        """
    )
    awaited = run("-o", "asyncio_mode=auto")
    awaited.assert_outcomes(failed=1)
    awaited.stdout.fnmatch_lines(["*AssertionError: the body ran*"])
