"""Lifecycle coverage: ``--harness-coverage``, ``-json``, ``-fail-under``, serial and xdist."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from harness.core.coverage import Coverage, summarise, universe
from harness.lifecycle import ENDINGS

Run = Callable[..., pytest.RunResult]

DRIVER = '''
TERMINAL = {"completed", "failed", "cancelled", "expired", "incomplete"}


def drive(client, server):
    """Poll a run to its end; never answer tool calls (let them expire)."""
    tool = {"type": "function", "function": {"name": "get_weather"}}
    assistant = client.beta.assistants.create(model="gpt-4o", tools=[tool])
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    while run.status not in TERMINAL:
        if run.status == "requires_action":
            server.clock.advance(5)
        run = client.beta.threads.runs.retrieve(run.id, thread_id=thread.id)
    return run
'''

TERMINAL_SUITE = """
import pytest
from driver import drive


@pytest.mark.harness_lifecycles("terminal")
def test_every_ending(harness_client, harness_server):
    assert drive(harness_client, harness_server).status in {
        "completed", "failed", "cancelled", "expired", "incomplete"
    }
"""

HAPPY_SUITE = """
from helpers import complete_run


def test_happy(harness_client):
    assert complete_run(harness_client).status == "completed"


def test_happy_again(harness_client):
    assert complete_run(harness_client).status == "completed"
"""


def test_coverage_json_of_a_terminal_suite_names_every_ending(
    project: pytest.Pytester, run: Run
) -> None:
    project.makepyfile(driver=DRIVER, test_terminal=TERMINAL_SUITE)
    result = run("--harness-coverage-json=cov/coverage.json")
    result.assert_outcomes(passed=9)
    document = json.loads((project.path / "cov" / "coverage.json").read_text())
    endings = document["total"]["dimensions"]["endings"]
    assert endings["met"] == list(ENDINGS)
    assert endings["missed"] == []
    # Per test: each case met exactly its own ending.
    per_test = document["tests"]
    assert len(per_test) == 9
    met = [list(counts["endings"]) for counts in per_test.values()]
    assert all(len(names) == 1 for names in met)
    assert {names[0] for names in met} == set(ENDINGS)
    # The table in the terminal says what was never met, e.g. the unfaulted suite's faults.
    result.stdout.fnmatch_lines(
        [
            "*= harness lifecycle coverage =*",
            "dimension*met*cover*never met",
            "endings*8/8*100%*-",
            "faults*0/5*0%*http_status, reset, delay, cut_stream, stream_error",
            "TOTAL*%",
        ]
    )
    transitions = document["total"]["dimensions"]["transitions"]
    assert "requires_action › expired" in transitions["met"]
    assert "in_progress › cancelling" in transitions["met"]


def test_a_happy_path_suite_fails_the_threshold(project: pytest.Pytester, run: Run) -> None:
    project.makepyfile(test_happy=HAPPY_SUITE)
    result = run("--harness-coverage-fail-under=90")
    result.assert_outcomes(passed=2)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "statuses*3/9*33%*requires_action, cancelling*",
            "FAIL Required lifecycle coverage of 90% not reached. Total coverage: *%",
        ]
    )
    low = run("--harness-coverage-fail-under=5")
    assert low.ret == pytest.ExitCode.OK
    low.stdout.no_fnmatch_line("FAIL Required*")


def test_coverage_merges_across_xdist_workers(project: pytest.Pytester) -> None:
    project.makepyfile(driver=DRIVER, test_terminal=TERMINAL_SUITE)
    result = project.runpytest_subprocess(
        "-n", "2", "-p", "no:cacheprovider", "--harness-coverage-json=coverage.json"
    )
    result.assert_outcomes(passed=9)
    document = json.loads((project.path / "coverage.json").read_text())
    assert document["total"]["dimensions"]["endings"]["missed"] == []
    assert len(document["tests"]) == 9


def test_the_server_side_counts_what_the_client_never_saw(
    project: pytest.Pytester, run: Run
) -> None:
    """Faults, stream events and rules are counted as they happened on the server."""
    project.makepyfile(
        test_server_side="""
        import pytest
        from helpers import start_run

        @pytest.mark.harness_scenario("builtin:rate-limited-then-ok")
        def test_retries(harness_client):
            from helpers import complete_run
            assert complete_run(harness_client).status == "completed"

        def test_streams(harness_client):
            assistant = harness_client.beta.assistants.create(model="gpt-4o")
            thread = harness_client.beta.threads.create(
                messages=[{"role": "user", "content": "Hi"}]
            )
            with harness_client.beta.threads.runs.stream(
                thread_id=thread.id, assistant_id=assistant.id
            ) as stream:
                stream.until_done()

        @pytest.mark.harness_scenario(expect_violations=["poll-after-terminal"])
        def test_polls_too_long(harness_client):
            import openai
            thread_id, run_id = start_run(harness_client)
            with pytest.raises(openai.BadRequestError):
                for _ in range(20):
                    harness_client.beta.threads.runs.retrieve(run_id, thread_id=thread_id)
        """
    )
    result = run("--harness-coverage-json=coverage.json", "--harness-timelines=none")
    result.assert_outcomes(passed=3)
    document = json.loads((project.path / "coverage.json").read_text())
    tests = document["tests"]
    retries = tests["test_server_side.py::test_retries"]
    assert retries["faults"] == {"http_status": 1}
    streams = tests["test_server_side.py::test_streams"]["stream_events"]
    assert streams["thread.run.created"] == 1
    assert streams["done"] == 1
    assert streams["thread.message.delta"] >= 1
    polls = tests["test_server_side.py::test_polls_too_long"]
    assert polls["rules"] == {"poll-after-terminal": 1}
    result.stdout.fnmatch_lines(["rules*1*(met: poll-after-terminal)"])
    result.stdout.no_fnmatch_line("*= harness run timelines =*")


def test_summaries_measure_against_the_lifecycle_table() -> None:
    coverage = Coverage()
    coverage.entered(None, "queued")
    coverage.entered("queued", "in_progress")
    coverage.entered("in_progress", "queued")  # illegal: an extra, not part of the universe
    summaries, percent = summarise(coverage)
    by_name = {summary.dimension: summary for summary in summaries}
    assert by_name["statuses"].met == ("queued", "in_progress")
    assert by_name["transitions"].met == ("queued › in_progress",)
    assert by_name["transitions"].extra == ("in_progress › queued",)
    total = sum(len(items) for items in universe().values())
    assert percent == pytest.approx(100 * 3 / total)
    merged = Coverage.total([coverage, Coverage.from_json(coverage.as_json())])
    assert merged.counts["statuses"] == {"queued": 4, "in_progress": 2}


def test_every_run_status_is_in_the_universe_of_stream_events() -> None:
    from harness.lifecycle import RUN_STATUSES

    events = universe()["stream_events"]
    assert all(f"thread.run.{status}" in events for status in RUN_STATUSES)
    assert Path(__file__).exists()
