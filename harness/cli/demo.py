"""``harness demo [--scenario REF] [--dialect NAME]``: play a scenario with a real SDK; judge it.

The demo drives whatever the scenario scripts: an assistant with the functions its tool calls
name (or the scenario's seeded assistant), one run per run script with a question its ``match``
accepts, tool outputs that meet its ``expect_outputs``, a cancellation where its ``on_cancel`` is
the point. Exit status 0 when every run ended as its script says and the client broke no
contract rule; 1 otherwise, with the reason on the last line; 2 when the dialect's SDK is not
installed.

--dialect picks the wire and its client, the scenario unchanged: openai (the openai SDK on /v1),
azure (the openai SDK's AzureOpenAI on /openai/...?api-version=) or appbuilder (appbuilder-sdk on
POST /v2/..., with GATEWAY_URL and APPBUILDER_TOKEN set for the demo only).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable
from typing import Any

from harness.core import AssistantsAPI, ServerConfig
from harness.demo import DemoPlan, RunOutcome
from harness.demo.driver import DemoClient, drive, say_messages
from harness.errors import ConfigError
from harness.server.runner import FakeServer

__all__ = ["AZURE_API_VERSION", "DEMO_DIALECTS", "register", "run_demo"]

DEMO_DIALECTS = ("openai", "azure", "appbuilder")
AZURE_API_VERSION = "2024-05-01-preview"
_API_KEY = "sk-harness-demo"

Say = Callable[[str], None]


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "demo",
        help="play a scenario against the fake server with a real SDK (openai, azure, appbuilder)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--scenario",
        default="builtin:tool-call-then-completed",
        help="scenario to play: a file or builtin:NAME (default builtin:tool-call-then-completed)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of generated ids (default 0)")
    parser.add_argument(
        "--dialect",
        choices=DEMO_DIALECTS,
        default="openai",
        help="the wire and its SDK: openai (default), azure (AzureOpenAI) or appbuilder "
        "(appbuilder-sdk)",
    )
    parser.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    try:
        return run_demo(args.scenario, seed=args.seed, dialect=args.dialect)
    except ConfigError as error:
        print(f"harness demo: {error}", file=sys.stderr)
        return 2


def run_demo(scenario_ref: str, *, seed: int = 0, dialect: str = "openai", out: Any = None) -> int:
    """Play ``scenario_ref`` with ``dialect``'s SDK, print what happens; the exit status.

    Raises :class:`~harness.errors.ConfigError` for an unknown dialect or a missing SDK.
    """
    from harness.demo import plan_for
    from harness.scenario import load_scenario

    if dialect not in DEMO_DIALECTS:
        raise ConfigError(f"unknown dialect {dialect!r}; choose one of {', '.join(DEMO_DIALECTS)}")
    if dialect == "appbuilder":
        _require_appbuilder()

    def say(text: str) -> None:
        print(text, file=out, flush=True)

    scenario = load_scenario(scenario_ref)
    api = AssistantsAPI(ServerConfig(seed=seed, validate_responses=True), scenario)
    about = scenario.description or "(no description)"
    with FakeServer(api, dialect=dialect) as server, warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        if dialect == "openai":
            say(f"harness demo: {scenario.name} — fake Assistants API at {server.base_url}")
        else:
            where = f"{dialect} dialect, at {server.url}"
            say(f"harness demo: {scenario.name} — fake Assistants API, {where}")
        plan = plan_for(scenario)
        if dialect == "appbuilder":
            outcomes = _drive_appbuilder(server, plan, about, say)
        else:
            outcomes = _drive_openai(server, plan, about, say, azure=dialect == "azure")
        journal = api.state.journal
        core_id = _core_ids(server)
    problems: list[str] = []
    for outcome in outcomes:
        timeline = journal.timeline(core_id(outcome.run_id)) if outcome.run_id else "(no run)"
        ending = f"ended {outcome.status!r}" if outcome.status else "did not end"
        endings = " or ".join(repr(status) for status in sorted(outcome.plan.endings))
        scripted = f"the scenario scripts {endings}" if endings else "it scripts no ending"
        detail = f" ({outcome.detail})" if outcome.detail else ""
        verdict = "as scripted" if outcome.as_scripted else f"but {scripted}"
        say(f"run {outcome.plan.number} {outcome.run_id or ''}: {timeline}")
        say(f"  {ending}{detail}, {verdict}")
        if not outcome.as_scripted:
            problems.append(f"run {outcome.plan.number} {ending}{detail}, {scripted}")
    say(f"contract violations: {len(journal.violations)}")
    for violation in journal.violations:
        say(f"  {violation}")
    if journal.violations:
        problems.append(f"{len(journal.violations)} contract violation(s), listed above")
    if problems:
        say("exit 1: " + "; ".join(problems))
        return 1
    say("exit 0: every run ended as the scenario scripts, and no contract rule was broken")
    return 0


def _require_appbuilder() -> None:
    try:
        import appbuilder  # noqa: F401
    except ImportError as error:
        raise ConfigError(
            "--dialect appbuilder needs Baidu's SDK as the client: pip install appbuilder-sdk"
        ) from error


def _drive_openai(
    server: FakeServer, plan: DemoPlan, about: str, say: Say, *, azure: bool
) -> list[RunOutcome]:
    import openai

    from harness.demo.openai_client import OpenAIClient

    client: openai.OpenAI
    if azure:
        sdk = f"openai SDK {openai.__version__} (AzureOpenAI, api-version {AZURE_API_VERSION})"
        say(f"  {sdk}; scenario: {about}")
        client = openai.AzureOpenAI(
            azure_endpoint=server.url, api_key=_API_KEY, api_version=AZURE_API_VERSION
        )
    else:
        say(f"  openai SDK {openai.__version__}; scenario: {about}")
        client = openai.OpenAI(base_url=server.base_url, api_key=_API_KEY)
    with client:
        return _drive_and_tell(OpenAIClient(client), plan, say)


def _drive_appbuilder(server: FakeServer, plan: DemoPlan, about: str, say: Say) -> list[RunOutcome]:
    from importlib.metadata import version

    from harness.demo.appbuilder_client import AppBuilderClient, pointed_at

    say(f"  appbuilder-sdk {version('appbuilder-sdk')}; scenario: {about}")
    with pointed_at(server.url):
        return _drive_and_tell(AppBuilderClient(), plan, say)


def _drive_and_tell(client: DemoClient, plan: DemoPlan, say: Say) -> list[RunOutcome]:
    """Every run driven to its end, then each thread's texts."""
    outcomes = drive(client, plan, say)
    for outcome in outcomes:
        if outcome.thread_id is not None:
            say_messages(client, outcome.thread_id, say)
    return outcomes


def _core_ids(server: FakeServer) -> Callable[[str], str]:
    """The core's run id (the journal's) for a run id the client was shown."""
    return server.dialects[0].core_id if server.dialects else str
