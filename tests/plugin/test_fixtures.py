"""The fixtures work in a downstream project with no configuration at all."""

from __future__ import annotations

from collections.abc import Callable

import pytest

Run = Callable[..., pytest.RunResult]


def test_sync_and_async_clients_drive_a_run_to_completion(
    project: pytest.Pytester, run: Run
) -> None:
    project.makepyfile(
        test_downstream="""
        import openai
        import pytest

        from helpers import complete_run


        def test_sync(harness_client, harness_server):
            assert isinstance(harness_client, openai.OpenAI)
            assert str(harness_client.base_url).rstrip("/") == harness_server.base_url
            run = complete_run(harness_client)
            assert run.status == "completed"
            assert harness_server.timeline(run.id) == "queued › in_progress › completed"
            assert harness_server.violations == []
            assert harness_server.scenario is None


        @pytest.mark.asyncio
        async def test_async(harness_async_client, harness_server):
            client = harness_async_client
            assert isinstance(client, openai.AsyncOpenAI)
            assistant = await client.beta.assistants.create(model="gpt-4o")
            thread = await client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
            run = await client.beta.threads.runs.create_and_poll(
                thread_id=thread.id, assistant_id=assistant.id
            )
            assert run.status == "completed"
            assert harness_server.timeline(run.id) == "queued › in_progress › completed"
        """
    )
    result = run()
    result.assert_outcomes(passed=2)
    # The plugin silences the SDK's "the Assistants API is deprecated" warnings.
    result.stdout.no_fnmatch_line("*DeprecationWarning*")


def test_the_handle_exposes_the_server(project: pytest.Pytester, run: Run) -> None:
    project.makepyfile(
        test_handle="""
        from harness import AssistantsAPI, FakeServer
        from harness.clock import VirtualClock
        from harness.pytest_plugin import HarnessServer, HarnessSettings

        from helpers import complete_run


        def test_handle(harness_server, harness_client):
            assert isinstance(harness_server, HarnessServer)
            assert isinstance(harness_server.server, FakeServer)
            assert isinstance(harness_server.api, AssistantsAPI)
            assert isinstance(harness_server.settings, HarnessSettings)
            assert isinstance(harness_server.clock, VirtualClock)
            assert harness_server.base_url == harness_server.url + "/v1"
            assert harness_server.url.startswith("http://127.0.0.1:")
            run = complete_run(harness_client)
            assert run.id in harness_server.store.runs
            assert [r.method for r in harness_server.requests][:2] == ["POST", "POST"]
            before = harness_server.clock.now()
            harness_server.clock.advance(60)
            assert harness_server.clock.now() == before + 60
            assert harness_server.load_scenario("builtin:cancelled").name == "cancelled"
            assert harness_server.scenario_ref == "builtin:cancelled"
            assert run.id not in harness_server.store.runs
            harness_server.reset()
            assert harness_server.scenario.name == "cancelled"
            harness_server.load_scenario(None)
            assert harness_server.scenario is None
        """
    )
    run().assert_outcomes(passed=1)


def test_one_server_per_session_and_per_distinct_configuration(
    project: pytest.Pytester, run: Run
) -> None:
    project.makepyfile(
        test_session="""
        import pytest

        SERVERS = {}


        @pytest.mark.parametrize("n", range(3))
        def test_same_server(harness_server, n):
            assert SERVERS.setdefault("default", harness_server.server) is harness_server.server


        @pytest.mark.harness_scenario(seed=3)
        @pytest.mark.parametrize("n", range(2))
        def test_other_seed(harness_server, n):
            assert harness_server.server is not SERVERS["default"]
            assert harness_server.api.config.seed == 3
            assert SERVERS.setdefault("seed3", harness_server.server) is harness_server.server


        def test_back_to_the_default(harness_server):
            assert harness_server.server is SERVERS["default"]
            assert harness_server.api.config.seed == 0
        """
    )
    run("-p", "no:randomly").assert_outcomes(passed=6)


def test_clients_are_closed_at_teardown(project: pytest.Pytester, run: Run) -> None:
    project.makepyfile(
        test_closed="""
        import pytest

        CLIENTS = []


        def test_sync(harness_client):
            CLIENTS.append(harness_client)
            assert not harness_client.is_closed()


        @pytest.mark.asyncio
        async def test_async(harness_async_client):
            CLIENTS.append(harness_async_client)
            assert not harness_async_client.is_closed()


        def test_both_closed():
            assert [client.is_closed() for client in CLIENTS] == [True, True]
        """
    )
    run("-p", "no:randomly").assert_outcomes(passed=3)


