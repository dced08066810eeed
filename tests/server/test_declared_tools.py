"""Scripted tool calls bound to the client's own declared function tools, with arguments valid
against their parameters; functions the run never declared are reported."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import openai
import pytest

import harness.core.tools
from harness import AssistantsAPI, FakeServer, ServerConfig
from harness.scenario import load_scenario, parse_scenario
from harness.schemas.instances import SchemaExamples
from tests.declared_tools import CONVERT_UNITS, LOOKUP_ORDER, SHOP_TOOLS, check_calls


def _scenario(calls: str) -> str:
    return f"""
name: calls
runs:
  - steps:
      - in_progress
      - status: requires_action
        tool_calls: {calls}
      - in_progress
      - completed
"""


def _waiting_run(
    client: openai.OpenAI, declared: list[dict[str, Any]] | None = None, **run_options: Any
) -> openai.types.beta.threads.Run:
    """A run on an assistant declaring ``declared``, polled until it stops."""
    assistant = client.beta.assistants.create(model="gpt-4o", tools=declared or [])  # type: ignore[arg-type]
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Order?"}])
    run = client.beta.threads.runs.create(
        thread_id=thread.id, assistant_id=assistant.id, **run_options
    )
    return client.beta.threads.runs.poll(run.id, thread_id=thread.id, poll_interval_ms=0)


def _calls(run: openai.types.beta.threads.Run) -> list[Any]:
    assert run.status == "requires_action", run.status
    assert run.required_action is not None
    return list(run.required_action.submit_tool_outputs.tool_calls)


def test_declared_calls_take_the_run_s_functions_in_order_cycling(
    client: openai.OpenAI, api: AssistantsAPI
) -> None:
    api.load_scenario(parse_scenario(_scenario("[declared, declared, declared]")))
    calls = _calls(_waiting_run(client, SHOP_TOOLS))
    assert check_calls(calls) == ["lookup_order", "convert_units", "lookup_order"]
    assert len({call.id for call in calls}) == 3
    assert api.state.journal.violations == []


def test_the_run_s_own_tools_override_the_assistant_s(
    client: openai.OpenAI, api: AssistantsAPI
) -> None:
    api.load_scenario(load_scenario("builtin:parallel-tool-calls"))
    run = _waiting_run(client, SHOP_TOOLS, tools=[CONVERT_UNITS])
    assert check_calls(_calls(run), [CONVERT_UNITS]) == ["convert_units", "convert_units"]


def test_pinned_names_and_arguments_are_kept(client: openai.OpenAI, api: AssistantsAPI) -> None:
    api.load_scenario(
        parse_scenario(
            _scenario(
                "[{name: convert_units}, "
                "{arguments: {order_id: ord_1234, filters: {status: open}}, id: call_pinned}]"
            )
        )
    )
    first, second = _calls(_waiting_run(client, SHOP_TOOLS))
    assert check_calls([first, second]) == ["convert_units", "lookup_order"]
    assert (second.id, json.loads(second.function.arguments)) == (
        "call_pinned",
        {"order_id": "ord_1234", "filters": {"status": "open"}},
    )


def test_the_same_seed_gives_the_same_arguments() -> None:
    def arguments(seed: int) -> list[str]:
        api = AssistantsAPI(ServerConfig(seed=seed), load_scenario("builtin:parallel-tool-calls"))
        with FakeServer(api) as server:
            client = openai.OpenAI(base_url=server.base_url, api_key="sk-test")
            return [call.function.arguments for call in _calls(_waiting_run(client, SHOP_TOOLS))]

    assert arguments(7) == arguments(7)
    assert len({json.dumps(arguments(seed)) for seed in range(4)}) > 1  # the seed does choose


def test_a_run_without_function_tools_skips_the_tool_round(
    client: openai.OpenAI, api: AssistantsAPI, server: FakeServer
) -> None:
    api.load_scenario(load_scenario("builtin:tool-call-then-completed"))
    assistant = client.beta.assistants.create(model="gpt-4o", tools=[{"type": "code_interpreter"}])
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    # A model with nothing to call answers directly: no requires_action, no false failure.
    assert run.status == "completed"
    assert api.state.journal.timeline(run.id) == "queued › in_progress ×2 › completed"
    assert api.state.journal.violations == []
    assert any("tool round was skipped" in note for note in api.state.journal.notes)
    journal = httpx2.get(server.url + "/__harness/journal").json()
    assert any(f"{run.id}: the scripted tool round was skipped" in n for n in journal["notes"])
    reply = client.beta.threads.messages.list(thread.id).data[0]
    assert reply.content[0].text.value == "Here is the answer, from what the tool returned."  # type: ignore[union-attr]
    assert api.state.scripts.unused() == []


def test_a_streamed_run_without_function_tools_skips_the_round_too(
    client: openai.OpenAI, api: AssistantsAPI
) -> None:
    api.load_scenario(load_scenario("builtin:two-tool-rounds"))
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    events = [
        event.event
        for event in client.beta.threads.runs.create(
            thread_id=thread.id, assistant_id=assistant.id, stream=True
        )
    ]
    assert "thread.run.requires_action" not in events
    assert events[-1] == "thread.run.completed"
    assert api.state.journal.violations == []


def test_a_scenario_naming_an_undeclared_function_is_reported(
    client: openai.OpenAI, api: AssistantsAPI
) -> None:
    api.load_scenario(parse_scenario(_scenario("[{name: get_weather}]")))
    (call,) = _calls(_waiting_run(client, SHOP_TOOLS))
    assert (call.function.name, call.function.arguments) == ("get_weather", "{}")
    (violation,) = api.state.journal.violations
    assert violation.rule == "undeclared-tool"
    assert "call function 'get_weather', which it does not declare" in violation.message
    assert "lookup_order, convert_units" in violation.message


def test_a_forced_tool_choice_gets_arguments_valid_against_the_parameters(
    client: openai.OpenAI, api: AssistantsAPI
) -> None:
    forced = {"type": "function", "function": {"name": "lookup_order"}}
    (call,) = _calls(_waiting_run(client, SHOP_TOOLS, tool_choice=forced))
    assert check_calls([call]) == ["lookup_order"]  # order_id and filters.status: not {}
    assert set(json.loads(call.function.arguments)) >= {"order_id", "filters"}
    (required,) = _calls(_waiting_run(client, [CONVERT_UNITS], tool_choice="required"))
    assert check_calls([required], [CONVERT_UNITS]) == ["convert_units"]
    assert api.state.journal.violations == []


def test_a_forced_tool_choice_naming_an_undeclared_function_is_reported(
    client: openai.OpenAI, api: AssistantsAPI
) -> None:
    forced = {"type": "function", "function": {"name": "refund"}}
    run = _waiting_run(client, [LOOKUP_ORDER], tool_choice=forced)
    (call,) = _calls(run)
    assert call.function.name == "refund"
    (violation,) = api.state.journal.violations
    assert (violation.rule, violation.run_id) == ("undeclared-tool", run.id)
    assert "'refund'" in violation.message
    assert "force only a declared function with tool_choice" in violation.message


def test_permissive_mode_does_not_report_undeclared_functions() -> None:
    scenario = parse_scenario(_scenario("[{name: get_weather}]"))
    with FakeServer(AssistantsAPI(ServerConfig(permissive=True), scenario)) as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="sk-test")
        (call,) = _calls(_waiting_run(client, SHOP_TOOLS))
        assert call.function.name == "get_weather"
        assert server.api.state.journal.violations == []


def test_parameters_nothing_can_satisfy_fall_back_to_empty_arguments_with_a_note(
    client: openai.OpenAI, api: AssistantsAPI
) -> None:
    impossible = {
        "type": "function",
        "function": {
            "name": "impossible",
            "parameters": {
                "type": "object",
                "required": ["n"],
                "properties": {"n": {"type": "integer", "minimum": 5, "maximum": 1}},
            },
        },
    }
    api.load_scenario(load_scenario("builtin:tool-call-then-completed"))
    (call,) = _calls(_waiting_run(client, [impossible]))
    assert (call.function.name, call.function.arguments) == ("impossible", "{}")
    (note,) = [n for n in api.state.journal.notes if "fell back" in n]
    assert "arguments for impossible fell back to {}" in note
    assert "no integer in [5, 1]" in note


def test_arguments_are_generated_once_per_schema_and_kept_across_resets(
    client: openai.OpenAI, api: AssistantsAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[object] = []

    class Counting(SchemaExamples):
        def __init__(self, schema: Any) -> None:
            checked.append(schema)
            super().__init__(schema)

    monkeypatch.setattr(harness.core.tools, "SchemaExamples", Counting)
    factory = api.state.engine.arguments
    seen = []
    for _ in range(3):
        api.load_scenario(load_scenario("builtin:parallel-tool-calls"))
        assert api.state.engine.arguments is factory
        new_copy = json.loads(json.dumps(LOOKUP_ORDER))  # an equal schema, a new object
        seen.append([c.function.arguments for c in _calls(_waiting_run(client, [new_copy]))])
    assert len(checked) <= 1  # zero when an earlier test already checked this schema
    assert seen[0] == seen[1] == seen[2]
    assert seen[0][0] != seen[0][1]  # two calls of one step get their own arguments
