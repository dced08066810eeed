"""No state leaks between tests or parametrized cases; the same seed gives the same ids."""

from __future__ import annotations

from collections.abc import Callable

import pytest

Run = Callable[..., pytest.RunResult]


def test_parametrized_cases_start_from_scratch(project: pytest.Pytester, run: Run) -> None:
    project.makepyfile(
        test_cases="""
        import openai
        import pytest

        from helpers import complete_run

        SEEN = {}


        @pytest.mark.parametrize("case", [1, 2, 3])
        def test_case(harness_client, harness_server, case):
            assert harness_server.requests == []
            assert harness_server.journal.timelines == {}
            assert harness_client.beta.assistants.list().data == []
            run = complete_run(harness_client, f"case {case}")
            extra = harness_client.beta.threads.create(metadata={"case": str(case)})
            ids = (run.assistant_id, run.thread_id, run.id)
            if case == 1:
                SEEN["ids"], SEEN["extra"] = ids, extra.id
                harness_client.beta.threads.create()  # an object only case 1 has
                SEEN["only-in-1"] = harness_client.beta.threads.create().id
            else:
                assert ids == SEEN["ids"]  # same seed, same ids
                assert extra.id == SEEN["extra"]
                with pytest.raises(openai.NotFoundError):
                    harness_client.beta.threads.retrieve(SEEN["only-in-1"])
            assert [a.id for a in harness_client.beta.assistants.list().data] == [ids[0]]
            assert list(harness_server.journal.timelines) == [run.id]


        @pytest.mark.harness_lifecycles("completed", "failed-server-error", "cancelled")
        def test_lifecycle_cases(harness_client, harness_server):
            assert harness_server.store.runs.get(SEEN["ids"][2]) is None
            run = complete_run(harness_client)
            assert run.status == harness_server.scenario.runs[0].steps[-1].status
            assert harness_server.api.state.scripts.unused() == []


        def test_a_scenario_does_not_outlive_its_test(harness_server):
            assert harness_server.scenario is None
        """
    )
    run("-p", "no:randomly").assert_outcomes(passed=7)  # the cases rely on their order


def test_a_scenario_loaded_in_the_test_is_gone_in_the_next(
    project: pytest.Pytester, run: Run
) -> None:
    project.makepyfile(
        test_loaded="""
        def test_loads(harness_server, harness_client):
            harness_server.load_scenario("builtin:failed-rate-limit")
            harness_server.clock.advance(3600)
            from helpers import complete_run
            assert complete_run(harness_client).status == "failed"

        def test_next(harness_server, harness_client):
            assert harness_server.scenario is None
            from helpers import complete_run
            run = complete_run(harness_client)
            assert run.status == "completed"
            assert run.created_at == 1767225600  # the clock went back to its start
        """
    )
    run().assert_outcomes(passed=2)
