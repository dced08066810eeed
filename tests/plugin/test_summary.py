"""The ``harness run timelines`` summary, serial and under pytest-xdist."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

Run = Callable[..., pytest.RunResult]

TWENTY_TESTS = """
import os
from pathlib import Path

import pytest

from helpers import complete_run


@pytest.mark.harness_lifecycles("terminal")
@pytest.mark.parametrize("n", [1, 2])
def test_ending(harness_client, harness_server, n):
    run = complete_run(harness_client)
    if run.status == "requires_action":  # the client walks away from the tool call...
        harness_server.clock.advance(600)  # ...ten minutes later it looks again
        run = harness_client.beta.threads.runs.retrieve(run.id, thread_id=run.thread_id)
        assert run.status == "expired"
    else:
        assert run.status == harness_server.scenario.runs[0].steps[-1].status
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    Path(f"servers-{worker}-{os.getpid()}-{id(harness_server.server)}").touch()


def test_no_runs(harness_server):
    pass


def test_default_run(harness_client):
    assert complete_run(harness_client).status == "completed"
"""


def test_summary_lists_the_runs_of_each_test(project: pytest.Pytester, run: Run) -> None:
    project.makepyfile(
        test_timelines="""
        import pytest
        from helpers import complete_run

        def test_two_runs(harness_client):
            complete_run(harness_client)
            complete_run(harness_client)

        def test_nothing(harness_server):
            pass

        @pytest.mark.harness_scenario("builtin:slow-in-progress")
        def test_slow(harness_client):
            complete_run(harness_client)
        """
    )
    result = run("--harness-timelines=all")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(
        [
            "*= harness run timelines =*",
            "test_timelines.py::test_two_runs",
            "  run_*: queued › in_progress › completed",
            "  run_*: queued › in_progress › completed",
            "test_timelines.py::test_slow",
            "  run_*: queued › in_progress ×8 › completed",
            "*= 3 passed in *",
        ]
    )
    result.stdout.no_fnmatch_line("test_timelines.py::test_nothing")
    result.stdout.no_fnmatch_line("*POST /v1/assistants*")
    verbose = run("-v", "--harness-timelines=all")
    verbose.stdout.fnmatch_lines(
        [
            "*= harness run timelines =*",
            "test_timelines.py::test_two_runs",
            "  run_*: queued › in_progress › completed",
            "  run_*: queued › in_progress › completed",
            "    POST /v1/assistants → 200",
            "    POST /v1/threads → 200",
            "    POST /v1/threads/thread_*/runs → 200",
            "    GET /v1/threads/thread_*/runs/run_* → 200",
        ]
    )


def test_xdist_workers_each_run_one_server_and_the_summary_appears(
    project: pytest.Pytester,
) -> None:
    project.makepyfile(test_twenty=TWENTY_TESTS)
    result = project.runpytest_subprocess(
        "-n",
        "4",
        "-p",
        "no:cacheprovider",
        "-o",
        "asyncio_default_fixture_loop_scope=function",
        "--harness-timelines=all",
    )
    result.assert_outcomes(passed=20)
    names = [f"test_ending[[]builtin:{name}-{n}[]]" for name in ("completed",) for n in (1, 2)]
    result.stdout.fnmatch_lines(["*= harness run timelines =*"])
    result.stdout.fnmatch_lines_random(
        [f"test_twenty.py::{name}" for name in names]
        + [
            "test_twenty.py::test_ending[[]builtin:failed-server-error-2[]]",
            "test_twenty.py::test_default_run",
            "  run_*: queued ×3 › expired",
            "  run_*: queued › in_progress ×2 › cancelling › cancelled",
            "  run_*: queued › in_progress › requires_action › expired",
        ]
    )
    summary = result.stdout.str().split("harness run timelines", 1)[1]
    assert summary.count("test_twenty.py::") == 19  # every test but test_no_runs
    markers = [path.name.split("-") for path in Path(project.path).glob("servers-*")]
    workers = {marker[1] for marker in markers}
    assert workers <= {"gw0", "gw1", "gw2", "gw3"}
    assert len(workers) > 1
    # One fake server per worker process, whatever the number of tests it ran.
    assert len({(worker, pid, server) for _, worker, pid, server in markers}) == len(workers)


QUIET_SUITE = """
import pytest
from helpers import complete_run, start_run


def test_passes(harness_client):
    complete_run(harness_client)


@pytest.mark.harness_scenario("builtin:slow-in-progress")
def test_fails(harness_client):
    run = complete_run(harness_client)
    assert run.status == "failed"


@pytest.mark.harness_scenario("builtin:requires-action-expired")
def test_gives_up(harness_client, harness_server):
    run = complete_run(harness_client)  # stops at requires_action; the client gives up
    assert run.status == "requires_action"
    harness_server.clock.advance(5)  # time goes on: the unanswered call expires, unseen
    assert False, "to show the timeline"
"""


def test_by_default_the_summary_shows_only_failed_tests(project: pytest.Pytester, run: Run) -> None:
    project.makepyfile(test_quiet=QUIET_SUITE)
    result = run()
    result.assert_outcomes(passed=1, failed=2)
    summary = result.stdout.str().split("= harness run timelines =", 1)[1]
    assert "test_quiet.py::test_passes" not in summary
    result.stdout.fnmatch_lines(
        [
            "*= harness run timelines =*",
            "test_quiet.py::test_fails",
            "  run_*: queued › in_progress ×8 › completed",
            "test_quiet.py::test_gives_up",
            "  run_*: queued › in_progress › requires_action (then expired, unseen)",
        ]
    )
    everything = run("--harness-timelines=all")
    everything.stdout.fnmatch_lines(["*= harness run timelines =*", "test_quiet.py::test_passes"])
    none = run("--harness-timelines=none")
    none.stdout.no_fnmatch_line("*= harness run timelines =*")
