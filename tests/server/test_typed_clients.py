"""Clients that turn on the SDK's strict response validation: every object the fake returns —
assistants, threads, messages, runs, run steps, lists, deleted objects, stream events — must fit
openai's typed models, in strict and in permissive mode (``_strict_response_validation=True``
raises ``APIResponseValidationError`` on the first field that does not)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator

import openai
import pytest
from openai import AssistantEventHandler

from harness import AssistantsAPI, FakeServer, ServerConfig
from harness.scenario import builtin_names, load_scenario
from tests.declared_tools import SHOP_TOOLS, check_calls

MODES = {
    "strict": ServerConfig(validate_responses=True, poll_after_ms=0),
    "permissive": ServerConfig(validate_responses=True, poll_after_ms=0, permissive=True),
}


@pytest.fixture(scope="module", params=sorted(MODES))
def typed_server(request: pytest.FixtureRequest) -> Iterator[FakeServer]:
    with FakeServer(AssistantsAPI(MODES[request.param])) as server:
        yield server


@pytest.fixture
def typed(typed_server: FakeServer) -> openai.OpenAI:
    """A client that validates every response against the SDK's pydantic models."""
    typed_server.api.load_scenario(None)
    return openai.OpenAI(
        base_url=typed_server.base_url,
        api_key="sk-test",
        max_retries=2,
        _strict_response_validation=True,
    )


@pytest.fixture
async def atyped(typed_server: FakeServer) -> AsyncIterator[openai.AsyncOpenAI]:
    typed_server.api.load_scenario(None)
    async with openai.AsyncOpenAI(
        base_url=typed_server.base_url,
        api_key="sk-test",
        max_retries=2,
        _strict_response_validation=True,
    ) as client:
        yield client


