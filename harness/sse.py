"""Server-sent events on the wire: encode one, split a body into events, parse it.

The single implementation used by the server, the cassettes, the conformance battery and the
tools around them. Standard library only.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["encode_event", "parse_events", "parse_json_events", "split_events"]

_EVENT_END = re.compile(r"\r\n\r\n|\n\n|\r\r")


def split_events(text: str) -> list[str]:
    """The body cut after each blank line; the pieces concatenate back to ``text`` exactly."""
    pieces: list[str] = []
    start = 0
    for end in _EVENT_END.finditer(text):
        pieces.append(text[start : end.end()])
        start = end.end()
    if start < len(text):
        pieces.append(text[start:])
    return pieces


def parse_events(text: str) -> list[tuple[str, str]]:
    """``(event, data)`` per dispatched event, following the WHATWG rules the SDKs use.

    Comment lines (``:``) are skipped, several ``data:`` lines join with ``\\n``, the event name
    defaults to ``message``, and a block without data dispatches nothing.
    """
    events: list[tuple[str, str]] = []
    name = ""
    data: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not line:
            if data:
                events.append((name or "message", "\n".join(data)))
            name, data = "", []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "event":
            name = value
        elif field == "data":
            data.append(value)
    if data:
        events.append((name or "message", "\n".join(data)))
    return events


def parse_json_events(text: str) -> list[tuple[str, Any]]:
    """``(event, data)`` with ``data`` parsed as JSON where it is JSON (``[DONE]`` stays text)."""
    parsed: list[tuple[str, Any]] = []
    for event, data in parse_events(text):
        try:
            parsed.append((event, json.loads(data)))
        except ValueError:
            parsed.append((event, data))
    return parsed


def encode_event(event: str, data: Any) -> bytes:
    """The wire form ``event: NAME\\ndata: JSON\\n\\n``, with compact JSON."""
    payload = (
        data if isinstance(data, str) else json.dumps(data, separators=(",", ":"), allow_nan=False)
    )
    return f"event: {event}\ndata: {payload}\n\n".encode()
