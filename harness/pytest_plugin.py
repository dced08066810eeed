"""The harness pytest plugin (registered through the ``pytest11`` entry point).

One fixture away from testing every lifecycle::

    @pytest.mark.harness_lifecycles("terminal")
    def test_my_client_survives_every_ending(harness_client):
        ...

Fixtures: ``harness_server`` (the fake, reset for each test), ``harness_client`` and
``harness_async_client`` (SDK clients on it), ``harness_config`` (settings; override it).
Markers: ``harness_scenario``, ``harness_lifecycles``, ``harness_cassette``. Options: the
``harness`` group of ``pytest --help``. Settings precedence, highest first: command line,
marker keyword arguments, ``harness_config``, ini keys, defaults.

Each worker process (pytest-xdist) runs one fake server for the session, reset before every
test in microseconds. ``harness_async_client`` is a plain fixture: it needs no async plugin and
works in whatever event loop the test runs (its connections are not kept alive, so nothing ties
it to a loop). A test whose settings change the server's configuration (seed, poll
interval, mode) gets a server of its own, started once and reused by later tests alike.
"""

from __future__ import annotations

import inspect
import json
import os
from collections.abc import Generator, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pytest

from harness._plugin.cassettes import cassette_path
from harness._plugin.checks import teardown_problems, violation_lines
from harness._plugin.fuzz import (
    COUNTEREXAMPLE,
    add_fuzz_options,
    fuzz_dir,
    fuzz_options,
    fuzz_strategy,
    run_fuzz,
)
from harness._plugin.report import SECTION, RunTimelines
from harness._plugin.scenarios import (
    LIFECYCLE_GROUPS,
    TERMINAL_LIFECYCLES,
    ScenarioRef,
    expand_lifecycles,
)
from harness._plugin.servers import API_KEY, HarnessServer, ServerPool, close_async_client
from harness._plugin.session_report import (
    COUNTEREXAMPLE_SECTION,
    COVERAGE_SECTION,
    LANES_SECTION,
    ReportOptions,
    SessionReport,
    add_report_options,
)
from harness._plugin.settings import (
    HarnessSettings,
    add_options,
    cli_overrides,
    ini_settings,
    layered,
    marker_options,
)
from harness.errors import ConfigError, ScenarioError

if TYPE_CHECKING:
    import openai

    from harness.cassettes import RecordMode

__all__ = [
    "API_KEY",
    "LIFECYCLE_GROUPS",
    "TERMINAL_LIFECYCLES",
    "HarnessServer",
    "HarnessSettings",
    "harness_async_client",
    "harness_client",
    "harness_config",
    "harness_server",
]

_INI = pytest.StashKey[HarnessSettings]()
_CLI = pytest.StashKey[dict[str, Any]]()
_REPORT_OPTIONS = pytest.StashKey[ReportOptions]()
_EXTRA_SECTIONS = pytest.StashKey[list[tuple[str, str]]]()
_HANDLE = pytest.StashKey[HarnessServer]()
_CALL_PASSED = pytest.StashKey[bool]()
_SNAPSHOT = pytest.StashKey[RunTimelines]()
_UPSTREAM = pytest.StashKey[tuple[str, str]]()
UPSTREAM_KEY_VARIABLE = "HARNESS_UPSTREAM_API_KEY"
"""Where ``--harness-upstream`` recordings read the upstream's API key (it is never written)."""

_DEPRECATION_FILTERS = (
    # What openai-python's ``client.beta.assistants/threads/...`` methods warn on every call.
    "ignore:The Assistants API is deprecated:DeprecationWarning",
    "ignore:deprecated$:DeprecationWarning",
)
_MARKERS = (
    "harness_scenario(scenario=None, *, poll_after_ms, seed, mode, allow_unused, "
    "allow_violations, expect_violations): the scenario the harness fake plays for this test: "
    "builtin:NAME, a YAML path (relative to --harness-scenario-dir, then to the test file) or a "
    "Scenario; the keywords override settings and say which contract violations are expected.",
    "harness_lifecycles(*selectors, **options): run the test once per scenario: 'all' (every "
    "built-in), 'terminal' (one built-in per way a run ends), built-in names or YAML paths; "
    "takes the keywords of harness_scenario.",
    "harness_cassette(path=None, **options): record or replay this test's Assistants API "
    "traffic through a cassette (see --harness-record-mode).",
    "harness_fuzz(max_examples=25, max_runs=1, max_length=10, max_polls=3, max_tool_rounds=2, "
    "ends_in=None, faults=False, stream_cuts=False, tools=None, allow_violations=False): run "
    "the test body against lifecycles generated from the lifecycle table (tool calls use the "
    "run's own declared tools unless tools=[names]); the smallest failing one is written as "
    "scenario YAML under --harness-fuzz-dir.",
)


