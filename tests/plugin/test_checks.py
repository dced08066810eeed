"""Contract violations and unused scenario parts fail a test at teardown; the opt-outs work."""

from __future__ import annotations

from collections.abc import Callable

import pytest

Run = Callable[..., pytest.RunResult]

POLL_PAST_THE_END = """
import openai
import pytest

from helpers import complete_run


def poll_past_the_end(client, harness_server):
    run = complete_run(client)
    with pytest.raises(openai.BadRequestError, match="keeps polling a finished run"):
        while True:
            client.beta.threads.runs.retrieve(run.id, thread_id=run.thread_id)
    return run
"""

TWO_RUNS_AND_A_FAULT = """\
name: two-runs
runs:
  - name: greeting
    match: {content: hello}
    steps: [queued, in_progress, completed]
  - name: farewell
    match: {content: bye}
    steps: [queued, in_progress, completed]
faults:
  - match: {method: DELETE, path: /v1/threads/*}
    respond: {status: 500}
"""


def test_violations_fail_the_test_at_teardown(project: pytest.Pytester, run: Run) -> None:
    project.makepyfile(
        test_violate=POLL_PAST_THE_END
        + """
def test_x(harness_client, harness_server):
    poll_past_the_end(harness_client, harness_server)
"""
    )
    result = run()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_x*",
            "harness: 1 contract violation in test_x:",
            "  [[]poll-after-terminal[]] GET /v1/threads/thread_*/runs/run_*: the client polled"
            " run_* 11 times in a row after it was shown its terminal status 'completed'"
            " (limit 10), with no other request between: 'completed' is final*",
            "  (expected? mark the test harness_scenario(..., expect_violations="
            "[[]'poll-after-terminal'[]]) or call harness_server.journal.clear())",
            "*harness run timelines*",
            "run_*: queued › in_progress › completed ×11",
        ]
    )


def test_violation_opt_outs(project: pytest.Pytester, run: Run) -> None:
    project.makepyfile(
        test_opt_outs=POLL_PAST_THE_END
        + """
@pytest.mark.harness_scenario(allow_violations=True)
def test_allowed(harness_client, harness_server):
    poll_past_the_end(harness_client, harness_server)


@pytest.mark.harness_scenario(expect_violations=["poll-after-terminal"])
def test_expected(harness_client, harness_server):
    poll_past_the_end(harness_client, harness_server)
    assert [v.rule for v in harness_server.violations] == ["poll-after-terminal"]


def test_cleared(harness_client, harness_server):
    poll_past_the_end(harness_client, harness_server)
    harness_server.journal.clear()


@pytest.mark.harness_scenario(expect_violations=["tool-outputs"])
def test_expected_but_absent(harness_client):
    pass
"""
    )
    result = run()
    result.assert_outcomes(passed=4, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_expected_but_absent*",
            "harness: test_expected_but_absent expected violations of tool-outputs, but the"
            " client kept that part of the contract",
        ]
    )


def test_a_failing_test_shows_its_violations_once(project: pytest.Pytester, run: Run) -> None:
    project.makepyfile(
        test_fails="""
        from helpers import poll_run_status, start_run
        import pytest

        @pytest.mark.harness_scenario("builtin:cancelled")
        def test_x(harness_client):
            thread_id, run_id = start_run(harness_client)
            poll_run_status(harness_client, thread_id, run_id, interval=0)
        """
    )
    result = run()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*- harness contract violations -*",
            "  [[]poll-after-terminal[]] *never ends on 'cancelled'",
            "*- harness run timelines -*",
            "run_*: queued › in_progress ×2 › cancelling › cancelled ×11",
        ]
    )


def test_a_loop_ignoring_requires_action_fails_the_test(project: pytest.Pytester, run: Run) -> None:
    project.makepyfile(
        test_ignores="""
        import pytest
        from helpers import start_run

        @pytest.mark.harness_scenario("builtin:tool-call-then-completed")
        def test_x(harness_client):
            thread_id, run_id = start_run(harness_client)
            while True:  # waits for the end, never submits
                run = harness_client.beta.threads.runs.retrieve(run_id, thread_id=thread_id)
                if run.status in ("completed", "failed", "cancelled", "expired", "incomplete"):
                    break
        """
    )
    result = run()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E *openai.BadRequestError: *is waiting for tool outputs*Missing outputs for call_*"
            " (lookup)*",
            "*- harness contract violations -*",
            "  [[]poll-requires-action[]] GET /v1/threads/thread_*/runs/run_*: the client polled"
            " run_* 11 times in a row while it waited in 'requires_action' (limit 10)*",
            "run_*: queued › in_progress › requires_action ×11",
        ]
    )


def test_unused_scripts_and_faults_are_reported(project: pytest.Pytester, run: Run) -> None:
    project.makefile(".yaml", two_runs=TWO_RUNS_AND_A_FAULT)
    project.makepyfile(
        test_unused="""
        import pytest
        from helpers import complete_run

        @pytest.mark.harness_scenario("two_runs.yaml")
        def test_only_says_hello(harness_client):
            assert complete_run(harness_client, "hello").status == "completed"

        @pytest.mark.harness_scenario("two_runs.yaml")
        def test_fails_anyway(harness_client):
            assert False, "the test's own failure comes first"
        """
    )
    result = run()
    result.assert_outcomes(passed=1, failed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_only_says_hello*",
            "harness: test_only_says_hello did not play the scenario 'two-runs'"
            " (*two_runs.yaml) as written; a script the client never reached or left half-way,"
            " or work no script planned for, is a test that proves less than it claims:",
            "  runs[[]1[]] 'farewell' (line 8) [[]queued › in_progress › completed;"
            " matching content='bye'[]]: no run the client created used it",
            "  faults[[]0[]] [[]DELETE /v1/threads/*, first 1 request → HTTP 500[]]: never fired",
            "  (intended? harness_scenario(..., allow_unused=True), --harness-no-unused-check,"
            " or harness_report_unused = false)",
        ]
    )
    result.stdout.no_fnmatch_line("*ERROR at teardown of test_fails_anyway*")


