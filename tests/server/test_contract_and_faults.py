"""The client's side of the contract, HTTP faults, the virtual clock and stream robustness."""

from __future__ import annotations

import json
import time

import httpx2
import openai
import pytest

from harness import AssistantsAPI, FakeServer
from harness.core.faults import path_matches
from harness.scenario import load_scenario, parse_scenario

FUNCTIONS = [{"type": "function", "function": {"name": n}} for n in ("get_weather", "get_time")]


def _start(client: openai.OpenAI) -> tuple[str, str, str]:
    assistant = client.beta.assistants.create(model="gpt-4o", tools=FUNCTIONS)  # type: ignore[arg-type]
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Weather?"}])
    run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    return assistant.id, thread.id, run.id


def naive_wait_for_completed(client: openai.OpenAI, thread_id: str, run_id: str) -> str:
    """The classic hang: a loop that only knows the happy ending."""
    while True:
        run = client.beta.threads.runs.retrieve(run_id, thread_id=thread_id)
        if run.status == "completed":
            return run.status


def test_a_loop_waiting_only_for_completed_is_caught(
    client: openai.OpenAI, api: AssistantsAPI
) -> None:
    api.load_scenario(load_scenario("builtin:requires-action-expired"))
    _, thread_id, run_id = _start(client)
    with pytest.raises(openai.BadRequestError) as caught:
        naive_wait_for_completed(client, thread_id, run_id)
    message = caught.value.body["message"]  # type: ignore[index]
    assert "keeps polling a finished run" in message
    assert "waits only for 'completed' (or for some statuses) never ends on 'expired'" in message
    assert caught.value.code == "poll_after_terminal"
    (violation,) = api.state.journal.violations
    assert violation.rule == "poll-after-terminal"
    assert violation.run_id == run_id
    assert "after it was shown its terminal status 'expired'" in violation.message
    assert api.state.journal.timeline(run_id).startswith(
        "queued › in_progress › requires_action › expired ×"
    )


def test_tool_outputs_are_checked_against_the_scenario(
    client: openai.OpenAI, api: AssistantsAPI
) -> None:
    api.load_scenario(
        parse_scenario(
            """
name: outputs
runs:
  - steps:
      - in_progress
      - status: requires_action
        tool_calls: [{name: get_weather}, {name: get_time}]
        expect_outputs:
          - {tool: get_weather, output_matches: '^\\d+$'}
          - {tool: get_time, output_schema: {type: object, required: [iso]}}
      - in_progress
      - completed
"""
        )
    )
    _, thread_id, run_id = _start(client)
    run = client.beta.threads.runs.poll(run_id, thread_id=thread_id)
    assert run.required_action is not None
    weather, clock = run.required_action.submit_tool_outputs.tool_calls
    client.beta.threads.runs.submit_tool_outputs(
        run_id,
        thread_id=thread_id,
        tool_outputs=[
            {"tool_call_id": weather.id, "output": "sunny"},
            {"tool_call_id": clock.id, "output": '{"time": "noon"}'},
        ],
    )
    problems = sorted(str(v) for v in api.state.journal.violations)
    assert len(problems) == 2
    assert "[tool-outputs]" in problems[0]
    assert "'sunny' does not match /^\\d+$/" in " ".join(problems)
    assert "breaks the expected schema: 'iso' is a required property" in " ".join(problems)


def test_locked_thread_is_a_violation_as_well_as_an_error(
    client: openai.OpenAI, api: AssistantsAPI
) -> None:
    _, thread_id, _run_id = _start(client)
    with pytest.raises(openai.BadRequestError):
        client.beta.threads.messages.create(thread_id, role="user", content="too soon")
    (violation,) = api.state.journal.violations
    assert violation.rule == "locked-thread"
    assert violation.request == f"POST /v1/threads/{thread_id}/messages"
    assert "status 'queued'" in violation.message


