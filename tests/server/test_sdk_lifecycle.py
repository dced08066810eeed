"""The real openai SDK drives the fake server through whole lifecycles, sync and async."""

from __future__ import annotations

import openai
import pytest

from harness import AssistantsAPI
from harness.scenario import load_scenario
from tests.declared_tools import SHOP_TOOLS, check_calls

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}


def _thread_with_question(client: openai.OpenAI) -> str:
    thread = client.beta.threads.create(
        messages=[{"role": "user", "content": "What is the weather in Paris?"}]
    )
    return thread.id


def test_default_run_completes_with_a_reply(client: openai.OpenAI, api: AssistantsAPI) -> None:
    assistant = client.beta.assistants.create(model="gpt-4o", instructions="Be brief.")
    thread_id = _thread_with_question(client)
    run = client.beta.threads.runs.create_and_poll(thread_id=thread_id, assistant_id=assistant.id)
    assert run.status == "completed"
    assert run.usage is not None
    assert run.usage.total_tokens > 0
    assert run.completed_at is not None
    assert run.started_at is not None
    assert run.expires_at is None
    assert run.instructions == "Be brief."
    messages = client.beta.threads.messages.list(thread_id, order="asc").data
    assert [m.role for m in messages] == ["user", "assistant"]
    assert messages[1].run_id == run.id
    assert messages[1].assistant_id == assistant.id
    assert api.state.journal.timeline(run.id) == "queued › in_progress › completed"


def test_default_run_advances_one_status_per_retrieval(client: openai.OpenAI) -> None:
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread_id = _thread_with_question(client)
    run = client.beta.threads.runs.create(thread_id=thread_id, assistant_id=assistant.id)
    seen = [run.status]
    for _ in range(3):
        seen.append(client.beta.threads.runs.retrieve(run.id, thread_id=thread_id).status)
    assert seen == ["queued", "in_progress", "completed", "completed"]


def test_tool_call_round_trip_with_poll_helpers(client: openai.OpenAI, api: AssistantsAPI) -> None:
    api.load_scenario(load_scenario("builtin:tool-call-then-completed"))
    assistant = client.beta.assistants.create(model="gpt-4o", tools=[WEATHER_TOOL])
    thread_id = _thread_with_question(client)
    run = client.beta.threads.runs.create_and_poll(thread_id=thread_id, assistant_id=assistant.id)
    assert run.status == "requires_action"
    assert run.required_action is not None
    (call,) = run.required_action.submit_tool_outputs.tool_calls
    assert call.id.startswith("call_")
    # The built-in calls the assistant's own tool, with arguments valid against its parameters.
    assert check_calls([call], [WEATHER_TOOL]) == ["get_weather"]
    run = client.beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=run.id, thread_id=thread_id, tool_outputs=[{"tool_call_id": call.id, "output": "18"}]
    )
    assert run.status == "completed"
    assert run.required_action is None
    steps = client.beta.threads.runs.steps.list(run.id, thread_id=thread_id, order="asc").data
    assert [(s.type, s.status) for s in steps] == [
        ("tool_calls", "completed"),
        ("message_creation", "completed"),
    ]
    tool_call = steps[0].step_details.tool_calls[0]  # type: ignore[union-attr]
    assert tool_call.function.output == "18"  # type: ignore[union-attr]
    assert api.state.journal.violations == []


def test_forced_tool_choice_calls_that_function(client: openai.OpenAI) -> None:
    assistant = client.beta.assistants.create(model="gpt-4o", tools=[WEATHER_TOOL])
    thread_id = _thread_with_question(client)
    run = client.beta.threads.runs.create_and_poll(
        thread_id=thread_id,
        assistant_id=assistant.id,
        tool_choice={"type": "function", "function": {"name": "get_weather"}},
    )
    assert run.status == "requires_action"
    assert run.required_action is not None
    (call,) = run.required_action.submit_tool_outputs.tool_calls
    assert check_calls([call], [WEATHER_TOOL]) == ["get_weather"]


def test_poll_helper_returns_at_terminal_status(client: openai.OpenAI) -> None:
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread_id = _thread_with_question(client)
    run = client.beta.threads.runs.create(thread_id=thread_id, assistant_id=assistant.id)
    run = client.beta.threads.runs.poll(run.id, thread_id=thread_id, poll_interval_ms=0)
    assert run.status == "completed"


def test_cancel_goes_through_cancelling(client: openai.OpenAI, api: AssistantsAPI) -> None:
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread_id = _thread_with_question(client)
    run = client.beta.threads.runs.create(thread_id=thread_id, assistant_id=assistant.id)
    cancelled = client.beta.threads.runs.cancel(run.id, thread_id=thread_id)
    assert cancelled.status == "cancelling"
    final = client.beta.threads.runs.poll(run.id, thread_id=thread_id)
    assert final.status == "cancelled"
    assert final.cancelled_at is not None
    assert final.expires_at is None
    assert api.state.journal.timeline(run.id) == "queued › cancelling › cancelled"


def test_create_thread_and_run_poll(client: openai.OpenAI) -> None:
    assistant = client.beta.assistants.create(model="gpt-4o")
    run = client.beta.threads.create_and_run_poll(
        assistant_id=assistant.id,
        thread={"messages": [{"role": "user", "content": "Hello"}], "metadata": {"k": "v"}},
    )
    assert run.status == "completed"
    thread = client.beta.threads.retrieve(run.thread_id)
    assert thread.metadata == {"k": "v"}


