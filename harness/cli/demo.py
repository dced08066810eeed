"""``harness demo [--scenario REF]``: play a scenario with the real openai SDK, and say how it went.

The demo drives whatever the scenario scripts: an assistant with the functions its tool calls
name (or the scenario's seeded assistant), one run per run script with a question its ``match``
accepts, tool outputs that meet its ``expect_outputs``, a cancellation where its ``on_cancel`` is
the point. Exit status 0 when every run ended as its script says and the client broke no
contract rule; 1 otherwise, with the reason on the last line.
"""

from __future__ import annotations

import argparse
import warnings
from typing import Any

from harness.core import AssistantsAPI, ServerConfig
from harness.server.runner import FakeServer

__all__ = ["register", "run_demo"]


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "demo",
        help="play a scenario against the fake server with the openai SDK",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--scenario",
        default="builtin:tool-call-then-completed",
        help="scenario to play: a file or builtin:NAME (default builtin:tool-call-then-completed)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of generated ids (default 0)")
    parser.set_defaults(run=lambda args: run_demo(args.scenario, seed=args.seed))


def run_demo(scenario_ref: str, *, seed: int = 0, out: Any = None) -> int:
    """Play ``scenario_ref`` with the openai SDK, print what happens; the exit status."""
    import openai

    from harness.demo import drive, plan_for
    from harness.scenario import load_scenario

    def say(text: str) -> None:
        print(text, file=out, flush=True)

    scenario = load_scenario(scenario_ref)
    api = AssistantsAPI(ServerConfig(seed=seed, validate_responses=True), scenario)
    with FakeServer(api) as server, warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        say(f"harness demo: {scenario.name} — fake Assistants API at {server.base_url}")
        about = scenario.description or "(no description)"
        say(f"  openai SDK {openai.__version__}; scenario: {about}")
        with openai.OpenAI(base_url=server.base_url, api_key="sk-harness-demo") as client:
            outcomes = drive(client, plan_for(scenario), say)
            for outcome in outcomes:
                if outcome.thread_id is not None:
                    _say_messages(client, outcome.thread_id, say)
        journal = api.state.journal
    problems: list[str] = []
    for outcome in outcomes:
        timeline = journal.timeline(outcome.run_id) if outcome.run_id else "(no run)"
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


def _say_messages(client: Any, thread_id: str, say: Any) -> None:
    for message in client.beta.threads.messages.list(thread_id, order="asc"):
        for block in message.content:
            if block.type == "text":
                say(f"  {message.role}: {block.text.value}")
