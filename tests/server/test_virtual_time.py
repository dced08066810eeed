"""Time that belongs to each run: only a run's own observations, its scripted delays and explicit
clock moves age it; other clients' traffic never does."""

from __future__ import annotations

import json

import httpx2
import openai
import pytest

from harness import AssistantsAPI, FakeServer
from harness.clock import DEFAULT_EPOCH, VirtualClock
from harness.core import ApiRequest
from harness.scenario import load_scenario, parse_scenario

HEADERS = {"authorization": "Bearer sk-test", "openai-beta": "assistants=v2"}

TWO_RUNS = """
name: slow-and-tool
runs:
  - match: {content: "^slow"}
    steps:
      - queued
      - status: in_progress
        after_ms: 3600000
        expires_after_s: 7200
      - completed
  - match: {content: "^tool"}
    steps:
      - queued
      - in_progress
      - status: requires_action
        tool_calls: [{name: lookup, arguments: {}}]
      - in_progress
      - completed
"""


def _unrelated(api: AssistantsAPI, count: int) -> None:
    """Someone else's traffic: lists of assistants."""
    for _ in range(count):
        assert api.handle(ApiRequest("GET", "/assistants", headers=HEADERS)).status == 200


def _run(client: openai.OpenAI, content: str = "Hi", **options: object) -> tuple[str, str]:
    assistant = client.beta.assistants.create(
        model="gpt-4o", tools=[{"type": "function", "function": {"name": "get_weather"}}]
    )
    thread = client.beta.threads.create(messages=[{"role": "user", "content": content}])
    run = client.beta.threads.runs.create(
        thread_id=thread.id,
        assistant_id=assistant.id,
        **options,  # type: ignore[arg-type]
    )
    return thread.id, run.id


def test_unrelated_traffic_does_not_expire_a_queued_run(
    client: openai.OpenAI, api: AssistantsAPI
) -> None:
    thread_id, run_id = _run(client)
    _unrelated(api, 601)  # more than the 600 one-second ticks of a run's expiry
    run = client.beta.threads.runs.retrieve(run_id, thread_id=thread_id)
    assert run.status == "in_progress"
    assert run.expires_at == run.created_at + 600


def test_other_runs_polls_do_not_age_a_waiting_tool_call(
    client: openai.OpenAI, api: AssistantsAPI
) -> None:
    api.load_scenario(parse_scenario(TWO_RUNS))
    tool_thread, tool_run = _run(client, "tool, please")
    waiting = client.beta.threads.runs.poll(tool_run, thread_id=tool_thread)
    assert waiting.status == "requires_action"
    slow_thread, slow_run = _run(client, "slow, please")
    slow_path = f"/threads/{slow_thread}/runs/{slow_run}"
    for _ in range(600):  # ten virtual minutes of another run's polling
        assert api.handle(ApiRequest("GET", slow_path, headers=HEADERS)).status == 200
    # Those polls aged the slow run by ten minutes of its own time...
    slow = api.state.store.runs.get(slow_run)
    assert slow is not None
    assert slow.clock.now() - slow.obj["started_at"] == 599
    # ...but the tool call, not observed meanwhile, still waits, with its expiry unchanged.
    again = client.beta.threads.runs.retrieve(tool_run, thread_id=tool_thread)
    assert again.status == "requires_action"
    assert again.expires_at == waiting.expires_at


def test_a_run_ages_with_its_own_polls(client: openai.OpenAI, api: AssistantsAPI) -> None:
    api.load_scenario(load_scenario("builtin:slow-in-progress"))
    thread_id, run_id = _run(client)
    run = client.beta.threads.runs.poll(run_id, thread_id=thread_id)
    assert run.status == "completed"
    assert run.created_at == DEFAULT_EPOCH
    assert run.started_at == DEFAULT_EPOCH + 1  # the first retrieval
    assert run.completed_at == DEFAULT_EPOCH + 9  # eight virtual seconds in progress
    assert api.state.journal.timeline(run_id) == "queued › in_progress ×8 › completed"
    (message,) = client.beta.threads.messages.list(thread_id, run_id=run_id).data
    assert message.created_at == run.completed_at
    steps = client.beta.threads.runs.steps.list(run_id, thread_id=thread_id).data
    assert steps[0].created_at == steps[0].completed_at == run.completed_at
    # What the client creates afterwards is never stamped earlier than what it was shown.
    later = client.beta.threads.messages.create(thread_id, role="user", content="Thanks")
    assert later.created_at >= message.created_at
    other = client.beta.threads.create()
    assert other.created_at >= run.completed_at


