"""The replay server against the real openai SDK (sync in a thread, async in the test loop)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openai
import pytest
from aiohttp import ClientSession, web
from openai import AssistantEventHandler
from openai.types.beta.threads.runs import RunStep, ToolCall

from harness.cassettes import MISSES, Cassette, Replayer, load_cassette, replay_app

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

INSTRUCTIONS = "Please address the user as Jane Doe. The user has a premium account."


def _recorded(cassette: Cassette, method: str, path_end: str) -> Any:
    """The JSON body of the first recorded ``method`` request whose path ends with ``path_end``."""
    for interaction in cassette:
        request = interaction.request
        if request.method == method and request.path.endswith(path_end):
            return request.json()
    raise AssertionError(f"no {method} …{path_end} in the cassette")


def _prepare(client: openai.OpenAI, cassette: Cassette) -> tuple[str, str]:
    """Replays create assistant, thread and message with the recorded arguments."""
    body = _recorded(cassette, "POST", "/assistants")
    assistant = client.beta.assistants.create(**body)
    thread = client.beta.threads.create()
    message = _recorded(cassette, "POST", "/messages")
    client.beta.threads.messages.create(thread.id, role="user", content=message["content"])
    return assistant.id, thread.id


def test_sdk_polls_a_replayed_run_to_completed(
    polling_recording: Path, serve_in_thread: Callable[[web.Application], Any]
) -> None:
    cassette = load_cassette(polling_recording)
    app = replay_app(cassette)
    server = serve_in_thread(app)
    client = openai.OpenAI(base_url=f"{server.url}/v1", api_key="sk-test", max_retries=0)

    assistant_id, thread_id = _prepare(client, cassette)
    run = client.beta.threads.runs.create(
        thread_id, assistant_id=assistant_id, instructions=INSTRUCTIONS, stream=False
    )
    assert run.status == "queued"
    final = client.beta.threads.runs.poll(run.id, thread_id=thread_id, poll_interval_ms=1)
    assert final.status == "completed"
    # polling more often than the recording did keeps answering the terminal state
    for _ in range(5):
        assert client.beta.threads.runs.retrieve(run.id, thread_id=thread_id).status == "completed"
    messages = client.beta.threads.messages.list(thread_id, order="asc")
    assert next(m.role for m in messages.data) == "user"
    assert messages.data[-1].role == "assistant"
    assert client.beta.assistants.retrieve(assistant_id).name == "Math Tutor"
    assert app[MISSES] == []


class Recorder(AssistantEventHandler):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[str] = []
        self.tools: list[str] = []
        self.steps: list[str] = []

    def on_event(self, event: Any) -> None:
        self.events.append(event.event)

    def on_tool_call_created(self, tool_call: ToolCall) -> None:
        self.tools.append(tool_call.type)

    def on_run_step_done(self, run_step: RunStep) -> None:
        self.steps.append(run_step.type)


def test_sdk_streams_a_replayed_run_through_an_event_handler(
    streaming_recording: Path, serve_in_thread: Callable[[web.Application], Any]
) -> None:
    cassette = load_cassette(streaming_recording)
    server = serve_in_thread(replay_app(cassette))
    client = openai.OpenAI(base_url=f"{server.url}/v1", api_key="sk-test", max_retries=0)
    assistant_id, thread_id = _prepare(client, cassette)
    assert client.beta.assistants.retrieve(assistant_id).id == assistant_id

    handler = Recorder()
    with client.beta.threads.runs.stream(
        thread_id=thread_id,
        assistant_id=assistant_id,
        instructions=INSTRUCTIONS,
        event_handler=handler,
    ) as stream:
        stream.until_done()
        run = stream.get_final_run()
    assert run.status == "completed"
    recorded = [name for name, _ in cassette.interactions[-1].response.sse_events()]
    assert handler.events == recorded[:-1]  # everything but the final "done"
    assert "code_interpreter" in handler.tools
    assert handler.steps[-1] == "message_creation"


async def test_async_sdk_replays_too(aiohttp_server: Any, polling_recording: Path) -> None:
    cassette = load_cassette(polling_recording)
    server = await aiohttp_server(replay_app(cassette))
    body = _recorded(cassette, "POST", "/runs")
    thread_id = cassette.interactions[1].response.json()["id"]
    async with openai.AsyncOpenAI(
        base_url=str(server.make_url("/v1")), api_key="sk-test", max_retries=0
    ) as client:
        run = await client.beta.threads.runs.create(thread_id, **body)
        final = await client.beta.threads.runs.poll(run.id, thread_id=thread_id, poll_interval_ms=1)
    assert final.status == "completed"


async def test_a_miss_answers_404_with_an_openai_error_and_is_kept(
    aiohttp_server: Any, polling_recording: Path
) -> None:
    cassette = load_cassette(polling_recording)
    app = replay_app(Replayer(cassette))
    server = await aiohttp_server(app)
    async with openai.AsyncOpenAI(
        base_url=str(server.make_url("/v1")), api_key="sk-test", max_retries=0
    ) as client:
        with pytest.raises(openai.NotFoundError) as raised:
            await client.beta.assistants.create(model="gpt-4o", name="Not the recorded one")
    error = raised.value
    assert error.code == "cassette_miss"
    assert error.type == "invalid_request_error"
    assert "no recorded interaction matches POST /v1/assistants" in error.message
    assert "body differs: $.instructions only in the recording" in error.message
    assert len(app[MISSES]) == 1
    assert "POST /v1/assistants" in str(app[MISSES][0])


async def test_sse_is_served_as_an_event_stream(
    aiohttp_server: Any, streaming_recording: Path
) -> None:
    cassette = load_cassette(streaming_recording)
    streamed = cassette.interactions[-1]
    server = await aiohttp_server(replay_app(cassette, event_delay=0.001))
    async with (
        ClientSession() as session,
        session.post(
            server.make_url(streamed.request.path), data=streamed.request.content
        ) as response,
    ):
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/event-stream")
        assert "Content-Length" not in response.headers
        assert response.headers.get("Transfer-Encoding") == "chunked"
        text = (await response.read()).decode()
    assert text == streamed.response.text
    async with (
        ClientSession() as session,
        session.post(
            server.make_url("/v1/threads"), json={}, headers={"Accept-Encoding": "gzip"}
        ) as response,
    ):
        assert response.status == 200
        assert "Set-Cookie" not in response.headers
        assert json.loads(await response.read())["object"] == "thread"