@pytest.mark.parametrize("fixture_loop", ["function", "module"])
def test_the_async_client_works_in_any_event_loop(
    project: pytest.Pytester, fixture_loop: str
) -> None:
    project.makepyfile(
        test_loops="""
        import pytest

        from helpers import complete_run


        async def drive(client):
            assistant = await client.beta.assistants.create(model="gpt-4o")
            thread = await client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
            run = await client.beta.threads.runs.create_and_poll(
                thread_id=thread.id, assistant_id=assistant.id
            )
            assert run.status == "completed"


        async def test_function_loop(harness_async_client):
            await drive(harness_async_client)


        @pytest.mark.asyncio(loop_scope="module")
        async def test_module_loop(harness_async_client):
            await drive(harness_async_client)


        @pytest.mark.asyncio(loop_scope="session")
        async def test_session_loop(harness_async_client):
            await drive(harness_async_client)
        """
    )
    result = project.runpytest(
        "-p",
        "no:cacheprovider",
        "-W",
        "error::ResourceWarning",
        "-o",
        "asyncio_mode=auto",
        "-o",
        f"asyncio_default_fixture_loop_scope={fixture_loop}",
    )
    result.assert_outcomes(passed=3)


def test_the_pool_stops_its_oldest_extra_server() -> None:
    from harness import ServerConfig
    from harness._plugin.servers import ServerPool

    pool = ServerPool(keep=2)
    try:
        first = pool.server(ServerConfig(seed=1))
        assert pool.server(ServerConfig(seed=1)) is first
        pool.server(ServerConfig(seed=2))
        pool.server(ServerConfig(seed=1))  # the most recently used stays
        pool.server(ServerConfig(seed=3))
        assert len(pool) == 2
        assert pool.server(ServerConfig(seed=1)) is first
    finally:
        pool.close()
    assert len(pool) == 0


def test_fixtures_markers_and_options_are_documented(run: Run) -> None:
    fixtures = run("--fixtures")
    for name in ("harness_server", "harness_client", "harness_async_client", "harness_config"):
        fixtures.stdout.fnmatch_lines([f"{name}*", "    *"])
    markers = run("--markers")
    markers.stdout.fnmatch_lines(
        [
            "@pytest.mark.harness_scenario(*): the scenario the harness fake plays*",
            "@pytest.mark.harness_lifecycles(*): run the test once per scenario*",
            "@pytest.mark.harness_cassette(*): record or replay*",
        ]
    )
    help_text = run("--help")
    help_text.stdout.fnmatch_lines(
        [
            "harness: fake OpenAI Assistants API server:",
            "  --harness-scenario-dir=DIR",
            "*--harness-cassette-dir=DIR*",
            "*--harness-poll-after-ms=MS*",
            "*--harness-strict*",
            "*--harness-permissive*",
            "*--harness-seed=N*",
            "*--harness-record-mode=*",
            "*--harness-no-unused-check*",
        ]
    )
    for key in (
        "harness_scenario_dir",
        "harness_cassette_dir",
        "harness_poll_after_ms",
        "harness_mode",
        "harness_seed",
        "harness_record_mode",
        "harness_report_unused",
    ):
        help_text.stdout.fnmatch_lines([f"  {key} *"])


def test_scenario_paths_resolve_against_the_scenario_dir_then_the_test_file(
    project: pytest.Pytester, run: Run
) -> None:
    story = "runs:\n  - steps: [queued, in_progress, completed]\n"
    project.mkdir("scenarios")
    project.mkdir("tests")
    project.path.joinpath("scenarios", "story.yaml").write_text("name: in-dir\n" + story)
    project.path.joinpath("tests", "story.yaml").write_text("name: beside-test\n" + story)
    project.path.joinpath("tests", "only-here.yaml").write_text("name: only-here\n" + story)
    project.path.joinpath("tests", "test_paths.py").write_text(
        "from pathlib import Path\n"
        "import pytest\n\n"
        "@pytest.mark.harness_scenario('story.yaml', allow_unused=True)\n"
        "def test_story(harness_server):\n"
        "    Path(__file__).with_name('seen.txt').write_text(harness_server.scenario.name)\n\n"
        "@pytest.mark.harness_scenario('only-here.yaml', allow_unused=True)\n"
        "def test_falls_back_to_the_test_dir(harness_server):\n"
        "    assert harness_server.scenario.name == 'only-here'\n\n"
        "@pytest.mark.harness_scenario('missing.yaml')\n"
        "def test_missing(harness_server):\n"
        "    pass\n"
    )
    seen = project.path / "tests" / "seen.txt"
    result = run("--harness-scenario-dir=scenarios", "tests")
    result.assert_outcomes(passed=2, errors=1)
    assert seen.read_text() == "in-dir"
    result.stdout.fnmatch_lines(
        ["*harness: cannot load the scenario of test_missing*no scenario file 'missing.yaml'*"]
    )
    result = run("tests")
    result.assert_outcomes(passed=2, errors=1)
    assert seen.read_text() == "beside-test"