def test_a_streamed_delay_passes_for_that_run_alone(
    client: openai.OpenAI, api: AssistantsAPI
) -> None:
    api.load_scenario(
        parse_scenario(TWO_RUNS + "default_run: {steps: [queued, in_progress, completed]}\n")
    )
    waiting_thread, waiting_run = _run(client)  # the default script
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "slow, please"}])
    with client.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id) as stream:
        stream.until_done()
        streamed = stream.get_final_run()
    assert streamed.status == "completed"
    assert streamed.completed_at == streamed.started_at + 3600  # the scripted hour, for it
    waiting = client.beta.threads.runs.retrieve(waiting_run, thread_id=waiting_thread)
    assert waiting.status == "in_progress"  # its first poll; not expired by the streamed hour
    assert waiting.started_at == waiting.created_at + 1
    assert api.state.clock.moved_ms == DEFAULT_EPOCH * 1000  # nobody moved the clock


def test_explicit_moves_move_everyone(server: FakeServer, client: openai.OpenAI) -> None:
    runs = [_run(client, tool_choice={"type": "function", "function": {"name": "f"}}) for _ in "ab"]
    for thread_id, run_id in runs:
        assert client.beta.threads.runs.poll(run_id, thread_id=thread_id).status == (
            "requires_action"
        )
    moved = httpx2.post(server.url + "/__harness/clock", content=json.dumps({"advance_s": 600}))
    assert moved.status_code == 200
    for thread_id, run_id in runs:
        assert client.beta.threads.runs.retrieve(run_id, thread_id=thread_id).status == "expired"


def test_timestamps_are_reproducible(server: FakeServer, client: openai.OpenAI) -> None:
    def session() -> list[object]:
        server.api.load_scenario(load_scenario("builtin:tool-call-then-completed"))
        thread_id, run_id = _run(client)
        run = client.beta.threads.runs.poll(run_id, thread_id=thread_id)
        (call,) = run.required_action.submit_tool_outputs.tool_calls  # type: ignore[union-attr]
        run = client.beta.threads.runs.submit_tool_outputs_and_poll(
            run_id=run_id,
            thread_id=thread_id,
            tool_outputs=[{"tool_call_id": call.id, "output": "18"}],
        )
        messages = client.beta.threads.messages.list(thread_id).data
        steps = client.beta.threads.runs.steps.list(run_id, thread_id=thread_id).data
        return [
            run.model_dump(),
            [m.model_dump() for m in messages],
            [s.model_dump() for s in steps],
        ]

    assert session() == session()


def test_an_observation_counts_one_tick_unless_the_client_waited_on_the_clock() -> None:
    clock = VirtualClock(start_s=100, tick_ms=1000)
    run = clock.object_clock()
    run.observe()
    assert run.now_ms() == 101_000
    clock.advance(5)  # the client slept five virtual seconds: that was its wait
    run.observe()
    assert run.now_ms() == 106_000
    clock.advance(ms=200)  # a shorter wait than a tick is topped up to one tick
    run.observe()
    assert run.now_ms() == 107_000
    run.elapse(3000)
    assert run.now_ms() == 110_000
    assert clock.now() == 105  # only explicit moves and stamps move the server's clock
    assert run.now() == 110
    assert clock.now() == 110  # the run's timestamp raised the high-water mark
    later = clock.object_clock()
    assert later.now_ms() == 110_000
    clock.advance(1)
    assert (run.now_ms(), later.now_ms()) == (111_000, 111_000)
    with pytest.raises(ValueError, match="backwards"):
        run.elapse(-1)