# -- configuration --------------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)
    add_report_options(parser)
    add_fuzz_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    for line in _MARKERS:
        config.addinivalue_line("markers", line)
    for line in _DEPRECATION_FILTERS:
        config.addinivalue_line("filterwarnings", line)
    try:
        config.stash[_INI] = ini_settings(config)
        config.stash[_CLI] = cli_overrides(config)
    except ConfigError as error:
        raise pytest.UsageError(str(error)) from None
    options = ReportOptions.of(config)
    config.stash[_REPORT_OPTIONS] = options
    if not hasattr(config, "workerinput"):
        config.pluginmanager.register(SessionReport(config, options), "harness-session-report")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marker = metafunc.definition.get_closest_marker("harness_lifecycles")
    if marker is None:
        return
    where = f"{metafunc.definition.nodeid}: harness_lifecycles"
    if "_harness_lifecycle" not in metafunc.fixturenames:
        raise pytest.Collector.CollectError(
            f"{where}: the test uses no harness fixture; request harness_server, harness_client "
            "or harness_async_client"
        )
    try:
        refs = expand_lifecycles(marker.args)
    except ScenarioError as error:
        raise pytest.Collector.CollectError(f"{where}: {error.detail}") from None
    metafunc.parametrize("_harness_lifecycle", refs, ids=refs, indirect=True)


# -- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _harness_pool() -> Iterator[ServerPool]:
    """The session's fake servers (one per distinct server configuration, usually one)."""
    pool = ServerPool()
    try:
        yield pool
    finally:
        pool.close()


@pytest.fixture
def _harness_lifecycle(request: pytest.FixtureRequest) -> str | None:
    """The scenario ``harness_lifecycles`` chose for this case."""
    param: str | None = getattr(request, "param", None)
    return param


@pytest.fixture
def harness_config(pytestconfig: pytest.Config) -> HarnessSettings | Mapping[str, Any]:
    """Harness settings from ini and defaults; override it to return a dict of changes."""
    return pytestconfig.stash[_INI]


@pytest.fixture
def harness_server(
    request: pytest.FixtureRequest,
    harness_config: HarnessSettings | Mapping[str, Any],
    _harness_pool: ServerPool,
    _harness_lifecycle: str | None,
) -> Iterator[HarnessServer]:
    """The fake Assistants API server, reset for this test and playing its marker's scenario."""
    node = request.node
    assert isinstance(node, pytest.Item)
    config = request.config
    where = f"{node.nodeid}: harness marker"
    cli = config.stash[_CLI]
    try:
        ref, kwargs = _marked_scenario(node)
        overrides, options = marker_options(kwargs, where)
        settings = layered(
            harness_config, config.stash[_INI], overrides, cli, config.rootpath, where
        )
    except ConfigError as error:
        raise pytest.fail.Exception(str(error), pytrace=False) from None
    if _harness_lifecycle is not None:
        ref = _harness_lifecycle
    server = _harness_pool.server(settings.server_config(), tls=settings.tls)
    handle = HarnessServer(
        server,
        settings,
        _harness_pool.scenarios,
        node.path.parent,
        tls=_harness_pool.client_tls(server),
    )
    try:
        handle.load_scenario(ref)
    except ScenarioError as error:
        message = f"harness: cannot load the scenario of {node.name}: {error}"
        raise pytest.fail.Exception(message, pytrace=False) from None
    node.stash[_HANDLE] = handle
    node.stash[_CALL_PASSED] = False
    fuzzed = node.get_closest_marker("harness_fuzz") is not None
    if fuzzed and (ref is not None or _harness_lifecycle is not None):
        raise pytest.fail.Exception(
            f"{where}: harness_fuzz generates the scenarios; drop harness_scenario or "
            "harness_lifecycles from this test",
            pytrace=False,
        )
    yield handle
    true_statuses = handle.api.true_statuses()
    node.stash[_SNAPSHOT] = RunTimelines.of(node.nodeid, handle.journal, true_statuses)
    node.stash[_EXTRA_SECTIONS] = _report_sections(config, handle, true_statuses)
    if not node.stash.get(_CALL_PASSED, False) or fuzzed:
        # A failed or skipped test: its report already shows the violations. A fuzzed one
        # checked every example as it ran.
        return
    # A cassette that answered every request kept the server (and its scripts) out of it.
    replayed = node.get_closest_marker("harness_cassette") is not None and not handle.requests
    problems = teardown_problems(
        handle.api, options, report_unused=settings.report_unused and not replayed, test=node.name
    )
    if problems:
        pytest.fail(problems, pytrace=False)