def test_virtual_clock_expires_an_unanswered_tool_call(
    client: openai.OpenAI, api: AssistantsAPI
) -> None:
    api.load_scenario(load_scenario("builtin:tool-call-then-completed"))
    _, thread_id, run_id = _start(client)
    run = client.beta.threads.runs.poll(run_id, thread_id=thread_id)
    assert run.status == "requires_action"
    api.state.clock.advance(600)  # ten virtual minutes, no real waiting
    run = client.beta.threads.runs.retrieve(run_id, thread_id=thread_id)
    assert run.status == "expired"
    assert run.expires_at is None
    steps = client.beta.threads.runs.steps.list(run_id, thread_id=thread_id).data
    assert steps[0].status == "expired"
    assert steps[0].expired_at is not None
    # The thread is free again.
    client.beta.threads.messages.create(thread_id, role="user", content="still there?")


def test_control_plane_clock_journal_and_reset(server: FakeServer, client: openai.OpenAI) -> None:
    api = server.api
    api.load_scenario(load_scenario("builtin:tool-call-then-completed"))
    _, thread_id, run_id = _start(client)
    client.beta.threads.runs.poll(run_id, thread_id=thread_id)
    advanced = httpx2.post(server.url + "/__harness/clock", content=json.dumps({"advance_s": 601}))
    assert advanced.status_code == 200
    assert client.beta.threads.runs.retrieve(run_id, thread_id=thread_id).status == "expired"
    journal = httpx2.get(server.url + "/__harness/journal").json()
    assert journal["timelines"][run_id].endswith("requires_action › expired")
    assert journal["violations"] == []
    bad = httpx2.post(server.url + "/__harness/clock", content=b'{"advance_s": -5}')
    assert bad.status_code == 400
    assert httpx2.post(server.url + "/__harness/reset").json() == {"reset": True}
    assert api.state.store.counts()["runs"] == 0


def test_connection_reset_fault(server: FakeServer, api: AssistantsAPI) -> None:
    api.load_scenario(
        parse_scenario("name: reset\nfaults:\n  - {match: {path: /v1/assistants}, reset: true}\n")
    )
    client = openai.OpenAI(base_url=server.base_url, api_key="sk-test", max_retries=0)
    with pytest.raises(openai.APIConnectionError):
        client.beta.assistants.create(model="gpt-4o")
    # The SDK retries connection errors: with retries, the second attempt goes through.
    retrying = openai.OpenAI(base_url=server.base_url, api_key="sk-test", max_retries=1)
    api.reset()
    assert retrying.beta.assistants.create(model="gpt-4o").id.startswith("asst_")
    assert api.faults.unused() == []


def test_latency_fault_passes_the_real_answer_through(
    client: openai.OpenAI, api: AssistantsAPI
) -> None:
    api.load_scenario(
        parse_scenario("name: slow\nfaults:\n  - {match: {path: /v1/threads}, delay_ms: 20}\n")
    )
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    assert thread.id.startswith("thread_")
    assert api.faults.fired == [(0, "POST /v1/threads")]


def test_fault_with_retry_headers_is_retried_by_the_sdk(
    server: FakeServer, api: AssistantsAPI
) -> None:
    api.load_scenario(
        parse_scenario(
            "name: x\nfaults:\n  - match: {method: POST, path: /v1/assistants}\n"
            "    times: 2\n    respond: {status: 503, headers: {retry-after-ms: '1'}}\n"
        )
    )
    client = openai.OpenAI(base_url=server.base_url, api_key="sk-test", max_retries=2)
    assert client.beta.assistants.create(model="gpt-4o").object == "assistant"
    statuses = [r.status for r in api.state.journal.requests]
    assert statuses == [503, 503, 200]


def test_cut_stream_leaves_a_consistent_run(client: openai.OpenAI, api: AssistantsAPI) -> None:
    api.load_scenario(
        parse_scenario(
            "name: cut\nfaults:\n  - {match: {method: POST, path: '/v1/threads/*/runs'}, cut_stream_after: 3}\n"
        )
    )
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    received = []
    with pytest.raises(openai.APIConnectionError):  # noqa: PT012 - the cut comes mid-iteration
        for event in client.beta.threads.runs.create(
            thread_id=thread.id, assistant_id=assistant.id, stream=True
        ):
            received.append(event.event)
    assert received == ["thread.run.created", "thread.run.queued", "thread.run.in_progress"]
    run = client.beta.threads.runs.list(thread.id).data[0]
    assert run.status == "completed"  # the run went on without the client
    assert client.beta.threads.messages.list(thread.id).data[0].role == "assistant"