def test_additional_messages_and_overrides(client: openai.OpenAI) -> None:
    assistant = client.beta.assistants.create(
        model="gpt-4o", instructions="Base.", tools=[WEATHER_TOOL]
    )
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    run = client.beta.threads.runs.create(
        thread_id=thread.id,
        assistant_id=assistant.id,
        model="gpt-4o-mini",
        additional_instructions=" Extra.",
        additional_messages=[{"role": "user", "content": "added"}],
        tools=[],
        temperature=0.2,
        max_completion_tokens=300,
        truncation_strategy={"type": "last_messages", "last_messages": 3},
        response_format={"type": "json_object"},
        parallel_tool_calls=False,
        metadata={"trace": "1"},
    )
    assert run.model == "gpt-4o-mini"
    assert run.instructions == "Base. Extra."
    assert run.tools == []
    assert run.temperature == 0.2
    assert run.max_completion_tokens == 300
    assert run.truncation_strategy is not None
    assert run.truncation_strategy.last_messages == 3
    assert run.parallel_tool_calls is False
    assert run.metadata == {"trace": "1"}
    contents = [m.content[0].text.value for m in client.beta.threads.messages.list(thread.id)]  # type: ignore[union-attr]
    assert contents == ["added", "Hi"]


def test_crud_of_every_resource(client: openai.OpenAI) -> None:
    assistant = client.beta.assistants.create(model="gpt-4o", name="A", metadata={"a": "1"})
    assert client.beta.assistants.retrieve(assistant.id).name == "A"
    assert client.beta.assistants.update(assistant.id, name="B").name == "B"
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    assert client.beta.threads.update(thread.id, metadata={"x": "y"}).metadata == {"x": "y"}
    message = client.beta.threads.messages.create(thread.id, role="user", content="hi")
    # The SDK's Message model requires a status; see harness.core.objects.USER_MESSAGE_STATUS.
    assert message.status == "completed"
    assert client.beta.threads.messages.retrieve(message.id, thread_id=thread.id).id == message.id
    updated = client.beta.threads.messages.update(
        message.id, thread_id=thread.id, metadata={"m": "1"}
    )
    assert updated.metadata == {"m": "1"}
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    assert client.beta.threads.runs.update(
        run.id, thread_id=thread.id, metadata={"r": "1"}
    ).metadata == {"r": "1"}
    assert [r.id for r in client.beta.threads.runs.list(thread.id)] == [run.id]
    step = client.beta.threads.runs.steps.list(run.id, thread_id=thread.id).data[0]
    fetched = client.beta.threads.runs.steps.retrieve(
        step.id,
        thread_id=thread.id,
        run_id=run.id,
        include=["step_details.tool_calls[*].file_search.results[*].content"],
    )
    assert fetched.id == step.id
    assert client.beta.threads.messages.list(thread.id, run_id=run.id).data[0].role == "assistant"
    deleted = client.beta.threads.messages.delete(message.id, thread_id=thread.id)
    assert (deleted.deleted, deleted.object) == (True, "thread.message.deleted")
    assert client.beta.threads.delete(thread.id).object == "thread.deleted"
    assert client.beta.assistants.delete(assistant.id).object == "assistant.deleted"
    with pytest.raises(openai.NotFoundError):
        client.beta.threads.retrieve(thread.id)


async def test_async_client_full_lifecycle(aclient: openai.AsyncOpenAI, api: AssistantsAPI) -> None:
    api.load_scenario(load_scenario("builtin:two-tool-rounds"))
    assistant = await aclient.beta.assistants.create(model="gpt-4o", tools=SHOP_TOOLS)  # type: ignore[arg-type]
    thread = await aclient.beta.threads.create(messages=[{"role": "user", "content": "F?"}])
    run = await aclient.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id
    )
    rounds = []
    while run.status == "requires_action":
        assert run.required_action is not None
        calls = run.required_action.submit_tool_outputs.tool_calls
        rounds.append(check_calls(calls))
        run = await aclient.beta.threads.runs.submit_tool_outputs_and_poll(
            run_id=run.id,
            thread_id=thread.id,
            tool_outputs=[{"tool_call_id": c.id, "output": "18"} for c in calls],
        )
    assert rounds == [["lookup_order"], ["lookup_order"]]  # each round: the first declared
    assert run.status == "completed"
    page = await aclient.beta.threads.messages.list(thread.id)
    assert page.data[0].content[0].text.value == "Here is the answer, after two tool rounds."  # type: ignore[union-attr]


async def test_async_cancel_and_poll(aclient: openai.AsyncOpenAI) -> None:
    assistant = await aclient.beta.assistants.create(model="gpt-4o")
    thread = await aclient.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    run = await aclient.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    run = await aclient.beta.threads.runs.cancel(run.id, thread_id=thread.id)
    run = await aclient.beta.threads.runs.poll(run.id, thread_id=thread.id)
    assert run.status == "cancelled"


def test_seed_makes_ids_reproducible(client: openai.OpenAI, api: AssistantsAPI) -> None:
    first = client.beta.assistants.create(model="gpt-4o").id
    api.reset()
    assert client.beta.assistants.create(model="gpt-4o").id == first
    assert len(first) == len("asst_") + 24


def test_poll_after_header_is_sent(client: openai.OpenAI) -> None:
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    raw = client.beta.threads.runs.with_raw_response.retrieve(run.id, thread_id=thread.id)
    assert raw.headers["openai-poll-after-ms"] == "0"
    assert raw.headers["openai-version"] == "2020-10-01"
    assert raw.headers["x-request-id"].startswith("req_")
