"""Server-sent events: parse the wire text and judge the order of an Assistants stream."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from harness import lifecycle
from harness.sse import parse_events

__all__ = [
    "StreamEvent",
    "delta_texts",
    "order_problems",
    "parse_sse",
    "run_statuses",
    "status_problems",
]

_RUN_EVENT = "thread.run."


@dataclass(frozen=True)
class StreamEvent:
    """One event: its name and its data (parsed JSON, or the raw text when not JSON)."""

    event: str
    data: Any
    is_json: bool


def parse_sse(lines: Iterable[str]) -> list[StreamEvent]:
    """Events from SSE lines, as the WHATWG rules (and the openai SDK) read them."""
    events: list[StreamEvent] = []
    for name, text in parse_events("\n".join(lines) + "\n\n"):
        try:
            events.append(StreamEvent(name, json.loads(text), True))
        except ValueError:
            events.append(StreamEvent(name, text, False))
    return events


def _object_id(event: StreamEvent) -> str | None:
    if isinstance(event.data, dict):
        value = event.data.get("id")
        return value if isinstance(value, str) else None
    return None


def order_problems(
    events: Sequence[StreamEvent],
    *,
    lead: Sequence[str] = ("thread.run.created",),
    known_steps: Iterable[str] = (),
) -> list[str]:
    """How the event order breaks what the SDKs rely on.

    ``lead`` are the events the stream must start with; ``known_steps`` are run steps created
    by an earlier stream (a submit stream completes the tool step the create stream opened).
    """
    problems: list[str] = []
    if not events:
        return ["the stream has no events"]
    names = [event.event for event in events]
    if tuple(names[: len(lead)]) != tuple(lead):
        problems.append(f"the stream starts {names[: len(lead)]}, expected {list(lead)}")
    last = events[-1]
    if last.event != "done":
        problems.append(f"the stream ends with {last.event!r}, not 'event: done' / 'data: [DONE]'")
    elif last.data != "[DONE]":
        problems.append(f"the 'done' event carries {str(last.data)[:40]!r}, not [DONE]")
    for index, event in enumerate(events[:-1]):
        if event.event == "done" or event.data == "[DONE]":
            problems.append(f"event #{index} {event.event!r} ends the stream early")
            break
    created_messages: set[str] = set()
    created_steps: set[str] = set(known_steps)
    for index, event in enumerate(events):
        if event.event == "error":
            problems.append(f"event #{index} is an error: {str(event.data)[:200]}")
            continue
        if event.event.startswith("thread.") and not event.is_json:
            problems.append(f"event #{index} {event.event!r} carries non-JSON data")
            continue
        object_id = _object_id(event)
        if event.event == "thread.message.created" and object_id:
            created_messages.add(object_id)
        elif event.event.startswith("thread.message.") and object_id not in created_messages:
            problems.append(
                f"event #{index} {event.event!r} for {object_id} comes before its "
                "'thread.message.created'"
            )
        if event.event == "thread.run.step.created" and object_id:
            created_steps.add(object_id)
        elif event.event.startswith("thread.run.step.") and object_id not in created_steps:
            problems.append(
                f"event #{index} {event.event!r} for {object_id} comes before its "
                "'thread.run.step.created'"
            )
    return problems


def run_statuses(events: Sequence[StreamEvent]) -> list[str]:
    """The run statuses a stream announces (``thread.run.<status>`` events), repeats folded."""
    statuses: list[str] = []
    for event in events:
        if not event.event.startswith(_RUN_EVENT) or event.event.startswith("thread.run.step."):
            continue
        suffix = event.event[len(_RUN_EVENT) :]
        status = (
            event.data.get("status")
            if suffix == "created" and isinstance(event.data, dict)
            else suffix
        )
        if isinstance(status, str) and (not statuses or statuses[-1] != status):
            statuses.append(status)
    return statuses


def status_problems(statuses: Sequence[str], *, before: str | None = None) -> list[str]:
    """Run status changes a stream announced that the lifecycle forbids; a stream shows every
    change, so each must be a direct transition. ``before`` is the status the run had when the
    stream started (``requires_action`` for a submit stream)."""
    sequence = [before, *statuses] if before else list(statuses)
    problems = lifecycle.check_sequence(sequence, sampled=False, first=None if before else "queued")
    result = [
        f"stream run statuses {' › '.join(sequence)}: {problem.message}" for problem in problems
    ]
    if statuses and statuses[-1] not in lifecycle.POLL_STOP_STATUSES:
        result.append(
            f"the stream ends with the run {statuses[-1]!r}, not in a terminal status or "
            "requires_action"
        )
    return result


def delta_texts(events: Sequence[StreamEvent]) -> dict[str, str]:
    """Message id → the text its ``thread.message.delta`` events add up to."""
    parts: dict[str, dict[int, str]] = {}
    for event in events:
        if event.event != "thread.message.delta" or not isinstance(event.data, dict):
            continue
        message_id = str(event.data.get("id"))
        for block in (event.data.get("delta") or {}).get("content") or []:
            if isinstance(block, dict) and block.get("type") == "text":
                value = (block.get("text") or {}).get("value") or ""
                by_index = parts.setdefault(message_id, {})
                index = int(block.get("index", 0))
                by_index[index] = by_index.get(index, "") + str(value)
    return {key: "".join(by_index[i] for i in sorted(by_index)) for key, by_index in parts.items()}
