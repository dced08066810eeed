"""Every error the real API gave, with its status, SDK exception class and exact message."""

from __future__ import annotations

import json

import httpx2
import openai
import pytest

from harness import AssistantsAPI, FakeServer
from harness.scenario import load_scenario
from tests.declared_tools import SHOP_TOOLS


@pytest.fixture
def thread_with_active_run(client: openai.OpenAI) -> tuple[str, str, str]:
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    return assistant.id, thread.id, run.id


def _message(error: openai.APIStatusError) -> object:
    """The API's own message (the SDK prefixes ``.message`` with the status code)."""
    assert isinstance(error.body, dict)
    return error.body["message"]


def test_message_into_locked_thread(
    client: openai.OpenAI, api: AssistantsAPI, thread_with_active_run: tuple[str, str, str]
) -> None:
    _, thread_id, run_id = thread_with_active_run
    with pytest.raises(openai.BadRequestError) as caught:
        client.beta.threads.messages.create(thread_id, role="user", content="more")
    assert (
        _message(caught.value)
        == f"Can't add messages to {thread_id} while a run {run_id} is active."
    )
    assert caught.value.code is None
    assert caught.value.type == "invalid_request_error"
    assert [v.rule for v in api.state.journal.violations] == ["locked-thread"]


def test_second_run_on_locked_thread(
    client: openai.OpenAI, thread_with_active_run: tuple[str, str, str]
) -> None:
    assistant_id, thread_id, run_id = thread_with_active_run
    with pytest.raises(openai.BadRequestError) as caught:
        client.beta.threads.runs.create(thread_id=thread_id, assistant_id=assistant_id)
    assert _message(caught.value) == f"Thread {thread_id} already has an active run {run_id}."


def test_requires_action_keeps_the_thread_locked(client: openai.OpenAI, api: AssistantsAPI) -> None:
    api.load_scenario(load_scenario("builtin:tool-call-then-completed"))
    assistant = client.beta.assistants.create(model="gpt-4o", tools=SHOP_TOOLS)  # type: ignore[arg-type]
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    assert run.status == "requires_action"
    with pytest.raises(openai.BadRequestError, match="already has an active run"):
        client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)


def test_tool_outputs_with_missing_or_extra_ids(client: openai.OpenAI, api: AssistantsAPI) -> None:
    api.load_scenario(load_scenario("builtin:parallel-tool-calls"))
    assistant = client.beta.assistants.create(model="gpt-4o", tools=SHOP_TOOLS)  # type: ignore[arg-type]
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    assert run.required_action is not None
    first, second = (c.id for c in run.required_action.submit_tool_outputs.tool_calls)
    with pytest.raises(openai.BadRequestError) as caught:
        client.beta.threads.runs.submit_tool_outputs(
            run.id, thread_id=thread.id, tool_outputs=[{"tool_call_id": first, "output": "1"}]
        )
    assert _message(caught.value) == (
        f"Expected tool outputs for call_ids ['{first}', '{second}'], got ['{first}']"
    )
    with pytest.raises(openai.BadRequestError, match="Expected tool outputs for call_ids"):
        client.beta.threads.runs.submit_tool_outputs(
            run.id,
            thread_id=thread.id,
            tool_outputs=[
                {"tool_call_id": first, "output": "1"},
                {"tool_call_id": second, "output": "2"},
                {"tool_call_id": "call_extra", "output": "3"},
            ],
        )


def test_tool_outputs_to_a_run_not_waiting_for_them(
    client: openai.OpenAI, thread_with_active_run: tuple[str, str, str]
) -> None:
    _, thread_id, run_id = thread_with_active_run
    with pytest.raises(openai.BadRequestError) as caught:
        client.beta.threads.runs.submit_tool_outputs(
            run_id, thread_id=thread_id, tool_outputs=[{"tool_call_id": "call_x", "output": "1"}]
        )
    assert _message(caught.value) == 'Runs in status "queued" do not accept tool outputs.'


