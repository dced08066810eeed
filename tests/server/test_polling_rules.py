"""Contract rules that name real hangs only: a polling loop on a finished run, and a loop that
polls a run waiting for tool outputs without submitting them. Reads in general are legal."""

from __future__ import annotations

import openai
import pytest

from harness import AssistantsAPI, FakeServer, ServerConfig
from harness.core import ApiRequest
from harness.scenario import load_scenario, parse_scenario

HEADERS = {"authorization": "Bearer sk-test", "openai-beta": "assistants=v2"}
FORCED = {"type": "function", "function": {"name": "get_weather"}}
TOOLS = [
    {"type": "function", "function": {"name": "get_weather"}},
    {"type": "function", "function": {"name": "get_time"}},
]
"""The functions the scripted calls name: a client declares the tools it is asked to call."""
TWO_CALLS = """
name: two-calls
runs:
  - steps:
      - queued
      - in_progress
      - status: requires_action
        tool_calls:
          - {id: call_weather, name: get_weather, arguments: {city: Paris}}
          - {id: call_time, name: get_time, arguments: {}}
      - in_progress
      - completed
contract: {max_polls_requires_action: 3}
"""


def _finished_run(client: openai.OpenAI) -> openai.types.beta.threads.Run:
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    assert run.status == "completed"
    return run


def poll_forever(client: openai.OpenAI, thread_id: str, run_id: str) -> None:
    """A loop that never stops by itself (it waits for a status no run takes)."""
    while True:
        run = client.beta.threads.runs.retrieve(run_id, thread_id=thread_id)
        assert run.status != "succeeded"


def _retrievals(api: AssistantsAPI, run_id: str) -> int:
    return sum(1 for r in api.state.journal.requests if r.path.endswith(f"/runs/{run_id}"))


def test_reads_of_a_finished_run_between_other_requests_are_legal(
    client: openai.OpenAI, api: AssistantsAPI
) -> None:
    run = _finished_run(client)
    for _ in range(40):
        client.beta.threads.runs.retrieve(run.id, thread_id=run.thread_id)
        client.beta.threads.messages.list(run.thread_id)  # the client does something else
    assert api.state.journal.violations == []


def test_a_client_polling_many_finished_runs_in_turn_is_legal(
    client: openai.OpenAI, api: AssistantsAPI
) -> None:
    runs = [_finished_run(client) for _ in range(3)]
    for _ in range(15):
        for run in runs:
            client.beta.threads.runs.retrieve(run.id, thread_id=run.thread_id)
    assert api.state.journal.violations == []


def test_callers_are_told_apart(server: FakeServer, api: AssistantsAPI) -> None:
    """Two clients (another user agent) each read the finished run eight times, interleaved:
    sixteen retrievals in a row at the server, but no caller is in a loop."""
    first = openai.OpenAI(base_url=server.base_url, api_key="sk-test", max_retries=0)
    second = openai.OpenAI(
        base_url=server.base_url,
        api_key="sk-test",
        max_retries=0,
        default_headers={"User-Agent": "another-client/1.0"},
    )
    run = _finished_run(first)
    for _ in range(8):
        for client in (first, second):
            client.beta.threads.runs.retrieve(run.id, thread_id=run.thread_id)
    assert api.state.journal.violations == []
    # One of them alone, past the limit, is a loop.
    with pytest.raises(openai.BadRequestError) as caught:
        poll_forever(second, run.thread_id, run.id)
    assert caught.value.code == "poll_after_terminal"
    assert [v.rule for v in api.state.journal.violations] == ["poll-after-terminal"]


def test_the_completed_message_says_what_is_true(client: openai.OpenAI, api: AssistantsAPI) -> None:
    run = _finished_run(client)
    with pytest.raises(openai.BadRequestError) as caught:
        poll_forever(client, run.thread_id, run.id)
    message = caught.value.body["message"]  # type: ignore[index]
    assert "'completed' is final" in message
    assert "hangs on 'completed'" not in message
    assert "never ends on" not in message
    assert caught.value.body["type"] == "harness_contract_violation"  # type: ignore[index]
    # The loop answered 400 on the 11th repeat (plus the poll that showed 'completed').
    assert _retrievals(api, run.id) == 2 + 11
    # The client stops looping and reads something else: the run reads fine again.
    client.beta.threads.messages.list(run.thread_id)
    assert client.beta.threads.runs.retrieve(run.id, thread_id=run.thread_id).status == (
        "completed"
    )
    assert len(api.state.journal.violations) == 1


@pytest.mark.parametrize(
    ("scenario", "detail"),
    [
        ("builtin:failed-server-error", "never ends on 'failed'; last_error: server_error: "),
        ("builtin:incomplete-max-completion-tokens", "incomplete_details.reason: max_completion"),
        ("builtin:cancelled", "never ends on 'cancelled'"),
    ],
)
def test_every_ending_has_its_own_message(
    client: openai.OpenAI, api: AssistantsAPI, scenario: str, detail: str
) -> None:
    api.load_scenario(load_scenario(scenario))
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    if scenario == "builtin:cancelled":
        client.beta.threads.runs.retrieve(run.id, thread_id=thread.id)
        client.beta.threads.runs.cancel(run.id, thread_id=thread.id)
    with pytest.raises(openai.BadRequestError) as caught:
        poll_forever(client, thread.id, run.id)
    assert detail in caught.value.body["message"]  # type: ignore[index]
    (violation,) = api.state.journal.violations
    assert detail in violation.message


