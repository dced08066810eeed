"""The same core serves the SDK in-process, without sockets."""

from __future__ import annotations

import httpx2
import openai
import pytest

from harness import AssistantsAPI, ServerConfig
from harness.scenario import load_scenario, parse_scenario
from harness.transport import AsyncInProcessTransport, InProcessTransport
from tests.declared_tools import SHOP_TOOLS

BASE = "http://harness.invalid/v1"


def _client(api: AssistantsAPI, **options: object) -> openai.OpenAI:
    transport = InProcessTransport(api)
    return openai.OpenAI(
        base_url=BASE,
        api_key="sk-test",
        http_client=openai.DefaultHttpxClient(transport=transport),
        **options,  # type: ignore[arg-type]
    )


def test_a_tool_round_trip_without_sockets() -> None:
    api = AssistantsAPI(
        ServerConfig(validate_responses=True, poll_after_ms=0),
        load_scenario("builtin:tool-call-then-completed"),
    )
    client = _client(api)
    assistant = client.beta.assistants.create(model="gpt-4o", tools=SHOP_TOOLS)  # type: ignore[arg-type]
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Weather?"}])
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    assert run.required_action is not None
    call = run.required_action.submit_tool_outputs.tool_calls[0]
    with client.beta.threads.runs.submit_tool_outputs_stream(
        thread_id=thread.id, run_id=run.id, tool_outputs=[{"tool_call_id": call.id, "output": "18"}]
    ) as stream:
        stream.until_done()
        assert stream.get_final_run().status == "completed"
    assert api.state.journal.timeline(run.id) == (
        "queued › in_progress › requires_action › queued › in_progress › completed"
    )
    with pytest.raises(openai.NotFoundError):
        client.beta.threads.retrieve("thread_nope")


def test_faults_behave_as_over_http() -> None:
    api = AssistantsAPI(
        ServerConfig(),
        parse_scenario("name: f\nfaults:\n  - {match: {path: /v1/assistants}, reset: true}\n"),
    )
    with pytest.raises(openai.APIConnectionError):
        _client(api, max_retries=0).beta.assistants.create(model="gpt-4o")


async def test_async_client_in_process() -> None:
    api = AssistantsAPI(ServerConfig(validate_responses=True))
    async with openai.AsyncOpenAI(
        base_url=BASE,
        api_key="sk-test",
        http_client=openai.DefaultAsyncHttpxClient(transport=AsyncInProcessTransport(api)),
    ) as client:
        assistant = await client.beta.assistants.create(model="gpt-4o")
        thread = await client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
        stream = await client.beta.threads.runs.create(
            thread_id=thread.id, assistant_id=assistant.id, stream=True
        )
        names = [event.event async for event in stream]
    assert names[-1] == "thread.run.completed"


def test_raw_httpx2_client_works_too() -> None:
    api = AssistantsAPI()
    with httpx2.Client(transport=InProcessTransport(api)) as http:
        response = http.get(f"{BASE}/assistants", headers={"Authorization": "Bearer x"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_beta"


def test_a_cut_stream_counts_events_not_pauses() -> None:
    api = AssistantsAPI(
        ServerConfig(),
        parse_scenario(
            "name: cut\n"
            "faults:\n  - {match: {method: POST, path: '/v1/threads/*/runs'}, cut_stream_after: 5}\n"
            "runs:\n  - steps:\n      - queued\n"
            "      - {status: in_progress, stream: {chunk_delay_ms: 1}}\n"
            "      - {status: completed, message: 'a b c', stream: {chunk_delay_ms: 1}}\n"
        ),
    )
    client = _client(api, max_retries=0)
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    received = []
    with pytest.raises(openai.APIConnectionError):  # noqa: PT012 - the cut comes mid-iteration
        for event in client.beta.threads.runs.create(
            thread_id=thread.id, assistant_id=assistant.id, stream=True
        ):
            received.append(event.event)
    assert received == [
        "thread.run.created",
        "thread.run.queued",
        "thread.run.in_progress",
        "thread.run.step.created",
        "thread.run.step.in_progress",
    ]
    assert client.beta.threads.runs.list(thread.id).data[0].status == "completed"


@pytest.mark.parametrize("use_async", [False, True])
async def test_in_process_transports_send_raw_bytes(use_async: bool) -> None:
    api = AssistantsAPI(ServerConfig(validate_responses=True, poll_after_ms=0))
    base = "http://harness.invalid/v1"
    data = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    if use_async:
        async with openai.AsyncOpenAI(
            base_url=base,
            api_key="sk-test",
            http_client=openai.DefaultAsyncHttpxClient(transport=AsyncInProcessTransport(api)),
        ) as aclient:
            uploaded = await aclient.files.create(file=("x.png", data), purpose="vision")
            response = await aclient.files.with_raw_response.content(uploaded.id)
            assert response.headers["content-type"] == "image/png"
            assert (await aclient.files.content(uploaded.id)).read() == data
        return
    client = openai.OpenAI(
        base_url=base,
        api_key="sk-test",
        http_client=openai.DefaultHttpxClient(transport=InProcessTransport(api)),
    )
    uploaded = client.files.create(file=("x.png", data), purpose="vision")
    assert (
        client.files.with_raw_response.content(uploaded.id).headers["content-type"] == "image/png"
    )
    assert client.files.content(uploaded.id).read() == data
