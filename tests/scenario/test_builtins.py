"""Every built-in scenario, driven by the real SDK, polling and streaming: exact stories."""

from __future__ import annotations

from dataclasses import dataclass

import openai
import pytest

from harness import AssistantsAPI, FakeServer
from harness.scenario import builtin_names, load_scenario
from tests.declared_tools import SHOP_TOOLS, check_calls


@dataclass(frozen=True)
class Expected:
    polled: str
    """The timeline the SDK's poll helpers see."""
    streamed: str
    """The timeline a streaming client sees."""
    final: str
    reply: str | None = None
    tool_rounds: int = 0
    cancel: bool = False
    """The client cancels right after creating the run."""
    retries: int = 0
    """HTTP faults the SDK retries through."""


TOOL_STORY = "queued › in_progress › requires_action › queued › in_progress › completed"
EXPECTED = {
    "code-interpreter-image": Expected(
        "queued › in_progress › completed",
        "queued › in_progress › completed",
        "completed",
        "Here is the chart. The data is at sandbox:/mnt/data/data.csv",
    ),
    "file-search-with-citations": Expected(
        "queued › in_progress › completed",
        "queued › in_progress › completed",
        "completed",
        "I could not find anything about that in the files.",  # no store: nothing found
    ),
    "completed": Expected(
        "queued › in_progress › completed",
        "queued › in_progress › completed",
        "completed",
        "Hello! How can I help you today?",
    ),
    "tool-call-then-completed": Expected(
        TOOL_STORY,
        TOOL_STORY,
        "completed",
        "Here is the answer, from what the tool returned.",
        tool_rounds=1,
    ),
    "parallel-tool-calls": Expected(
        TOOL_STORY,
        TOOL_STORY,
        "completed",
        "Here is the answer, from both tool results.",
        tool_rounds=1,
    ),
    "two-tool-rounds": Expected(
        TOOL_STORY.replace("completed", "requires_action › queued › in_progress › completed"),
        TOOL_STORY.replace("completed", "requires_action › queued › in_progress › completed"),
        "completed",
        "Here is the answer, after two tool rounds.",
        tool_rounds=2,
    ),
    "requires-action-expired": Expected(
        "queued › in_progress › requires_action › expired",
        "queued › in_progress › requires_action › expired",
        "expired",
    ),
    "cancelled": Expected(
        "queued › in_progress ×2 › cancelling › cancelled",
        "queued › in_progress › cancelling › cancelled",
        "cancelled",
    ),
    "cancel-races-completion": Expected(
        "queued › cancelling › completed",
        "queued › in_progress › completed",
        "completed",
        cancel=True,
    ),
    "failed-server-error": Expected(
        "queued › in_progress › failed", "queued › in_progress › failed", "failed"
    ),
    "failed-rate-limit": Expected(
        "queued › in_progress › failed", "queued › in_progress › failed", "failed"
    ),
    "failed-invalid-prompt": Expected(
        "queued › in_progress › failed", "queued › in_progress › failed", "failed"
    ),
    "incomplete-max-completion-tokens": Expected(
        "queued › in_progress › incomplete",
        "queued › in_progress › incomplete",
        "incomplete",
        "The answer begins here but is cut",
    ),
    "incomplete-max-prompt-tokens": Expected(
        "queued › in_progress › incomplete",
        "queued › in_progress › incomplete",
        "incomplete",
        "The answer begins here but is cut",
    ),
    "expired-while-queued": Expected("queued ×3 › expired", "queued › expired", "expired"),
    "slow-in-progress": Expected(
        "queued › in_progress ×8 › completed",
        "queued › in_progress › completed",
        "completed",
        "Sorry for the wait: here is the answer.",
    ),
    "rate-limited-then-ok": Expected(
        "queued › in_progress › completed",
        "queued › in_progress › completed",
        "completed",
        "Done, after one retry.",
        retries=1,
    ),
    "server-error-then-ok": Expected(
        "queued › in_progress › completed",
        "queued › in_progress › completed",
        "completed",
        "Done, despite a server error on the way.",
        retries=1,
    ),
}


def test_every_builtin_has_an_expected_story() -> None:
    assert sorted(EXPECTED) == builtin_names()


@pytest.fixture
def retrying_client(server: FakeServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.base_url, api_key="sk-test", max_retries=2)


