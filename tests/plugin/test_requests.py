"""``harness_server.requests``: what the client sent, as pytest_httpx and respx users assert on it."""

from __future__ import annotations

import json

import openai
import pytest

from harness.pytest_plugin import HarnessServer

SUBMIT = "/v1/threads/*/runs/*/submit_tool_outputs"


@pytest.mark.harness_scenario("builtin:tool-call-then-completed")
def test_assert_on_the_tool_outputs_the_client_submitted(
    harness_client: openai.OpenAI, harness_server: HarnessServer
) -> None:
    assistant = harness_client.beta.assistants.create(
        model="gpt-4o", tools=[{"type": "function", "function": {"name": "get_weather"}}]
    )
    thread = harness_client.beta.threads.create(messages=[{"role": "user", "content": "Paris?"}])
    run = harness_client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id
    )
    assert run.required_action is not None
    call = run.required_action.submit_tool_outputs.tool_calls[0]
    harness_client.beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=run.id,
        thread_id=thread.id,
        tool_outputs=[{"tool_call_id": call.id, "output": json.dumps({"celsius": 18})}],
    )

    submitted = harness_server.get_request("POST", SUBMIT)
    assert submitted.status == 200
    assert submitted.body["tool_outputs"] == [
        {"tool_call_id": call.id, "output": '{"celsius": 18}'}
    ]
    created = harness_server.get_request("POST", "/v1/threads")
    assert created.body["messages"][0]["content"] == "Paris?"
    polls = harness_server.get_requests("GET", f"/v1/threads/{thread.id}/runs/{run.id}")
    assert polls
    assert all(poll.body is None for poll in polls)
    assert [r.method for r in harness_server.requests][:3] == ["POST", "POST", "POST"]


def test_query_and_status_are_kept(
    harness_client: openai.OpenAI, harness_server: HarnessServer
) -> None:
    harness_client.beta.assistants.list(limit=2, order="asc")
    with pytest.raises(openai.NotFoundError):
        harness_client.beta.threads.retrieve("thread_missing")
    listed = harness_server.get_request("GET", "/v1/assistants")
    assert listed.params == {"limit": "2", "order": "asc"}
    assert harness_server.get_request(status=404).path == "/v1/threads/thread_missing"


def test_get_request_says_what_it_found(harness_server: HarnessServer) -> None:
    with pytest.raises(AssertionError, match="expected one request POST /v1/threads, got 0: none"):
        harness_server.get_request("POST", "/v1/threads")


def test_secrets_never_reach_the_journal(harness_server: HarnessServer) -> None:
    key = "sk-" + "proj-AbCdEfGhIjKlMnOpQrStUvWx0123456789"
    project = "proj_" + "tzz1TbPPOXaf6j9tEkVUBIAa"
    client = harness_server.client(api_key=key, organization="org-" + "A" * 24, project=project)
    try:
        client.beta.assistants.create(model="gpt-4o", metadata={"note": f"key {key} of {project}"})
        client.beta.assistants.list(extra_query={"api-key": "plain-secret"})
    finally:
        client.close()
    stored = repr(harness_server.requests)
    for secret in (key, project, "plain-secret", "A" * 24):
        assert secret not in stored
    created = harness_server.get_request("POST", "/v1/assistants")
    assert created.body["metadata"]["note"] == "key sk-<scrubbed> of proj_<scrubbed>"
    assert harness_server.get_request("GET", "/v1/assistants").params["api-key"] == "<scrubbed>"