@pytest.mark.parametrize(
    ("marker", "args", "ini"),
    [
        ('"two_runs.yaml", allow_unused=True', (), ""),
        ('"two_runs.yaml"', ("--harness-no-unused-check",), ""),
        ('"two_runs.yaml"', (), "harness_report_unused = false"),
        ('"two_runs.yaml", allow_unused=False', ("--harness-no-unused-check",), ""),
    ],
    ids=["marker", "cli", "ini", "cli-beats-marker"],
)
def test_unused_opt_outs(
    project: pytest.Pytester, run: Run, marker: str, args: tuple[str, ...], ini: str
) -> None:
    project.makefile(".yaml", two_runs=TWO_RUNS_AND_A_FAULT)
    if ini:
        project.makeini(f"[pytest]\n{ini}\n")
    project.makepyfile(
        test_opt_out=f"""
        import pytest
        from helpers import complete_run

        @pytest.mark.harness_scenario({marker})
        def test_only_says_hello(harness_client):
            assert complete_run(harness_client, "hello").status == "completed"
        """
    )
    run(*args).assert_outcomes(passed=1)


def test_unused_ingestion_outcomes_are_reported(project: pytest.Pytester, run: Run) -> None:
    project.makefile(
        ".yaml",
        ingestion="""\
name: ingestion
ingestion:
  files:
    - {match: 'scan-*.pdf', status: failed}
    - {match: 'never-*.pdf', status: failed, polls: 2}
""",
    )
    project.makepyfile(
        test_ingestion="""
        import pytest

        @pytest.mark.harness_scenario("ingestion.yaml")
        def test_one_scan(harness_client):
            store = harness_client.vector_stores.create(name="docs")
            done = harness_client.vector_stores.files.upload_and_poll(
                vector_store_id=store.id, file=("scan-1.pdf", b"%PDF")
            )
            assert done.status == "failed"
        """
    )
    result = run()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "  ingestion.files (line 5) [[]failed after 2 poll(s); matching 'never-*.pdf'[]]:"
            " no object the client made matched it",
        ]
    )


UNPLANNED = """
import pytest
from helpers import complete_run, start_run


@pytest.mark.harness_scenario("builtin:tool-call-then-completed"{options})
def test_unplanned(harness_client):
    # The scripted run stops for its tool call; the client never answers it...
    assert complete_run(harness_client).status == "requires_action"
    # ...and creates a second run, which no script planned for...
    assert complete_run(harness_client).status == "completed"


@pytest.mark.harness_scenario("two_runs.yaml"{options})
def test_half_polled(harness_client):
    # ...a run polled once and then forgotten, and one matching no script.
    thread_id, run_id = start_run(harness_client, "hello")
    harness_client.beta.threads.runs.retrieve(run_id, thread_id=thread_id)
    assert complete_run(harness_client, "something else").status == "completed"
    assert complete_run(harness_client, "bye").status == "completed"
"""


def test_unscripted_runs_and_half_way_scripts_are_reported(
    project: pytest.Pytester, run: Run
) -> None:
    project.makefile(".yaml", two_runs=TWO_RUNS_AND_A_FAULT)
    project.makepyfile(test_unplanned=UNPLANNED.format(options=""))
    result = run()
    result.assert_outcomes(passed=2, errors=2)
    result.stdout.fnmatch_lines_random(
        [
            "harness: test_unplanned did not play the scenario 'tool-call-then-completed'"
            " (builtin:tool-call-then-completed) as written*",
            "  runs[[]0[]] (line 6) [[]queued › in_progress › requires_action › queued ›"
            " in_progress › completed[]]: run_* left half-way at 'requires_action': tool outputs"
            " for call_* (*) never submitted",
            "  run_*: no script: it was created after all 1 run scripts were used, so it played"
            " the default story (script it, or give the scenario a default_run)",
            "harness: test_half_polled did not play the scenario 'two-runs'*",
            "  runs[[]0[]] 'greeting' (line 5) [[]queued › in_progress › completed; matching"
            " content='hello'[]]: run_* left half-way at 'in_progress': never polled to its end"
            " (shown: queued › in_progress)",
            "  run_*: no script: it matched none of the 1 unused run scripts, so it played the"
            " default story*",
        ]
    )


def test_no_scenario_no_unscripted_report(project: pytest.Pytester, run: Run) -> None:
    project.makepyfile(
        test_default="""
        from helpers import complete_run, start_run

        def test_many_runs(harness_client):
            for _ in range(3):
                complete_run(harness_client)
            start_run(harness_client)  # left queued: the default story is no script
        """
    )
    run().assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("options", "args", "ini"),
    [
        (", allow_unused=True", (), ""),
        ("", ("--harness-no-unused-check",), ""),
        ("", (), "harness_report_unused = false"),
    ],
    ids=["marker", "cli", "ini"],
)
def test_unplanned_work_opt_outs(
    project: pytest.Pytester, run: Run, options: str, args: tuple[str, ...], ini: str
) -> None:
    project.makefile(".yaml", two_runs=TWO_RUNS_AND_A_FAULT)
    if ini:
        project.makeini(f"[pytest]\n{ini}\n")
    project.makepyfile(test_unplanned=UNPLANNED.format(options=options))
    run(*args).assert_outcomes(passed=2)
