"""Probes of ``stream=True``: event order, run statuses, text assembled from deltas."""

from __future__ import annotations

from typing import Any

from harness.conformance._checks import Check, CheckFailed, CheckSpec
from harness.conformance._context import Context, Probe, forced_choice, text_of
from harness.conformance._session import StreamAnswer
from harness.conformance._sse import (
    StreamEvent,
    delta_texts,
    order_problems,
    run_statuses,
    status_problems,
)

__all__ = ["STREAMING"]


def _expect_stream(check: Check, answer: StreamAnswer) -> list[StreamEvent]:
    """The events of a 200 event stream; else the check fails."""
    if answer.status != 200:
        raise CheckFailed(f"{answer.label}: expected 200, got {answer.status}: {answer.text[:200]}")
    kind = answer.headers.get("content-type", "")
    check.expect(
        kind.startswith("text/event-stream"),
        f"{answer.label}: content-type is {kind!r}, expected text/event-stream",
    )
    if not answer.events:
        raise CheckFailed(f"{answer.label}: the stream has no events")
    return answer.events


def _problems(check: Check, label: str, problems: list[str]) -> None:
    for problem in problems:
        check.expect(False, f"{label}: {problem}")


def _last_run(events: list[StreamEvent]) -> dict[str, Any]:
    runs = [
        e.data for e in events if isinstance(e.data, dict) and e.data.get("object") == "thread.run"
    ]
    if not runs:
        raise CheckFailed("the stream carries no run object")
    last: dict[str, Any] = runs[-1]
    return last


def _steps_created(events: list[StreamEvent]) -> set[str]:
    return {
        str(e.data.get("id"))
        for e in events
        if e.event == "thread.run.step.created" and isinstance(e.data, dict)
    }


def _streaming(ctx: Context) -> None:
    s = ctx.session
    threads = ctx.beta.threads
    streamed = threads.runs.with_streaming_response
    thread_id = ctx.thread("Stream a short greeting.")
    with ctx.check("streaming.create_run") as check:
        answer = s.stream("runs.create", streamed.create, thread_id, assistant_id=ctx.assistant())
        events = _expect_stream(check, answer)
        run = _last_run(events)
        check.expect(
            run.get("status") == "completed",
            f"runs.create (stream): the last run event shows {run.get('status')!r}, expected "
            "'completed'",
        )
    with ctx.check("streaming.event_order") as check:
        _problems(check, "runs.create (stream)", order_problems(events))
    with ctx.check("streaming.run_statuses") as check:
        _problems(check, "runs.create (stream)", status_problems(run_statuses(events)))
    with ctx.check("streaming.text_matches") as check:
        texts = delta_texts(events)
        finals = [
            e.data
            for e in events
            if e.event == "thread.message.completed" and isinstance(e.data, dict)
        ]
        if not finals:
            check.fail("runs.create (stream): no thread.message.completed event")
        for message in finals:
            message_id = str(message.get("id"))
            final = text_of(message)
            check.expect(
                texts.get(message_id) == final,
                f"the deltas of {message_id} add up to {texts.get(message_id)!r}, but "
                f"thread.message.completed says {final!r}",
            )
            stored = ctx.message_text(thread_id, message_id)
            check.expect(
                stored == final,
                f"messages.retrieve gives {stored!r} for {message_id}, the stream said {final!r}",
            )
    with ctx.check("streaming.create_thread_and_run") as check:
        answer = s.stream(
            "threads.create_and_run",
            threads.with_streaming_response.create_and_run,
            assistant_id=ctx.assistant(),
            thread={"messages": [{"role": "user", "content": "Stream a greeting."}]},
        )
        events = _expect_stream(check, answer)
        thread = events[0].data if events[0].event == "thread.created" else None
        if isinstance(thread, dict) and isinstance(thread.get("id"), str):
            s.created("thread", thread["id"])
        label = "threads.create_and_run (stream)"
        _problems(
            check, label, order_problems(events, lead=("thread.created", "thread.run.created"))
        )
        _problems(check, label, status_problems(run_statuses(events)))
        run = _last_run(events)
        if isinstance(thread, dict):
            check.expect(
                run.get("thread_id") == thread.get("id"),
                f"{label}: the run's thread_id {run.get('thread_id')!r} is not the streamed thread "
                f"{thread.get('id')!r}",
            )
    with ctx.check("streaming.tool_round_trip") as check:
        thread_id = ctx.make_thread("What is the weather in Paris?")
        label = "runs.create (stream, forced tool)"
        answer = s.stream(
            label,
            streamed.create,
            thread_id,
            assistant_id=ctx.assistant(),
            tool_choice=forced_choice(),
        )
        events = _expect_stream(check, answer)
        _problems(check, label, order_problems(events))
        statuses = run_statuses(events)
        _problems(check, label, status_problems(statuses))
        run = _last_run(events)
        if run.get("status") != "requires_action":
            check.fail(
                f"{label}: the stream ends with the run {run.get('status')!r}, expected "
                "requires_action"
            )
        calls = ((run.get("required_action") or {}).get("submit_tool_outputs") or {}).get(
            "tool_calls"
        ) or []
        _expect_arguments(check, label, events, calls)
        outputs = [{"tool_call_id": str(call.get("id")), "output": "18"} for call in calls]
        label = "runs.submit_tool_outputs (stream)"
        answer = s.stream(
            label,
            streamed.submit_tool_outputs,
            str(run.get("id")),
            thread_id=thread_id,
            tool_outputs=outputs,
        )
        after = _expect_stream(check, answer)
        _problems(check, label, order_problems(after, lead=(), known_steps=_steps_created(events)))
        _problems(check, label, status_problems(run_statuses(after), before="requires_action"))
        last = _last_run(after)
        check.expect(
            last.get("status") == "completed",
            f"{label}: the run ends {last.get('status')!r}, expected 'completed'",
        )


