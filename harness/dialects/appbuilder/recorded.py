"""Recorded AppBuilder traffic for the cassette layer: its surface, the check of its answers
against the ``appbuilder.*`` schemas, and its reading as Assistants exchanges."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from harness import schemas
from harness.dialects.appbuilder._operations import OPERATIONS
from harness.dialects.appbuilder._reading import read_exchanges
from harness.errors import SchemaValidationError
from harness.surfaces import Surface

__all__ = ["SURFACE", "read_exchanges", "recorded_problems"]

SURFACE = Surface(
    name="appbuilder",
    title="Baidu AppBuilder (POST [prefix]/v2/…)",
    prefix=r"(?:/[^/]+)*?",  # GATEWAY_URL may carry a path prefix
    operations=tuple(OPERATIONS),
    wire="appbuilder",
)
"""AppBuilder's URLs: its operation paths are its own (``/v2/threads/runs``), read by
:func:`recorded_problems`."""


def recorded_problems(
    path: str, status: int, body: Any, events: Iterable[tuple[str, str]] | None
) -> list[tuple[str, str]]:
    """``(where, message)`` for each problem of one recorded answer to ``path`` (``/v2/…``):
    ``body`` is the parsed JSON answer, ``events`` the stream's ``(event, data)`` pairs."""
    route = OPERATIONS[path]
    problems: list[tuple[str, str]] = []

    def check(where: str, kind: str, value: Any) -> None:
        try:
            schemas.validate(kind, value)
        except SchemaValidationError as error:
            problems.append((where, str(error)))

    if events is not None:
        for number, (event, data) in enumerate(events):
            where = f"response.events[{number}]"
            if event not in ("status", "message", "ping"):
                problems.append(
                    (where, f"event {event!r}: appbuilder-sdk reads status and message")
                )
                continue
            if event == "ping":
                continue
            try:
                check(where, f"appbuilder.stream_{event}", json.loads(data))
            except ValueError:
                problems.append((where, f"data is not JSON: {data[:60]!r}"))
        return problems
    if status != 200:
        check("response", "appbuilder.error", body)
        return problems
    if route.kind is None:
        return problems
    check("response", route.kind, body)
    if route.item is not None and isinstance(body, dict):
        for index, item in enumerate(body.get("data") or ()):
            check(f"response.data[{index}]", route.item, item)
    return problems
