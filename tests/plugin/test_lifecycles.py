"""``harness_lifecycles``: one case per scenario, readable ids, each case its own scenario."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from harness.lifecycle import TERMINAL_STATUSES
from harness.pytest_plugin import TERMINAL_LIFECYCLES
from harness.scenario import builtin_names, load_scenario

Run = Callable[..., pytest.RunResult]


def _ending(name: str) -> str:
    """How the run of a built-in ends when the client answers nothing in time."""
    (script,) = load_scenario(f"builtin:{name}").runs
    if any(step.expires_after_s is not None for step in script.steps):
        return "expired"
    return script.steps[-1].status


def test_terminal_is_one_builtin_per_way_a_run_ends() -> None:
    assert set(TERMINAL_LIFECYCLES) <= set(builtin_names())
    assert len(set(TERMINAL_LIFECYCLES)) == len(TERMINAL_LIFECYCLES)
    assert {_ending(name) for name in TERMINAL_LIFECYCLES} == set(TERMINAL_STATUSES)
    # The others end like one of the chosen ones.
    others = set(builtin_names()) - set(TERMINAL_LIFECYCLES)
    assert {_ending(name) for name in others} <= {"completed"}


def test_all_expands_to_one_case_per_builtin(project: pytest.Pytester, run: Run) -> None:
    project.makepyfile(
        test_all="""
        import pytest

        @pytest.mark.harness_lifecycles("all", allow_unused=True)
        def test_x(harness_server):
            assert harness_server.scenario_ref == "builtin:" + harness_server.scenario.name
        """
    )
    result = run("-v")
    names = builtin_names()
    assert len(names) == 18
    result.assert_outcomes(passed=len(names))
    result.stdout.fnmatch_lines_random(
        [f"test_all.py::test_x[[]builtin:{name}[]] PASSED*" for name in names]
    )


def test_terminal_and_explicit_lists(project: pytest.Pytester, run: Run) -> None:
    project.makepyfile(
        test_some="""
        import pytest

        @pytest.mark.harness_lifecycles("terminal", allow_unused=True)
        def test_terminal(harness_client):
            pass

        @pytest.mark.harness_lifecycles(
            ["completed", "builtin:cancelled"], "completed", allow_unused=True
        )
        @pytest.mark.parametrize("n", [1, 2])
        def test_listed(harness_server, n):
            assert harness_server.scenario.name in ("completed", "cancelled")
        """
    )
    result = run("--collect-only", "-q")
    result.stdout.fnmatch_lines(
        [f"test_some.py::test_terminal[[]builtin:{name}[]]" for name in TERMINAL_LIFECYCLES]
        + [
            "test_some.py::test_listed[[]builtin:completed-1[]]",
            "test_some.py::test_listed[[]builtin:completed-2[]]",
            "test_some.py::test_listed[[]builtin:cancelled-1[]]",
            "test_some.py::test_listed[[]builtin:cancelled-2[]]",
        ]
    )
    run().assert_outcomes(passed=len(TERMINAL_LIFECYCLES) + 4)


def test_unknown_names_and_missing_fixtures_are_collection_errors(
    project: pytest.Pytester, run: Run
) -> None:
    project.makepyfile(
        test_bad="""
        import pytest

        @pytest.mark.harness_lifecycles("completd")
        def test_typo(harness_server):
            pass
        """,
        test_unused="""
        import pytest

        @pytest.mark.harness_lifecycles("all")
        def test_no_fixture():
            pass
        """,
    )
    result = run()
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines_random(
        [
            "*harness_lifecycles: no built-in scenario 'completd'; use 'all', 'terminal'*",
            "*harness_lifecycles: the test uses no harness fixture*",
        ]
    )


def test_the_naive_polling_loop_fails_on_endings_it_does_not_know(
    project: pytest.Pytester, run: Run
) -> None:
    project.makepyfile(
        test_naive="""
        import pytest

        from helpers import poll_run_status, start_run

        @pytest.mark.harness_lifecycles(
            "completed", "failed-server-error", "expired-while-queued"
        )
        def test_poll(harness_client):
            thread_id, run_id = start_run(harness_client)
            run = poll_run_status(harness_client, thread_id, run_id, interval=0)
            assert run.status == "completed"
        """
    )
    result = run()
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines_random(
        [
            "FAILED test_naive.py::test_poll[[]builtin:failed-server-error[]] - *",
            "FAILED test_naive.py::test_poll[[]builtin:expired-while-queued[]] - *",
            "E *keeps polling a finished run*waits only for 'completed'*never ends on 'failed'*",
            "E *keeps polling a finished run*waits only for 'completed'*never ends on 'expired'*",
            "*[[]poll-after-terminal[]] GET /v1/threads/thread_*/runs/run_*: *never ends on"
            " 'failed'; last_error: server_error: *",
            "*[[]poll-after-terminal[]] GET /v1/threads/thread_*/runs/run_*: *never ends on"
            " 'expired'",
            "run_*: queued › in_progress › failed ×11",
            "run_*: queued ×3 › expired ×11",
        ]
    )
    result.stdout.no_fnmatch_line("*builtin:completed*FAILED*")