def _expect_arguments(
    check: Check, label: str, events: list[StreamEvent], calls: list[dict[str, Any]]
) -> None:
    """The arguments streamed as step deltas must add up to those of required_action."""
    streamed: dict[int, str] = {}
    ids: dict[int, str] = {}
    for event in events:
        if event.event != "thread.run.step.delta" or not isinstance(event.data, dict):
            continue
        details = (event.data.get("delta") or {}).get("step_details") or {}
        for call in details.get("tool_calls") or []:
            index = int(call.get("index", 0))
            if call.get("id"):
                ids[index] = str(call["id"])
            piece = (call.get("function") or {}).get("arguments") or ""
            streamed[index] = streamed.get(index, "") + str(piece)
    by_id = {ids.get(index, f"#{index}"): text for index, text in streamed.items()}
    for call in calls:
        call_id = str(call.get("id"))
        wanted = (call.get("function") or {}).get("arguments")
        if call_id in by_id:
            check.expect(
                by_id[call_id] == wanted,
                f"{label}: step deltas of {call_id} add up to {by_id[call_id]!r}, but "
                f"required_action says {wanted!r}",
            )


STREAMING = Probe(
    "streaming",
    (
        CheckSpec(
            "streaming.create_run",
            "streaming",
            "stream=True on create run answers an event stream that completes",
        ),
        CheckSpec(
            "streaming.event_order",
            "streaming",
            "thread.run.created first, deltas after their created, done last",
        ),
        CheckSpec(
            "streaming.run_statuses",
            "streaming",
            "the streamed run statuses are legal direct transitions",
        ),
        CheckSpec(
            "streaming.text_matches",
            "streaming",
            "message deltas add up to the final and stored text",
        ),
        CheckSpec(
            "streaming.create_thread_and_run",
            "streaming",
            "stream=True on create thread and run: thread.created first",
        ),
        CheckSpec(
            "streaming.tool_round_trip",
            "streaming",
            "a streamed tool call ends at requires_action; a streamed submit completes",
        ),
    ),
    _streaming,
)
