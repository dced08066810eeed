"""The real ``AzureOpenAI`` and ``azure-ai-agents`` clients against ``--dialect azure --tls``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai
import pytest

agents = pytest.importorskip("azure.ai.agents")
from azure.ai.agents import AgentsClient  # noqa: E402
from azure.ai.agents.models import ToolOutput  # noqa: E402
from azure.core.exceptions import ResourceNotFoundError, ServiceRequestError  # noqa: E402

from harness import AssistantsAPI, FakeServer  # noqa: E402
from harness.dialects.azure.credentials import StaticTokenCredential  # noqa: E402

API_VERSION = "2024-05-01-preview"
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}


@pytest.fixture
def azure_openai(azure_server: FakeServer) -> Iterator[openai.AzureOpenAI]:
    assert azure_server.tls is not None
    http = openai.DefaultHttpxClient(verify=str(azure_server.tls.ca_bundle))
    client = openai.AzureOpenAI(
        azure_endpoint=azure_server.url,
        api_key="azure-test-key",
        api_version=API_VERSION,
        http_client=http,
        max_retries=0,
    )
    yield client
    client.close()


@pytest.fixture
def agents_client(azure_server: FakeServer) -> Iterator[AgentsClient]:
    assert azure_server.tls is not None
    client = AgentsClient(
        endpoint=f"{azure_server.url}/api/projects/demo",
        credential=StaticTokenCredential(),
        connection_verify=str(azure_server.tls.ca_bundle),
        retry_total=0,
    )
    yield client
    client.close()


def test_azure_openai_polls_a_run_to_completion(
    azure_openai: openai.AzureOpenAI, azure_server: FakeServer
) -> None:
    assistant = azure_openai.beta.assistants.create(model="gpt-4o-deployment")
    thread = azure_openai.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    run = azure_openai.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=0
    )
    assert run.status == "completed"
    reply = azure_openai.beta.threads.messages.list(thread_id=thread.id).data[0]
    assert reply.content[0].text.value == "Hello! This is the harness fake assistant."  # type: ignore[union-attr]
    assert azure_server.api.state.journal.violations == []


@pytest.mark.scenario("builtin:tool-call-then-completed")
def test_azure_openai_streams_a_tool_round_trip(azure_openai: openai.AzureOpenAI) -> None:
    assistant = azure_openai.beta.assistants.create(model="gpt-4o", tools=[WEATHER])  # type: ignore[list-item]
    thread = azure_openai.beta.threads.create(messages=[{"role": "user", "content": "Paris?"}])
    with azure_openai.beta.threads.runs.stream(
        thread_id=thread.id, assistant_id=assistant.id
    ) as stream:
        events = [event.event for event in stream]
        run = stream.current_run
    assert events[-1] == "thread.run.requires_action"
    assert run is not None
    assert run.required_action is not None
    call = run.required_action.submit_tool_outputs.tool_calls[0]
    with azure_openai.beta.threads.runs.submit_tool_outputs_stream(
        thread_id=thread.id, run_id=run.id, tool_outputs=[{"tool_call_id": call.id, "output": "18"}]
    ) as stream:
        stream.until_done()
        assert stream.current_run is not None
        assert stream.current_run.status == "completed"


def test_azure_openai_errors_are_azure_envelopes(azure_openai: openai.AzureOpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        azure_openai.beta.threads.retrieve("thread_missing")
    assert caught.value.body == {
        "code": "invalid_request_error",
        "message": "No thread found with id 'thread_missing'.",
        "param": None,
        "type": "invalid_request_error",
    }


def test_azure_openai_needs_an_api_version(azure_server: FakeServer) -> None:
    import httpx2

    assert azure_server.tls is not None
    with httpx2.Client(verify=str(azure_server.tls.ca_bundle)) as http:
        response = http.get(f"{azure_server.url}/openai/assistants", headers={"api-key": "k"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "MissingApiVersionParameter"


def test_agents_client_polls_a_run_on_a_foundry_project(agents_client: AgentsClient) -> None:
    agent = agents_client.create_agent(model="gpt-4o", name="helper", instructions="Be brief.")
    thread = agents_client.threads.create()
    agents_client.messages.create(thread_id=thread.id, role="user", content="Hi")
    run = agents_client.runs.create_and_process(
        thread_id=thread.id, agent_id=agent.id, polling_interval=0
    )
    assert run.status == "completed"
    messages = list(agents_client.messages.list(thread_id=thread.id))
    assert messages[0].text_messages[0].text.value == "Hello! This is the harness fake assistant."
    assert [r.id for r in agents_client.runs.list(thread_id=thread.id)] == [run.id]
    assert agents_client.delete_agent(agent.id) is None


@pytest.mark.scenario("builtin:tool-call-then-completed")
def test_agents_client_tool_round_trip_polling_and_streaming(agents_client: AgentsClient) -> None:
    polled, tool, streamed = _agents_round_trip(agents_client)
    assert polled[-1] == "RunStatus.REQUIRES_ACTION"
    assert tool == "get_weather"
    assert streamed[0] == "queued"
    assert streamed[-1] == "completed"


class _Collector(agents.models.AgentEventHandler):  # type: ignore[misc,name-defined]
    def __init__(self, seen: list[Any]) -> None:
        super().__init__()
        self.seen = seen

    def on_thread_run(self, run: Any) -> None:
        self.seen.append(str(run.status.value if hasattr(run.status, "value") else run.status))


def test_agents_client_errors_are_azure_errors(agents_client: AgentsClient) -> None:
    with pytest.raises(ResourceNotFoundError) as caught:
        agents_client.threads.get("thread_missing")
    assert caught.value.error is not None
    assert caught.value.error.code == "invalid_request_error"
    assert caught.value.error.message == "No thread found with id 'thread_missing'."


def test_agents_client_refuses_bearer_tokens_over_plain_http() -> None:
    # Why --tls exists: azure-core will not send a bearer token to an http:// endpoint.
    with FakeServer(AssistantsAPI(), dialect="azure") as server:
        client = AgentsClient(
            endpoint=f"{server.url}/api/projects/demo", credential=StaticTokenCredential()
        )
        with pytest.raises(ServiceRequestError, match="non-TLS"):
            client.threads.create()


def test_azure_openai_in_process_without_a_socket() -> None:
    from harness.dialects.azure import AzureDialect
    from harness.transport import InProcessTransport

    api = AssistantsAPI()
    transport = InProcessTransport(api, dialect=AzureDialect(api))
    client = openai.AzureOpenAI(
        azure_endpoint="https://harness.invalid",
        api_key="k",
        api_version=API_VERSION,
        http_client=openai.DefaultHttpxClient(transport=transport),
    )
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    with client.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id) as stream:
        stream.until_done()
        assert stream.current_run is not None
        assert stream.current_run.status == "completed"
    with pytest.raises(openai.NotFoundError):
        client.beta.threads.retrieve("thread_missing")
    assert len(api.state.store.runs) == 1


def test_agents_client_files_on_a_foundry_project(
    agents_client: AgentsClient, tmp_path: Any
) -> None:
    from azure.ai.agents.models import FilePurpose

    source = tmp_path / "policy.md"
    source.write_text("Refunds within 30 days.")
    uploaded = agents_client.files.upload(file_path=str(source), purpose=FilePurpose.AGENTS)
    assert uploaded.filename == "policy.md"
    assert uploaded.bytes == len("Refunds within 30 days.")
    assert [f.id for f in agents_client.files.list().data] == [uploaded.id]
    assert agents_client.files.get(uploaded.id).id == uploaded.id
    agents_client.files.delete(uploaded.id)
    with pytest.raises(ResourceNotFoundError):
        agents_client.files.get(uploaded.id)


def _agents_round_trip(client: AgentsClient) -> tuple[list[str], str, list[str]]:
    """A polled run to the tool call, its outputs streamed to the end: what the client saw."""
    agent = client.create_agent(model="gpt-4o", name="w", tools=[WEATHER])
    thread = client.threads.create()
    client.messages.create(thread_id=thread.id, role="user", content="Paris?")
    run = client.runs.create(thread_id=thread.id, agent_id=agent.id)
    polled = [str(run.status)]
    while run.status in ("queued", "in_progress"):
        run = client.runs.get(thread_id=thread.id, run_id=run.id)
        polled.append(str(run.status))
    call = run.required_action.submit_tool_outputs.tool_calls[0]  # type: ignore[union-attr]
    assert isinstance(json.loads(call.function.arguments)["city"], str)
    streamed: list[Any] = []
    handler = _Collector(streamed)
    client.runs.submit_tool_outputs_stream(
        thread_id=thread.id,
        run_id=run.id,
        tool_outputs=[ToolOutput(tool_call_id=call.id, output="18")],
        event_handler=handler,
    )
    handler.until_done()
    return polled, call.function.name, streamed


def test_agents_client_records_in_process_and_replays_without_the_server(
    tmp_path: Path,
) -> None:
    """azure-core sends through requests: the in-process cassette records and replays it."""
    from harness.cassettes import load_cassette, use_cassette
    from harness.scenario import load_scenario

    cassette = tmp_path / "agents.yaml"
    api = AssistantsAPI(scenario=load_scenario("builtin:tool-call-then-completed"))
    with FakeServer(api, dialect="azure", tls=True) as server:
        assert server.tls is not None
        endpoint, ca_bundle = f"{server.url}/api/projects/demo", str(server.tls.ca_bundle)
        client = AgentsClient(endpoint, StaticTokenCredential(), connection_verify=ca_bundle)
        with use_cassette(cassette, record_mode="once") as session:
            recorded = _agents_round_trip(client)
        assert session.new
    assert recorded[0][-1] == "RunStatus.REQUIRES_ACTION"
    assert (recorded[1], recorded[2][-1]) == ("get_weather", "completed")
    assert "Bearer" not in cassette.read_text()  # the token, scrubbed before it reached disk
    assert {i.request.path.split("/")[1] for i in load_cassette(cassette)} == {"api"}

    # The server is gone: every answer comes from the cassette.
    client = AgentsClient(endpoint, StaticTokenCredential(), connection_verify=ca_bundle)
    with use_cassette(cassette, record_mode="none") as session:
        assert _agents_round_trip(client) == recorded
    assert session.misses == []