def test_client_disconnect_mid_stream_loses_nothing(server: FakeServer, api: AssistantsAPI) -> None:
    client = openai.OpenAI(base_url=server.base_url, api_key="sk-test", max_retries=0)
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    stream = client.beta.threads.runs.create(
        thread_id=thread.id, assistant_id=assistant.id, stream=True
    )
    first = next(iter(stream))
    stream.close()
    assert first.event == "thread.run.created"
    deadline = time.monotonic() + 5
    run = client.beta.threads.runs.retrieve(first.data.id, thread_id=thread.id)
    while run.status != "completed" and time.monotonic() < deadline:
        run = client.beta.threads.runs.retrieve(first.data.id, thread_id=thread.id)
    assert run.status == "completed"
    messages = client.beta.threads.messages.list(thread.id).data
    assert [m.role for m in messages] == ["assistant", "user"]
    assert messages[0].content[0].text.value  # type: ignore[union-attr]


def test_events_are_flushed_as_they_are_produced(server: FakeServer, api: AssistantsAPI) -> None:
    """A slow stream: the client sees the first event while the run is still going on."""
    api.load_scenario(
        parse_scenario(
            "name: slow\nruns:\n  - steps:\n      - queued\n      - in_progress\n"
            "      - {status: completed, message: 'a b c d', stream: {chunk_delay_ms: 300}}\n"
        )
    )
    client = openai.OpenAI(base_url=server.base_url, api_key="sk-test", max_retries=0)
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    with client.beta.threads.runs.create(
        thread_id=thread.id, assistant_id=assistant.id, stream=True
    ) as stream:
        iterator = iter(stream)
        first = next(iterator)
        assert first.event == "thread.run.created"
        midway = client.beta.threads.runs.retrieve(first.data.id, thread_id=thread.id)
        assert midway.status != "completed"
        names = [first.event] + [event.event for event in iterator]
    assert names[-1] == "thread.run.completed"


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("/v1/threads/*/runs/*", "/v1/threads/thread_a/runs/run_b", True),
        ("/v1/threads/*/runs/*", "/v1/threads/thread_a/runs/run_b/steps", False),
        ("/v1/threads/*/runs/*", "/v1/threads/thread_a/runs", False),
        ("/v1/threads/*", "/v1/threads/thread_a/messages", False),
        ("/v1/threads/**", "/v1/threads/thread_a/runs/run_b/steps", True),
        ("/v1/threads/**", "/v1/threads", True),
        ("/v1/**/steps", "/v1/threads/thread_a/runs/run_b/steps", True),
        ("/v1/**/steps", "/v1/threads/thread_a/runs/run_b", False),
        ("/v1/threads/thread_?/runs", "/v1/threads/thread_a/runs", True),
        ("*", "/v1/assistants", True),
        ("**", "/v1/threads/thread_a", True),
    ],
)
def test_fault_paths_match_segment_by_segment(pattern: str, path: str, matches: bool) -> None:
    assert path_matches(pattern, path) is matches


def test_server_error_then_ok_fires_on_the_second_poll_not_on_a_steps_list(
    client: openai.OpenAI, api: AssistantsAPI
) -> None:
    api.load_scenario(load_scenario("builtin:server-error-then-ok"))
    _, thread_id, run_id = _start(client)
    client.beta.threads.runs.retrieve(run_id, thread_id=thread_id)  # poll 1
    client.beta.threads.runs.steps.list(run_id, thread_id=thread_id)  # not a poll
    with pytest.raises(openai.InternalServerError):
        client.beta.threads.runs.retrieve(run_id, thread_id=thread_id)  # poll 2: the 500
    assert api.faults.fired == [(0, f"GET /v1/threads/{thread_id}/runs/{run_id}")]
    assert client.beta.threads.runs.retrieve(run_id, thread_id=thread_id).status == "completed"
