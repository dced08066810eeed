"""``harness demo``: start the fake server and drive a whole lifecycle with the real openai SDK.

An assistant with a function tool, a thread, a message, a run polled to ``requires_action``,
the tool output submitted, the run polled to ``completed``, and the answer read back.
"""

from __future__ import annotations

import argparse
import json
import warnings
from typing import Any

from harness.core import AssistantsAPI, ServerConfig
from harness.lifecycle import POLL_STOP_STATUSES
from harness.server.runner import FakeServer

__all__ = ["register", "run_demo"]


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "demo", help="drive a full run lifecycle against the fake server", description=__doc__
    )
    parser.add_argument(
        "--scenario",
        default="builtin:tool-call-then-completed",
        help="scenario to play (default builtin:tool-call-then-completed)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of generated ids (default 0)")
    parser.set_defaults(run=lambda args: run_demo(args.scenario, seed=args.seed))


def run_demo(scenario_ref: str, *, seed: int = 0, out: Any = None) -> int:
    """Play ``scenario_ref`` with the openai SDK and print every status the run goes through."""
    import openai

    from harness.scenario import load_scenario

    def say(text: str) -> None:
        print(text, file=out, flush=True)

    scenario = load_scenario(scenario_ref)
    api = AssistantsAPI(ServerConfig(seed=seed, validate_responses=True), scenario)
    with FakeServer(api) as server, warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        say(f"harness demo: {scenario.name} — fake Assistants API at {server.base_url}")
        say(f"  openai SDK {openai.__version__}; scenario: {scenario.description}")
        client = openai.OpenAI(base_url=server.base_url, api_key="sk-harness-demo")
        assistant = client.beta.assistants.create(
            model="gpt-4o",
            name="Weather bot",
            instructions="Answer weather questions; call get_weather for facts.",
            tools=[
                {
                    "type": "function",
                    "function": {
                        "name": "get_weather",
                        "parameters": {
                            "type": "object",
                            "properties": {"city": {"type": "string", "examples": ["Paris"]}},
                            "required": ["city"],
                        },
                    },
                }
            ],
        )
        say(f"  assistant {assistant.id} with tool get_weather")
        thread = client.beta.threads.create()
        client.beta.threads.messages.create(
            thread.id, role="user", content="What is the weather in Paris?"
        )
        say(f"  thread {thread.id}: user asks 'What is the weather in Paris?'")
        run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
        say(f"  run {run.id}: {run.status}")
        while True:
            run = client.beta.threads.runs.retrieve(run.id, thread_id=thread.id)
            say(f"  run {run.id}: {run.status}")
            if run.status == "requires_action" and run.required_action is not None:
                outputs: list[Any] = []
                for call in run.required_action.submit_tool_outputs.tool_calls:
                    arguments = json.loads(call.function.arguments or "{}")
                    output = json.dumps({"city": arguments.get("city"), "celsius": 18})
                    say(f"    tool call {call.function.name}({call.function.arguments}) → {output}")
                    outputs.append({"tool_call_id": call.id, "output": output})
                run = client.beta.threads.runs.submit_tool_outputs(
                    run.id, thread_id=thread.id, tool_outputs=outputs
                )
                say(f"  run {run.id}: {run.status} (tool outputs submitted)")
                continue
            if run.status in POLL_STOP_STATUSES:
                break
        if run.usage is not None:
            say(
                f"  usage: {run.usage.prompt_tokens} prompt + "
                f"{run.usage.completion_tokens} completion tokens"
            )
        for message in client.beta.threads.messages.list(thread.id, order="asc"):
            for block in message.content:
                if block.type == "text":
                    say(f"  {message.role}: {block.text.value}")
        say(f"timeline {run.id}: {api.state.journal.timeline(run.id)}")
        violations = api.state.journal.violations
        say(f"contract violations: {len(violations)}")
        for violation in violations:
            say(f"  {violation}")
    return 0 if run.status == "completed" and not violations else 1