def naive_wait(client: openai.OpenAI, thread_id: str, run_id: str) -> str:
    """A loop that ignores requires_action: it waits for the run to end."""
    while True:
        run = client.beta.threads.runs.retrieve(run_id, thread_id=thread_id)
        if run.status in {"completed", "failed", "cancelled", "expired", "incomplete"}:
            return run.status


def test_a_loop_that_ignores_requires_action_is_caught_fast(
    client: openai.OpenAI, api: AssistantsAPI
) -> None:
    api.load_scenario(parse_scenario(TWO_CALLS))
    assistant = client.beta.assistants.create(model="gpt-4o", tools=TOOLS)  # type: ignore[arg-type]
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Weather?"}])
    run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    with pytest.raises(openai.BadRequestError) as caught:
        naive_wait(client, thread.id, run.id)
    assert caught.value.code == "poll_requires_action"
    message = caught.value.body["message"]  # type: ignore[index]
    assert "call_weather (get_weather), call_time (get_time)" in message
    assert "submit_tool_outputs" in message
    # in_progress, requires_action (shown), three repeats allowed, the fourth refused.
    assert _retrievals(api, run.id) == 1 + 1 + 3 + 1
    (violation,) = api.state.journal.violations
    assert violation.rule == "poll-requires-action"
    assert violation.run_id == run.id
    assert "missing outputs for call_weather (get_weather), call_time (get_time)" in (
        violation.message
    )
    # The client mends its ways: submitting works, and the run ends normally.
    done = client.beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=run.id,
        thread_id=thread.id,
        tool_outputs=[
            {"tool_call_id": "call_weather", "output": "18"},
            {"tool_call_id": "call_time", "output": "noon"},
        ],
    )
    assert done.status == "completed"


def test_the_default_limit_breaks_the_sdk_naive_loop_in_a_few_polls(
    client: openai.OpenAI, api: AssistantsAPI
) -> None:
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Weather?"}])
    run = client.beta.threads.runs.create(
        thread_id=thread.id,
        assistant_id=assistant.id,
        tool_choice=FORCED,  # type: ignore[arg-type]
        tools=[{"type": "function", "function": {"name": "get_weather"}}],
    )
    with pytest.raises(
        openai.BadRequestError, match=r"Missing outputs for call_\w+ \(get_weather\)"
    ):
        naive_wait(client, thread.id, run.id)
    limit = 10
    assert _retrievals(api, run.id) == 2 + limit + 1  # not ~600 polls until it expires


def test_a_client_that_polls_then_submits_is_never_refused(
    client: openai.OpenAI, api: AssistantsAPI
) -> None:
    api.load_scenario(load_scenario("builtin:two-tool-rounds"))
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Weather?"}])
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    while run.status == "requires_action":
        calls = run.required_action.submit_tool_outputs.tool_calls  # type: ignore[union-attr]
        # Reading it a few more times (say, to log it) is fine.
        for _ in range(5):
            client.beta.threads.runs.retrieve(run.id, thread_id=thread.id)
        run = client.beta.threads.runs.submit_tool_outputs_and_poll(
            run_id=run.id,
            thread_id=thread.id,
            tool_outputs=[{"tool_call_id": call.id, "output": "18"} for call in calls],
        )
    assert run.status == "completed"
    assert api.state.journal.violations == []


def test_permissive_mode_has_no_polling_rules() -> None:
    api = AssistantsAPI(ServerConfig(permissive=True))
    path = "/threads/thread_placeholder/runs/run_placeholder"
    statuses = [
        api.handle(ApiRequest("GET", path, headers=HEADERS, caller="one")).body["status"]
        for _ in range(40)
    ]
    assert statuses[-1] == "completed"
    assert api.state.journal.violations == []
    forced = AssistantsAPI(ServerConfig(permissive=True))
    assistant = forced.handle(
        ApiRequest("POST", "/assistants", headers=HEADERS, body=b'{"model": "gpt-4o"}')
    ).body
    thread = forced.handle(ApiRequest("POST", "/threads", headers=HEADERS)).body
    body = (
        b'{"assistant_id": "%s", "tool_choice": {"type": "function", "function": {"name": "f"}}}'
        % assistant["id"].encode()
    )
    run = forced.handle(
        ApiRequest("POST", f"/threads/{thread['id']}/runs", headers=HEADERS, body=body)
    ).body
    shown = [
        forced.handle(
            ApiRequest("GET", f"/threads/{thread['id']}/runs/{run['id']}", headers=HEADERS)
        ).status
        for _ in range(30)
    ]
    assert set(shown) == {200}
    assert forced.state.journal.violations == []


def test_each_in_process_transport_is_one_caller() -> None:
    from harness.transport import InProcessTransport

    api = AssistantsAPI(ServerConfig(poll_after_ms=0))
    clients = [
        openai.OpenAI(
            base_url="http://harness.invalid/v1",
            api_key="sk-test",
            max_retries=0,
            http_client=openai.DefaultHttpxClient(transport=InProcessTransport(api)),
        )
        for _ in range(2)
    ]
    run = _finished_run(clients[0])
    for _ in range(8):  # sixteen retrievals in a row, eight from each transport
        for client in clients:
            client.beta.threads.runs.retrieve(run.id, thread_id=run.thread_id)
    assert api.state.journal.violations == []
    with pytest.raises(openai.BadRequestError, match="keeps polling a finished run"):
        poll_forever(clients[1], run.thread_id, run.id)
