"""A downstream project with its own function tool passes every built-in lifecycle as it is:
``harness_lifecycles("all")`` with no opt-outs, its tool checking each call's arguments."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from harness.scenario import builtin_names

Run = Callable[..., pytest.RunResult]

SHOP = '''
"""The project's client code: it knows nothing of harness."""

import json

import jsonschema
import openai

FIND_ORDERS = {
    "type": "function",
    "function": {
        "name": "find_orders",
        "description": "The customer's orders matching the filters.",
        "parameters": {
            "type": "object",
            "required": ["customer", "filters"],
            "additionalProperties": False,
            "properties": {
                "customer": {
                    "type": "object",
                    "required": ["id", "tier"],
                    "additionalProperties": False,
                    "properties": {
                        "id": {"type": "string", "pattern": "^cus_[a-z0-9]{6}$"},
                        "tier": {"enum": ["free", "pro", "enterprise"]},
                    },
                },
                "filters": {
                    "type": "object",
                    "required": ["statuses"],
                    "properties": {
                        "statuses": {
                            "type": "array",
                            "minItems": 1,
                            "uniqueItems": True,
                            "items": {"enum": ["open", "shipped", "returned"]},
                        },
                        "since": {"type": "string", "format": "date"},
                    },
                },
                "limit": {"type": "integer", "minimum": 1, "maximum": 50},
            },
        },
    },
}

TERMINAL = {"completed", "failed", "cancelled", "expired", "incomplete"}
CALLS = []
"""Every (name, arguments) the model asked for, for the tests to look at."""


def find_orders(arguments):
    # The tool trusts nothing: arguments that break its schema are a bug upstream.
    jsonschema.validate(arguments, FIND_ORDERS["function"]["parameters"])
    return [{"id": "ord_1", "status": arguments["filters"]["statuses"][0]}]


def run_tool(name, arguments_text):
    if name != "find_orders":
        raise AssertionError(f"the model called {name!r}, which we never declared")
    arguments = json.loads(arguments_text)
    CALLS.append((name, arguments))
    return json.dumps(find_orders(arguments))


def ask(client, question):
    """One question, answered to the end: (final run, reply text)."""
    assistant = client.beta.assistants.create(model="gpt-4o", tools=[FIND_ORDERS])
    thread = client.beta.threads.create(messages=[{"role": "user", "content": question}])
    run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    while True:
        run = client.beta.threads.runs.poll(run.id, thread_id=thread.id, poll_interval_ms=1)
        if run.status in TERMINAL:
            break
        outputs = [
            {"tool_call_id": call.id, "output": run_tool(call.function.name, call.function.arguments)}
            for call in run.required_action.submit_tool_outputs.tool_calls
        ]
        try:
            client.beta.threads.runs.submit_tool_outputs(
                run.id, thread_id=thread.id, tool_outputs=outputs
            )
        except openai.BadRequestError:
            pass  # it ended meanwhile (expired): the next poll shows how
    messages = client.beta.threads.messages.list(thread.id, run_id=run.id).data
    reply = " ".join(b.text.value for m in messages for b in m.content if b.type == "text")
    return run, reply
'''

TESTS = """
import pytest

import shop


@pytest.fixture(autouse=True)
def fresh_calls():
    shop.CALLS.clear()


@pytest.mark.harness_lifecycles("all")
def test_every_lifecycle(harness_client, harness_server):
    run, reply = shop.ask(harness_client, "Where are my open orders?")
    assert run.status in shop.TERMINAL
    assert (run.status == "completed") <= bool(reply)
    calls = [step.tool_calls for script in harness_server.scenario.runs for step in script.steps]
    expected = sum(len(c) for c in calls)
    if run.status == "completed":
        assert len(shop.CALLS) == expected
        assert {name for name, _ in shop.CALLS} <= {"find_orders"}
"""


def test_a_project_with_its_own_tool_passes_all_lifecycles(
    project: pytest.Pytester, run: Run
) -> None:
    project.makepyfile(shop=SHOP, test_shop=TESTS)
    result = run("-v")
    result.assert_outcomes(passed=len(builtin_names()))
    result.stdout.fnmatch_lines_random(
        [
            f"test_shop.py::test_every_lifecycle[[]builtin:{name}[]] PASSED*"
            for name in builtin_names()
        ]
    )
    result.stdout.no_fnmatch_line("*undeclared-tool*")
    result.stdout.no_fnmatch_line("*tool-outputs*")


def test_the_same_project_is_told_when_a_scenario_calls_a_tool_it_never_declared(
    project: pytest.Pytester, run: Run
) -> None:
    project.makepyfile(shop=SHOP)
    project.makefile(
        ".yaml",
        weather="""
        name: weather
        runs:
          - steps:
              - in_progress
              - status: requires_action
                tool_calls: [{name: get_weather, arguments: {city: Paris}}]
              - in_progress
              - completed
        """,
    )
    project.makepyfile(
        test_weather="""
        import pytest

        import shop

        @pytest.mark.harness_scenario("weather.yaml")
        def test_weather(harness_client):
            with pytest.raises(AssertionError, match="never declared"):
                shop.ask(harness_client, "Weather?")
        """
    )
    result = run()
    result.assert_outcomes(passed=1, errors=1)  # the test passed; teardown reports
    result.stdout.fnmatch_lines(["*undeclared-tool*'get_weather'*find_orders*"])


def test_a_project_without_function_tools_passes_all_lifecycles_too(
    project: pytest.Pytester, run: Run
) -> None:
    """Nothing to call: the built-ins' tool rounds are skipped (and noted), never failed."""
    project.makepyfile(
        test_plain="""
        import pytest

        @pytest.mark.harness_lifecycles("all")
        def test_plain(harness_client, harness_server):
            assistant = harness_client.beta.assistants.create(model="gpt-4o")
            thread = harness_client.beta.threads.create(
                messages=[{"role": "user", "content": "Hi"}]
            )
            run = harness_client.beta.threads.runs.create_and_poll(
                thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=1
            )
            assert run.status != "requires_action"
            scripted = any(
                step.tool_calls for script in harness_server.scenario.runs for step in script.steps
            )
            skipped = [n for n in harness_server.journal.notes if "tool round was skipped" in n]
            assert bool(skipped) == scripted
        """
    )
    run().assert_outcomes(passed=len(builtin_names()))