class Everything(AssistantEventHandler):
    """Records the event names of a stream (each one already validated by the SDK)."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[str] = []

    def on_event(self, event: openai.types.beta.AssistantStreamEvent) -> None:
        self.events.append(event.event)


def _outputs(run: openai.types.beta.threads.Run) -> list[dict[str, str]]:
    assert run.required_action is not None
    calls = run.required_action.submit_tool_outputs.tool_calls
    check_calls(calls)
    return [{"tool_call_id": call.id, "output": json.dumps({"ok": True})} for call in calls]


def _read_back(client: openai.OpenAI, thread_id: str, run_id: str) -> None:
    """Every read a client makes after a run: lists and retrievals of each kind."""
    messages = client.beta.threads.messages.list(thread_id, order="asc")
    for message in messages.data:
        assert message.status in ("in_progress", "incomplete", "completed")
        client.beta.threads.messages.retrieve(message.id, thread_id=thread_id)
    steps = client.beta.threads.runs.steps.list(run_id, thread_id=thread_id)
    for step in steps.data:
        client.beta.threads.runs.steps.retrieve(step.id, thread_id=thread_id, run_id=run_id)
    client.beta.threads.runs.list(thread_id)
    client.beta.threads.retrieve(thread_id)


@pytest.mark.parametrize("name", builtin_names())
def test_polled_lifecycles_fit_the_typed_models(
    name: str, typed: openai.OpenAI, typed_server: FakeServer
) -> None:
    typed_server.api.load_scenario(load_scenario(f"builtin:{name}"))
    assistant = typed.beta.assistants.create(model="gpt-4o", tools=SHOP_TOOLS)  # type: ignore[arg-type]
    thread = typed.beta.threads.create(messages=[{"role": "user", "content": "Status?"}])
    run = typed.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    if name == "cancel-races-completion":
        typed.beta.threads.runs.cancel(run.id, thread_id=thread.id)
    while True:
        run = typed.beta.threads.runs.poll(run.id, thread_id=thread.id, poll_interval_ms=0)
        if run.status != "requires_action":
            break
        try:
            typed.beta.threads.runs.submit_tool_outputs(
                run.id, thread_id=thread.id, tool_outputs=_outputs(run)
            )
        except openai.BadRequestError:
            assert name == "requires-action-expired"
    assert run.status in ("completed", "failed", "cancelled", "expired", "incomplete")
    _read_back(typed, thread.id, run.id)
    assert typed_server.api.state.journal.violations == []


@pytest.mark.parametrize("name", builtin_names())
def test_streamed_lifecycles_fit_the_typed_models(
    name: str, typed: openai.OpenAI, typed_server: FakeServer
) -> None:
    typed_server.api.load_scenario(load_scenario(f"builtin:{name}"))
    assistant = typed.beta.assistants.create(model="gpt-4o", tools=SHOP_TOOLS)  # type: ignore[arg-type]
    thread = typed.beta.threads.create(messages=[{"role": "user", "content": "Status?"}])
    handler = Everything()
    with typed.beta.threads.runs.stream(
        thread_id=thread.id, assistant_id=assistant.id, event_handler=handler
    ) as stream:
        stream.until_done()
        run = stream.get_final_run()
    while run.status == "requires_action":
        more = Everything()
        try:
            with typed.beta.threads.runs.submit_tool_outputs_stream(
                thread_id=thread.id, run_id=run.id, tool_outputs=_outputs(run), event_handler=more
            ) as stream:
                stream.until_done()
                run = stream.get_final_run()
        except openai.BadRequestError:
            assert name == "requires-action-expired"
            run = typed.beta.threads.runs.retrieve(run.id, thread_id=thread.id)
        handler.events += more.events
    assert handler.events[0] == "thread.run.created"
    _read_back(typed, thread.id, run.id)


def test_every_endpoint_fits_the_typed_models(typed: openai.OpenAI) -> None:
    assistant = typed.beta.assistants.create(
        model="gpt-4o",
        name="typed",
        tools=SHOP_TOOLS,
        metadata={"k": "v"},  # type: ignore[arg-type]
    )
    typed.beta.assistants.retrieve(assistant.id)
    typed.beta.assistants.update(assistant.id, name="renamed")
    assert typed.beta.assistants.list(limit=5).data
    thread = typed.beta.threads.create()
    typed.beta.threads.update(thread.id, metadata={"a": "b"})
    message = typed.beta.threads.messages.create(thread.id, role="user", content="Hello")
    assert message.status == "completed"
    typed.beta.threads.messages.update(message.id, thread_id=thread.id, metadata={"x": "y"})
    run = typed.beta.threads.create_and_run_poll(
        assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "Hi"}]}
    )
    _read_back(typed, run.thread_id, run.id)
    forced = typed.beta.threads.runs.create(
        thread_id=thread.id,
        assistant_id=assistant.id,
        tool_choice={"type": "function", "function": {"name": "lookup_order"}},
    )
    forced = typed.beta.threads.runs.poll(forced.id, thread_id=thread.id, poll_interval_ms=0)
    assert forced.status == "requires_action"
    cancelled = typed.beta.threads.runs.cancel(forced.id, thread_id=thread.id)
    assert cancelled.status in ("cancelling", "cancelled")
    deleted = typed.beta.threads.messages.delete(message.id, thread_id=thread.id)
    assert deleted.deleted
    assert typed.beta.threads.delete(thread.id).deleted
    assert typed.beta.assistants.delete(assistant.id).deleted


def test_materialised_objects_fit_the_typed_models() -> None:
    """Permissive mode makes up objects for hard-coded ids: those must fit the models too."""
    with FakeServer(AssistantsAPI(MODES["permissive"])) as server:
        typed = openai.OpenAI(
            base_url=server.base_url, api_key="sk-test", _strict_response_validation=True
        )
        typed.beta.assistants.retrieve("asst_hardcoded")
        typed.beta.threads.retrieve("thread_hardcoded")
        message = typed.beta.threads.messages.retrieve(
            "msg_hardcoded", thread_id="thread_hardcoded"
        )
        assert message.status == "completed"
        typed.beta.threads.runs.retrieve("run_hardcoded", thread_id="thread_hardcoded")
        typed.beta.threads.runs.steps.retrieve(
            "step_hardcoded", thread_id="thread_hardcoded", run_id="run_hardcoded"
        )
        typed.beta.threads.runs.submit_tool_outputs(
            "run_hardcoded", thread_id="thread_hardcoded", tool_outputs=[]
        )


async def test_async_typed_client_full_round(atyped: openai.AsyncOpenAI) -> None:
    assistant = await atyped.beta.assistants.create(model="gpt-4o", tools=SHOP_TOOLS)  # type: ignore[arg-type]
    thread = await atyped.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    run = await atyped.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=0
    )
    assert run.status == "completed"
    page = await atyped.beta.threads.messages.list(thread.id)
    assert [m.status for m in page.data] == ["completed", "completed"]