@pytest.fixture(autouse=True)
def _harness_cassette(
    request: pytest.FixtureRequest, harness_config: HarnessSettings | Mapping[str, Any]
) -> Iterator[None]:
    """Record or replay the test's HTTP traffic when it has a ``harness_cassette`` marker."""
    node = request.node
    marker = node.get_closest_marker("harness_cassette")
    if marker is None or not isinstance(node, pytest.Item):
        yield
        return
    config = request.config
    where = f"{node.nodeid}: harness_cassette marker"
    unknown = sorted(set(marker.kwargs) - {"record_mode"})
    try:
        if unknown or len(marker.args) > 1:
            raise ConfigError(
                f"{where}: takes an optional path and record_mode=…, not "
                f"{unknown or marker.args[1:]}"
            )
        overrides = {k: v for k, v in marker.kwargs.items() if k == "record_mode"}
        cli = config.stash[_CLI]
        settings = layered(
            harness_config, config.stash[_INI], overrides, cli, config.rootpath, where
        )
    except ConfigError as error:
        raise pytest.fail.Exception(str(error), pytrace=False) from None
    path = cassette_path(node, settings.cassette_dir, marker.args[0] if marker.args else None)
    if settings.record_mode == "none" and not path.exists():
        raise pytest.fail.Exception(
            f"harness: no cassette at {path}; record it once with --harness-record-mode=once",
            pytrace=False,
        )
    from harness.cassettes import use_cassette

    record_mode = cast("RecordMode", settings.record_mode)  # checked against RECORD_MODES
    if settings.upstream is not None:
        node.stash[_UPSTREAM] = (settings.upstream, _upstream_key(settings, path))
    with use_cassette(path, record_mode=record_mode):
        yield


def _upstream_key(settings: HarnessSettings, path: Path) -> str:
    """The upstream's key when this test will record; a dummy when it only replays."""
    replays_only = settings.record_mode == "none" or (
        settings.record_mode == "once" and path.exists()
    )
    if replays_only:
        return "sk-harness-replay"  # nothing leaves the process: the cassette answers
    key = os.environ.get(UPSTREAM_KEY_VARIABLE, "")
    if not key:
        raise pytest.fail.Exception(
            f"harness: recording {path} from {settings.upstream} needs its API key in the "
            f"environment variable {UPSTREAM_KEY_VARIABLE}",
            pytrace=False,
        )
    return key


