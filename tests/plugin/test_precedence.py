"""Settings precedence: command line > marker keywords > harness_config > ini > defaults.

Each case stacks every layer up to its own on top of the lower ones and checks that its own
values win, both in ``harness_server.settings`` and in what the server does.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

Run = Callable[..., pytest.RunResult]

INNER = """
import pytest
from helpers import start_run

EXPECTED = {expected!r}


{marker}
def test_settings(harness_server, harness_client):
    settings = harness_server.settings
    config = harness_server.api.config
    thread_id, run_id = start_run(harness_client)
    raw = harness_client.beta.threads.runs.with_raw_response.retrieve(run_id, thread_id=thread_id)
    seen = {{
        "poll_after_ms": settings.poll_after_ms,
        "seed": settings.seed,
        "mode": settings.mode,
        "record_mode": settings.record_mode,
        "report_unused": settings.report_unused,
        "cassette_dir": settings.cassette_dir.name,
        "scenario_dir": settings.scenario_dir and settings.scenario_dir.name,
        "header": raw.headers["openai-poll-after-ms"],
        "server": (config.poll_after_ms, config.seed, config.strict, config.permissive),
    }}
    assert seen == EXPECTED
"""

DEFAULTS = {
    "poll_after_ms": 5,
    "seed": 0,
    "mode": "strict",
    "record_mode": "none",
    "report_unused": True,
    "cassette_dir": "cassettes",
    "scenario_dir": None,
    "header": "5",
    "server": (5, 0, True, False),
}
INI = """
[tool.pytest.ini_options]
harness_poll_after_ms = 7
harness_seed = 7
harness_mode = "permissive"
harness_record_mode = "once"
harness_report_unused = false
harness_scenario_dir = "ini-scenarios"
harness_cassette_dir = "ini-cassettes"
"""
CONFIG_OVERRIDE = """
import pytest

@pytest.fixture
def harness_config(harness_config):
    return {"poll_after_ms": 8, "seed": 8, "record_mode": "all", "cassette_dir": "fx-cassettes"}
"""
MARKER = '@pytest.mark.harness_scenario(poll_after_ms=9, seed=9, mode="strict")'
CLI = (
    "--harness-poll-after-ms=11",
    "--harness-seed=11",
    "--harness-permissive",
    "--harness-record-mode=new_episodes",
    "--harness-cassette-dir=cli-cassettes",
    "--harness-scenario-dir=cli-scenarios",
)
LAYERS = ["defaults", "ini", "harness_config", "marker", "cli"]
EXPECTED = {
    "defaults": DEFAULTS,
    "ini": DEFAULTS
    | {
        "poll_after_ms": 7,
        "seed": 7,
        "mode": "permissive",
        "record_mode": "once",
        "report_unused": False,
        "cassette_dir": "ini-cassettes",
        "scenario_dir": "ini-scenarios",
        "header": "7",
        "server": (7, 7, False, True),
    },
    "harness_config": {
        "poll_after_ms": 8,
        "seed": 8,
        "mode": "permissive",
        "record_mode": "all",
        "report_unused": False,
        "cassette_dir": "fx-cassettes",
        "scenario_dir": "ini-scenarios",
        "header": "8",
        "server": (8, 8, False, True),
    },
    "marker": {
        "poll_after_ms": 9,
        "seed": 9,
        "mode": "strict",
        "record_mode": "all",
        "report_unused": False,
        "cassette_dir": "fx-cassettes",
        "scenario_dir": "ini-scenarios",
        "header": "9",
        "server": (9, 9, True, False),
    },
    "cli": {
        "poll_after_ms": 11,
        "seed": 11,
        "mode": "permissive",
        "record_mode": "new_episodes",
        "report_unused": False,
        "cassette_dir": "cli-cassettes",
        "scenario_dir": "cli-scenarios",
        "header": "11",
        "server": (11, 11, False, True),
    },
}


@pytest.mark.parametrize("layer", LAYERS)
def test_each_layer_beats_the_ones_below(project: pytest.Pytester, run: Run, layer: str) -> None:
    depth = LAYERS.index(layer)
    if depth >= LAYERS.index("ini"):
        project.makepyprojecttoml(INI)
    if depth >= LAYERS.index("harness_config"):
        project.makeconftest(CONFIG_OVERRIDE)
    marker = MARKER if depth >= LAYERS.index("marker") else ""
    project.makepyfile(test_layers=INNER.format(expected=EXPECTED[layer], marker=marker))
    args = CLI if depth >= LAYERS.index("cli") else ()
    run(*args).assert_outcomes(passed=1)


def test_harness_config_may_return_settings(project: pytest.Pytester, run: Run) -> None:
    project.makeconftest(
        """
        import dataclasses
        import pytest

        @pytest.fixture
        def harness_config(harness_config):
            return dataclasses.replace(harness_config, seed=4)
        """
    )
    project.makepyfile(
        test_replace="""
        def test_seed(harness_server):
            assert harness_server.settings.seed == 4
            assert harness_server.settings.poll_after_ms == 5
        """
    )
    run().assert_outcomes(passed=1)


def test_bad_settings_are_reported_where_they_are(project: pytest.Pytester, run: Run) -> None:
    project.makeconftest(
        """
        import pytest

        @pytest.fixture
        def harness_config(request):
            return {"sed": 3} if request.node.name == "test_config" else {}
        """
    )
    project.makepyfile(
        test_bad="""
        import pytest

        def test_config(harness_server):
            pass

        @pytest.mark.harness_scenario(mode="lax")
        def test_marker(harness_server):
            pass
        """
    )
    result = run()
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines_random(
        [
            "the harness_config fixture: unknown harness setting 'sed'; expected one of: *",
            "*harness marker: harness setting 'mode' must be one of strict, permissive, not 'lax'",
        ]
    )
    project.makeini("[pytest]\nharness_seed = many\n")
    result = run()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: ini: harness setting 'seed' must be an integer, not 'many'"]
    )