def test_cancel_a_terminal_run(
    client: openai.OpenAI, thread_with_active_run: tuple[str, str, str]
) -> None:
    _, thread_id, run_id = thread_with_active_run
    client.beta.threads.runs.poll(run_id, thread_id=thread_id)
    with pytest.raises(openai.BadRequestError) as caught:
        client.beta.threads.runs.cancel(run_id, thread_id=thread_id)
    assert _message(caught.value) == "Cannot cancel run with status 'completed'."


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda c: c.beta.threads.retrieve("thread_unknown"),
            "No thread found with id 'thread_unknown'.",
        ),
        (
            lambda c: c.beta.assistants.retrieve("asst_unknown"),
            "No assistant found with id 'asst_unknown'.",
        ),
        (lambda c: c.beta.assistants.retrieve("abcd"), "No assistant found with id 'abcd'."),
    ],
)
def test_unknown_ids_are_404(client: openai.OpenAI, call: object, message: str) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        call(client)  # type: ignore[operator]
    assert _message(caught.value) == message


def test_unknown_run_message_and_step(client: openai.OpenAI) -> None:
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    with pytest.raises(openai.NotFoundError, match=r"No run found with id 'run_x'\."):
        client.beta.threads.runs.retrieve("run_x", thread_id=thread.id)
    with pytest.raises(openai.NotFoundError, match=r"No message found with id 'msg_x'\."):
        client.beta.threads.messages.retrieve("msg_x", thread_id=thread.id)


def test_wrong_id_prefixes(client: openai.OpenAI) -> None:
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    with pytest.raises(openai.BadRequestError) as caught:
        client.beta.threads.runs.create(thread_id=thread.id, assistant_id="wf_123")
    assert (
        _message(caught.value)
        == "Invalid 'assistant_id': 'wf_123'. Expected an ID that begins with 'asst'."
    )
    assert (caught.value.param, caught.value.code) == ("assistant_id", "invalid_value")
    with pytest.raises(openai.BadRequestError) as caught:
        client.beta.threads.messages.list("undefined")
    assert (
        _message(caught.value)
        == "Invalid 'thread_id': 'undefined'. Expected an ID that begins with 'thread'."
    )


def test_missing_and_unknown_parameters(client: openai.OpenAI) -> None:
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    with pytest.raises(openai.BadRequestError) as caught:
        client.beta.threads.runs.create(thread_id=thread.id, assistant_id=None)  # type: ignore[arg-type]
    assert _message(caught.value) == "Missing required parameter: 'assistant_id'."
    assert caught.value.code == "missing_required_parameter"
    with pytest.raises(
        openai.BadRequestError, match="Unrecognized request argument supplied: bogus"
    ):
        client.beta.assistants.create(model="gpt-4o", extra_body={"bogus": 1})