@pytest.fixture
def harness_client(
    request: pytest.FixtureRequest, harness_server: HarnessServer
) -> Iterator[openai.OpenAI]:
    """An ``openai.OpenAI`` client on the fake server (or on ``--harness-upstream`` in a
    ``harness_cassette`` test), closed at teardown."""
    client = _upstream_client(request, openai_async=False) or harness_server.client()
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def harness_env(harness_server: HarnessServer, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The environment pointed at the fake for this test (``OPENAI_BASE_URL``, ``AZURE_OPENAI_*``,
    ``GATEWAY_URL``, …; the CA bundle with ``--harness-tls``), so code that builds its own client
    talks to it unchanged. Restored at teardown; returns what it set."""
    from harness._plugin.environment import client_environment

    environment = client_environment(harness_server)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return environment


@pytest.fixture
def harness_async_client(
    request: pytest.FixtureRequest, harness_server: HarnessServer
) -> Iterator[openai.AsyncOpenAI]:
    """An ``openai.AsyncOpenAI`` client on the fake server (any event loop; or on
    ``--harness-upstream`` in a ``harness_cassette`` test), closed at teardown."""
    client = _upstream_client(request, openai_async=True) or harness_server.async_client()
    try:
        yield client
    finally:
        close_async_client(client)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """A ``harness_fuzz`` test: its body runs once per generated scenario."""
    marker = pyfuncitem.get_closest_marker("harness_fuzz")
    if marker is None:
        return None
    where = f"{pyfuncitem.nodeid}: harness_fuzz"
    handle = pyfuncitem.stash.get(_HANDLE, None)
    try:
        if handle is None:
            raise ConfigError(
                f"{where}: the test uses no harness fixture; request harness_server, "
                "harness_client or harness_async_client"
            )
        if marker.args:
            raise ConfigError(f"{where}: takes keyword arguments only, not {marker.args!r}")
        if inspect.iscoroutinefunction(pyfuncitem.obj):
            raise ConfigError(
                f"{where}: runs synchronous test functions (pytest-asyncio makes async ones "
                "synchronous); install it, or drive the async client with asyncio.run(...)"
            )
        options = fuzz_options(marker.kwargs, where)
        strategy = fuzz_strategy(options, where)
    except ConfigError as error:
        raise pytest.fail.Exception(str(error), pytrace=False) from None
    function = pyfuncitem.obj
    arguments = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    run_fuzz(
        pyfuncitem,
        handle.api,
        lambda: function(**arguments),
        options,
        strategy,
        seed=handle.settings.seed,
        directory=fuzz_dir(pyfuncitem.config),
    )
    return True


def _report_sections(
    config: pytest.Config, handle: HarnessServer, true_statuses: Mapping[str, str]
) -> list[tuple[str, str]]:
    """The coverage and lanes of a test, as report sections for the session's report."""
    options = config.stash[_REPORT_OPTIONS]
    journal = handle.journal
    sections = []
    if options.coverage:
        sections.append((COVERAGE_SECTION, json.dumps(journal.coverage.as_json())))
    if options.html is not None:
        from harness.report import LaneMark, lane_of

        marks = list(journal.marks)
        lanes = [
            lane_of(
                run_id,
                shown,
                true_status=true_statuses.get(run_id),
                marks=[LaneMark(m.position, m.kind, m.text) for m in marks if m.run_id == run_id],
            ).as_json()
            for run_id, shown in list(journal.timelines.items())
        ]
        loose = [[m.position, m.kind, m.text] for m in marks if m.run_id not in journal.timelines]
        sections.append((LANES_SECTION, json.dumps({"lanes": lanes, "marks": loose})))
    return sections


def _upstream_client(request: pytest.FixtureRequest, *, openai_async: bool) -> Any:
    """A client on the upstream a cassette test records from, or None (use the fake)."""
    upstream = request.node.stash.get(_UPSTREAM, None)
    if upstream is None:
        return None
    import openai

    url, key = upstream
    factory = openai.AsyncOpenAI if openai_async else openai.OpenAI
    return factory(base_url=url, api_key=key)


def _marked_scenario(node: pytest.Item) -> tuple[ScenarioRef, dict[str, Any]]:
    """The closest scenario named by a ``harness_scenario`` marker, and every marker's keywords
    (the closest win)."""
    scenario_markers = list(node.iter_markers("harness_scenario"))
    lifecycle_markers = list(node.iter_markers("harness_lifecycles"))
    kwargs: dict[str, Any] = {}
    for marker in [*reversed(scenario_markers), *reversed(lifecycle_markers)]:
        kwargs.update(marker.kwargs)
    ref: ScenarioRef = None
    for marker in scenario_markers:
        if marker.args:
            if len(marker.args) > 1:
                raise ConfigError(
                    f"{node.nodeid}: harness_scenario takes one scenario, got {len(marker.args)}; "
                    "to run the test over several, use harness_lifecycles(...)"
                )
            ref = marker.args[0]
            break
    return ref, kwargs


# -- reports --------------------------------------------------------------------------------


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    handle = item.stash.get(_HANDLE, None)
    if handle is None:
        return report
    found = item.stash.get(COUNTEREXAMPLE, None)
    if found is not None and report.when == "call":
        report.sections.append(("harness fuzz counterexample", found.lines()))
        report.sections.append((COUNTEREXAMPLE_SECTION, str(found.path)))
    if report.when == "call":
        item.stash[_CALL_PASSED] = report.passed
        if report.failed:
            if handle.violations:
                report.sections.append(
                    ("harness contract violations", "\n".join(violation_lines(handle.violations)))
                )
            timelines = RunTimelines.of(item.nodeid, handle.journal)
            if timelines.runs or timelines.requests:
                report.sections.append((SECTION, timelines.section()))
    elif report.when == "teardown":
        del item.stash[_HANDLE]
        extra: list[tuple[str, str]] = item.stash.get(_EXTRA_SECTIONS, [])
        report.sections.extend(extra)
        snapshot = item.stash.get(_SNAPSHOT, None)
        if snapshot is not None:
            del item.stash[_SNAPSHOT]
            # The requests are for -v summaries and failure reports only: keep reports small.
            if not report.failed and item.config.get_verbosity() <= 0:
                snapshot = RunTimelines(snapshot.nodeid, snapshot.runs, ())
            if snapshot.runs or snapshot.requests:
                report.sections.append((SECTION, snapshot.section()))
    return report