def _outputs(run: openai.types.beta.threads.Run) -> list[dict[str, str]]:
    """An output for every call, after checking each calls a declared tool with valid arguments."""
    assert run.required_action is not None
    check_calls(run.required_action.submit_tool_outputs.tool_calls)
    return [
        {"tool_call_id": call.id, "output": "18"}
        for call in run.required_action.submit_tool_outputs.tool_calls
    ]


def _reply(client: openai.OpenAI, thread_id: str, run_id: str) -> str | None:
    messages = client.beta.threads.messages.list(thread_id, run_id=run_id).data
    if not messages:
        return None
    block = messages[0].content[-1]  # an image part may come first
    assert block.type == "text"
    return block.text.value


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_polled(name: str, retrying_client: openai.OpenAI, api: AssistantsAPI) -> None:
    expected = EXPECTED[name]
    client = retrying_client
    api.load_scenario(load_scenario(f"builtin:{name}"))
    assistant = client.beta.assistants.create(model="gpt-4o", tools=SHOP_TOOLS)  # type: ignore[arg-type]
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Weather?"}])
    run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    if expected.cancel:
        client.beta.threads.runs.cancel(run.id, thread_id=thread.id)
    rounds = 0
    while True:
        run = client.beta.threads.runs.poll(run.id, thread_id=thread.id)
        if run.status != "requires_action":
            break
        rounds += 1
        try:
            client.beta.threads.runs.submit_tool_outputs(
                run.id, thread_id=thread.id, tool_outputs=_outputs(run)
            )
        except openai.BadRequestError as error:
            refusal = error.body["message"]  # type: ignore[index]
            assert (name, refusal) == (
                "requires-action-expired",
                'Runs in status "expired" do not accept tool outputs.',
            )
    journal = api.state.journal
    assert run.status == expected.final
    assert journal.timeline(run.id) == expected.polled
    assert rounds == expected.tool_rounds + (name == "requires-action-expired")
    assert _reply(client, thread.id, run.id) == (expected.reply or _default_reply(expected))
    faulted = [r for r in journal.requests if r.status >= 429]
    assert len(faulted) == expected.retries
    assert journal.violations == []
    assert api.state.scripts.unused() == []
    _check_terminal_fields(run)


def _default_reply(expected: Expected) -> str | None:
    if expected.cancel:
        return "Here is your answer (finished before the cancellation took effect)."
    return None


def _check_terminal_fields(run: openai.types.beta.threads.Run) -> None:
    assert run.expires_at is None
    assert run.usage is not None
    assert run.required_action is None
    if run.status == "failed":
        assert run.last_error is not None
        assert run.failed_at is not None
    if run.status == "incomplete":
        assert run.incomplete_details is not None
    if run.status == "cancelled":
        assert run.cancelled_at is not None
    if run.status == "completed":
        assert run.completed_at is not None


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if not EXPECTED[n].cancel))
def test_streamed(name: str, retrying_client: openai.OpenAI, api: AssistantsAPI) -> None:
    expected = EXPECTED[name]
    client = retrying_client
    api.load_scenario(load_scenario(f"builtin:{name}"))
    assistant = client.beta.assistants.create(model="gpt-4o", tools=SHOP_TOOLS)  # type: ignore[arg-type]
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Weather?"}])
    events = list(
        client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True)
    )
    run = events[-1].data
    rounds = 0
    while run.status == "requires_action":
        rounds += 1
        try:
            more = list(
                client.beta.threads.runs.submit_tool_outputs(
                    run.id, thread_id=thread.id, tool_outputs=_outputs(run), stream=True
                )
            )
        except openai.BadRequestError:
            assert name == "requires-action-expired"
            run = client.beta.threads.runs.retrieve(run.id, thread_id=thread.id)
            break
        events += more
        run = [e for e in more if e.event.startswith("thread.run.") and "step" not in e.event][
            -1
        ].data
    assert run.status == expected.final
    assert api.state.journal.timeline(run.id) == expected.streamed
    assert rounds == expected.tool_rounds + (name == "requires-action-expired")
    names = [e.event for e in events]
    assert names[0] == "thread.run.created"
    text = "".join(
        part.text.value or ""
        for e in events
        if e.event == "thread.message.delta"
        for part in e.data.delta.content or []
        if part.type == "text" and part.text is not None
    )
    assert (text or None) == expected.reply
    assert _reply(client, thread.id, run.id) == expected.reply