def test_metadata_limits(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.beta.threads.create(metadata={f"k{i}": "v" for i in range(17)})
    assert _message(caught.value) == (
        "Invalid 'metadata': too many properties. Expected an object with at most 16 properties, "
        "but got an object with 17 properties instead."
    )
    assert caught.value.code == "object_above_max_properties"
    with pytest.raises(openai.BadRequestError) as caught:
        client.beta.threads.create(metadata={"k" * 65: "v"})
    assert caught.value.code == "property_name_above_max_length"
    assert caught.value.param == "metadata." + "k" * 65
    with pytest.raises(openai.BadRequestError) as caught:
        client.beta.threads.create(metadata={"k": "v" * 600})
    assert _message(caught.value) == (
        "Invalid 'metadata.k': string too long. Expected a string with maximum length 512, but got "
        "a string with length 600 instead."
    )
    assert (
        len(
            client.beta.threads.create(metadata={f"k{i}": "v" * 512 for i in range(16)}).metadata
            or {}
        )
        == 16
    )


@pytest.mark.parametrize(
    ("limit", "code"), [(0, "integer_below_min_value"), (101, "integer_above_max_value")]
)
def test_bad_limit(client: openai.OpenAI, limit: int, code: str) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.beta.assistants.list(limit=limit)
    assert caught.value.code == code
    assert caught.value.param == "limit"


def test_bad_order(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.beta.assistants.list(order="sideways")  # type: ignore[arg-type]
    assert (
        _message(caught.value)
        == "Invalid value: 'sideways'. Supported values are: 'asc' and 'desc'."
    )


def _raw(server: FakeServer, method: str, path: str, **kwargs: object) -> httpx2.Response:
    headers = {"Authorization": "Bearer sk-test", "OpenAI-Beta": "assistants=v2"}
    headers.update(kwargs.pop("headers", {}))  # type: ignore[arg-type]
    return httpx2.request(method, server.url + path, headers=headers, **kwargs)  # type: ignore[arg-type]


def test_missing_beta_header(server: FakeServer, api: AssistantsAPI) -> None:
    response = _raw(server, "GET", "/v1/assistants", headers={"OpenAI-Beta": ""})
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "message": "You must provide the 'OpenAI-Beta' header to access the Assistants API. "
            "Please try again by setting the header 'OpenAI-Beta: assistants=v2'.",
            "type": "invalid_request_error",
            "param": None,
            "code": "invalid_beta",
        }
    }
    assert [v.rule for v in api.state.journal.violations] == ["beta-header"]
    v1 = _raw(server, "GET", "/v1/assistants", headers={"OpenAI-Beta": "assistants=v1"})
    assert "The v1 Assistants API has been deprecated" in v1.json()["error"]["message"]


def test_missing_api_key(server: FakeServer) -> None:
    response = httpx2.get(server.url + "/v1/assistants", headers={"OpenAI-Beta": "assistants=v2"})
    assert response.status_code == 401
    assert response.json()["error"]["message"].startswith("You didn't provide an API key.")


def test_unknown_path_is_404_and_wrong_method_405(server: FakeServer) -> None:
    unknown = _raw(server, "POST", "/v1/nowhere")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["message"] == "Invalid URL (POST /v1/nowhere)"
    wrong = _raw(server, "DELETE", "/v1/threads/thread_x/runs")
    assert wrong.status_code == 405
    assert wrong.headers["allow"] == "GET, POST"
    assert set(wrong.json()["error"]) == {"message", "type", "param", "code"}


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b""])
def test_malformed_bodies_get_400_not_500(server: FakeServer, body: bytes) -> None:
    response = _raw(server, "POST", "/v1/assistants", content=body)
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error"


@pytest.mark.parametrize(
    "payload",
    [
        {"model": 5},
        {"model": "gpt-4o", "tools": [{"type": "browser"}]},
        {"model": "gpt-4o", "tools": [{"type": "function"}]},
        {"model": "gpt-4o", "temperature": 3},
        {"model": "gpt-4o", "temperature": True},
        {"model": "gpt-4o", "name": "n" * 257},
        {"model": "gpt-4o", "metadata": {"k": 1}},
        {"model": "gpt-4o", "tools": "nope"},
    ],
)
def test_invalid_assistant_fields(server: FakeServer, payload: dict[str, object]) -> None:
    response = _raw(server, "POST", "/v1/assistants", content=json.dumps(payload).encode())
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] is not None


def test_retries_are_not_triggered_by_lock_errors(server: FakeServer, api: AssistantsAPI) -> None:
    """A locked thread is a 400 (not 409), so the SDK does not retry it three times."""
    client = openai.OpenAI(base_url=server.base_url, api_key="sk-test", max_retries=2)
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    before = len(api.state.journal.requests)
    with pytest.raises(openai.BadRequestError):
        client.beta.threads.messages.create(thread.id, role="user", content="x")
    assert len(api.state.journal.requests) == before + 1
