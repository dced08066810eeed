"""The SDK's streaming helpers work unchanged against the fake server's SSE."""

from __future__ import annotations

from typing import Any

import httpx2
import openai
import pytest
from openai import AssistantEventHandler, AsyncAssistantEventHandler
from openai.types.beta.threads import Message, Run, Text, TextDelta
from openai.types.beta.threads.runs import RunStep, ToolCall

from harness import AssistantsAPI, FakeServer
from harness.scenario import load_scenario, parse_scenario
from tests.declared_tools import SHOP_TOOLS, check_calls


class Recorder(AssistantEventHandler):
    """Collects what an application's event handler would see."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[str] = []
        self.text = ""
        self.tools: list[str] = []
        self.steps_done: list[str] = []
        self.texts_done: list[str] = []

    def on_event(self, event: openai.types.beta.AssistantStreamEvent) -> None:
        self.events.append(event.event)

    def on_text_delta(self, delta: TextDelta, snapshot: Text) -> None:
        self.text += delta.value or ""

    def on_text_done(self, text: Text) -> None:
        self.texts_done.append(text.value)

    def on_tool_call_created(self, tool_call: ToolCall) -> None:
        self.tools.append(tool_call.type)

    def on_run_step_done(self, run_step: RunStep) -> None:
        self.steps_done.append(run_step.type)


def _prepare(client: openai.OpenAI) -> tuple[str, str]:
    assistant = client.beta.assistants.create(model="gpt-4o", tools=SHOP_TOOLS)  # type: ignore[arg-type]
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Weather?"}])
    return assistant.id, thread.id


def test_stream_helper_with_event_handler(client: openai.OpenAI, api: AssistantsAPI) -> None:
    api.load_scenario(load_scenario("builtin:tool-call-then-completed"))
    assistant_id, thread_id = _prepare(client)
    handler = Recorder()
    with client.beta.threads.runs.stream(
        thread_id=thread_id, assistant_id=assistant_id, event_handler=handler
    ) as stream:
        stream.until_done()
        run = stream.get_final_run()
    assert run.status == "requires_action"
    assert handler.tools == ["function"]
    assert run.required_action is not None
    call = run.required_action.submit_tool_outputs.tool_calls[0]
    # Assembled from partial deltas: the name first, then the arguments 8 characters at a time.
    assert check_calls([call]) == ["lookup_order"]
    deltas = 1 + -(-len(call.function.arguments) // 8)
    assert handler.events == [
        "thread.run.created",
        "thread.run.queued",
        "thread.run.in_progress",
        "thread.run.step.created",
        "thread.run.step.in_progress",
        *["thread.run.step.delta"] * deltas,
        "thread.run.requires_action",
    ]
    second = Recorder()
    with client.beta.threads.runs.submit_tool_outputs_stream(
        thread_id=thread_id,
        run_id=run.id,
        tool_outputs=[{"tool_call_id": call.id, "output": "18"}],
        event_handler=second,
    ) as stream:
        stream.until_done()
        final_run = stream.get_final_run()
        final_messages = stream.get_final_messages()
        final_steps = stream.get_final_run_steps()
    assert final_run.status == "completed"
    assert second.events[0] == "thread.run.step.completed"  # the tool step, now with output
    assert second.text == "Here is the answer, from what the tool returned."
    assert second.texts_done == [second.text]
    assert final_messages[0].content[0].text.value == second.text  # type: ignore[union-attr]
    assert second.steps_done == ["tool_calls", "message_creation"]
    # The SDK snapshots only steps created within this stream; the tool step came before.
    assert [s.type for s in final_steps] == ["message_creation"]
    stored = client.beta.threads.messages.list(thread_id).data[0]
    assert stored.content[0].text.value == second.text  # type: ignore[union-attr]
    assert api.state.journal.timeline(run.id) == (
        "queued › in_progress › requires_action › queued › in_progress › completed"
    )


def test_raw_create_stream_iteration(client: openai.OpenAI) -> None:
    assistant_id, thread_id = _prepare(client)
    events = list(
        client.beta.threads.runs.create(thread_id=thread_id, assistant_id=assistant_id, stream=True)
    )
    names = [e.event for e in events]
    assert names[:3] == ["thread.run.created", "thread.run.queued", "thread.run.in_progress"]
    assert names[-1] == "thread.run.completed"
    created = names.index("thread.message.created")
    deltas = [i for i, n in enumerate(names) if n == "thread.message.delta"]
    assert len(deltas) >= 2  # text arrives in several chunks
    assert min(deltas) > created
    text = "".join(
        e.data.delta.content[0].text.value  # type: ignore[union-attr]
        for e in events
        if e.event == "thread.message.delta"
    )
    completed = next(e.data for e in events if e.event == "thread.message.completed")
    assert isinstance(completed, Message)
    assert completed.content[0].text.value == text  # type: ignore[union-attr]


def test_create_thread_and_run_stream_starts_with_thread_created(client: openai.OpenAI) -> None:
    assistant = client.beta.assistants.create(model="gpt-4o")
    handler = Recorder()
    with client.beta.threads.create_and_run_stream(
        assistant_id=assistant.id,
        thread={"messages": [{"role": "user", "content": "hi"}]},
        event_handler=handler,
    ) as stream:
        stream.until_done()
        run = stream.get_final_run()
    assert handler.events[0] == "thread.created"
    assert handler.events[1] == "thread.run.created"
    assert run.status == "completed"
    assert isinstance(run, Run)


def test_parallel_calls_stream_one_delta_chain_each(
    client: openai.OpenAI, api: AssistantsAPI
) -> None:
    api.load_scenario(load_scenario("builtin:parallel-tool-calls"))
    assistant_id, thread_id = _prepare(client)
    with client.beta.threads.runs.stream(thread_id=thread_id, assistant_id=assistant_id) as stream:
        stream.until_done()
        run = stream.get_final_run()
    assert run.required_action is not None
    calls = run.required_action.submit_tool_outputs.tool_calls
    assert check_calls(calls) == ["lookup_order", "convert_units"]  # the declared ones, in order
    step = stream.get_final_run_steps()[0]
    assert [c.function.arguments for c in step.step_details.tool_calls] == [  # type: ignore[union-attr]
        c.function.arguments for c in calls
    ]


def test_sse_wire_format(server: FakeServer) -> None:
    client = openai.OpenAI(base_url=server.base_url, api_key="sk", max_retries=0)
    assistant_id, thread_id = _prepare(client)
    response = httpx2.post(
        f"{server.base_url}/threads/{thread_id}/runs",
        headers={"Authorization": "Bearer sk", "OpenAI-Beta": "assistants=v2"},
        json={"assistant_id": assistant_id, "stream": True},
    )
    assert response.headers["content-type"].startswith("text/event-stream")
    blocks = response.text.split("\n\n")
    assert blocks[0].startswith("event: thread.run.created\ndata: {")
    assert blocks[-2] == "event: done\ndata: [DONE]"
    assert blocks[-1] == ""
    for block in blocks[:-2]:
        event_line, data_line = block.split("\n")
        assert event_line.startswith("event: thread.")
        assert data_line.startswith("data: {")
        assert ", " not in data_line[:40]  # compact JSON


async def test_async_stream_helpers(aclient: openai.AsyncOpenAI, api: AssistantsAPI) -> None:
    api.load_scenario(load_scenario("builtin:tool-call-then-completed"))
    assistant = await aclient.beta.assistants.create(model="gpt-4o", tools=SHOP_TOOLS)  # type: ignore[arg-type]
    thread = await aclient.beta.threads.create(messages=[{"role": "user", "content": "?"}])

    class AsyncRecorder(AsyncAssistantEventHandler):
        def __init__(self) -> None:
            super().__init__()
            self.text = ""

        async def on_text_delta(self, delta: TextDelta, snapshot: Text) -> None:
            self.text += delta.value or ""

    async with aclient.beta.threads.runs.stream(
        thread_id=thread.id, assistant_id=assistant.id
    ) as stream:
        await stream.until_done()
        run = await stream.get_final_run()
    assert run.status == "requires_action"
    assert run.required_action is not None
    call = run.required_action.submit_tool_outputs.tool_calls[0]
    handler = AsyncRecorder()
    async with aclient.beta.threads.runs.submit_tool_outputs_stream(
        thread_id=thread.id,
        run_id=run.id,
        tool_outputs=[{"tool_call_id": call.id, "output": "18"}],
        event_handler=handler,
    ) as stream:
        await stream.until_done()
        messages = await stream.get_final_messages()
    assert handler.text == messages[0].content[0].text.value  # type: ignore[union-attr]
    raw = await aclient.beta.threads.runs.create(
        thread_id=thread.id, assistant_id=assistant.id, stream=True
    )
    names = [event.event async for event in raw]
    assert names[-1] == "thread.run.completed"


def test_streamed_and_polled_runs_tell_the_same_story(
    client: openai.OpenAI, api: AssistantsAPI
) -> None:
    stories = []
    for streamed in (False, True):
        api.load_scenario(load_scenario("builtin:two-tool-rounds"))
        assistant_id, thread_id = _prepare(client)
        if streamed:
            with client.beta.threads.runs.stream(
                thread_id=thread_id, assistant_id=assistant_id
            ) as s:
                s.until_done()
                run = s.get_final_run()
        else:
            run = client.beta.threads.runs.create_and_poll(
                thread_id=thread_id, assistant_id=assistant_id
            )
        while run.status == "requires_action":
            assert run.required_action is not None
            outputs = [
                {"tool_call_id": c.id, "output": "18"}
                for c in run.required_action.submit_tool_outputs.tool_calls
            ]
            if streamed:
                with client.beta.threads.runs.submit_tool_outputs_stream(
                    thread_id=thread_id, run_id=run.id, tool_outputs=outputs
                ) as s:
                    s.until_done()
                    run = s.get_final_run()
            else:
                run = client.beta.threads.runs.submit_tool_outputs_and_poll(
                    run_id=run.id, thread_id=thread_id, tool_outputs=outputs
                )
        messages = [m.content[0].text.value for m in client.beta.threads.messages.list(thread_id)]  # type: ignore[union-attr]
        steps = [
            (s.type, s.status)
            for s in client.beta.threads.runs.steps.list(run.id, thread_id=thread_id)
        ]
        stories.append((run.status, api.state.journal.timeline(run.id), messages, steps, run.usage))
    assert stories[0] == stories[1]


@pytest.mark.parametrize("cut", [1, 4])
def test_an_ended_stream_still_leaves_a_retrievable_run(
    client: openai.OpenAI, api: AssistantsAPI, cut: int
) -> None:
    assistant_id, thread_id = _prepare(client)
    stream = client.beta.threads.runs.create(
        thread_id=thread_id, assistant_id=assistant_id, stream=True
    )
    seen = [event for _, event in zip(range(cut), stream, strict=False)]
    stream.close()
    run = client.beta.threads.runs.retrieve(seen[0].data.id, thread_id=thread_id)  # type: ignore[union-attr]
    assert run.status in {"queued", "in_progress", "completed"}
    assert client.beta.threads.runs.poll(run.id, thread_id=thread_id).status == "completed"


def test_a_scripted_error_event_reaches_the_raw_stream(
    client: openai.OpenAI, api: AssistantsAPI
) -> None:
    api.load_scenario(
        parse_scenario(
            "name: e\nfaults:\n  - {match: {method: POST, path: '/v1/threads/*/runs'}, stream_error_after: 3}\n"
        )
    )
    assistant_id, thread_id = _prepare(client)
    events = list(
        client.beta.threads.runs.create(thread_id=thread_id, assistant_id=assistant_id, stream=True)
    )
    assert [e.event for e in events[:3]] == [
        "thread.run.created",
        "thread.run.queued",
        "thread.run.in_progress",
    ]
    assert len(events) == 4
    last: Any = events[-1]
    # openai 2.x/3.x wrap it as ErrorEvent; 1.x yields the bare error object (no event name).
    error = last.data if getattr(last, "event", None) == "error" else last
    assert error.message.startswith("The server had an error")
    # The run itself went on.
    assert client.beta.threads.runs.list(thread_id).data[0].status == "completed"
