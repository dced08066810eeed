"""A recording read on the Assistants wire, whatever wires it was made on.

Interactions on an Assistants surface (OpenAI, Azure) are kept as they are; those on a
dialect's own wire (AppBuilder) are handed, decoded, to that dialect's reader
(:data:`~harness.dialects.recorded.RECORDING_READERS`) and replaced, in place, by the
Assistants exchanges they amount to, laid out on OpenAI's ``/v1``. Conversion and verification
then read one wire only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from harness.cassettes._model import Interaction, Request, Response
from harness.dialects.exchange import RecordedExchange
from harness.dialects.recorded import CASSETTE_SURFACES, RECORDING_READERS
from harness.sse import encode_event, parse_json_events
from harness.surfaces import ASSISTANTS_WIRE, OPENAI, operation_of

__all__ = [
    "as_interaction",
    "dialect_operation",
    "exchange_of",
    "on_assistants_wire",
    "told_as_assistants",
]

_ORIGIN = "http://recorded.invalid"
"""The host of interactions told on the Assistants wire (no request ever goes there)."""


def exchange_of(interaction: Interaction, path: str) -> RecordedExchange:
    """``interaction`` decoded, with ``path`` its operation path."""
    response = interaction.response
    events = tuple(parse_json_events(response.text)) if response.is_sse else None
    return RecordedExchange(
        interaction.request.method,
        path,
        interaction.request.json(),
        response.status,
        None if response.is_sse else response.json(),
        events,
    )


def as_interaction(exchange: RecordedExchange) -> Interaction:
    """An Assistants exchange as an interaction on OpenAI's ``/v1``."""
    body = None if exchange.request is None else json.dumps(exchange.request)
    request = Request(
        exchange.method,
        f"{_ORIGIN}{OPENAI.base}{exchange.path}",
        {"Content-Type": "application/json"} if body else None,
        body,
    )
    if exchange.events is not None:
        text = "".join(encode_event(name, data).decode() for name, data in exchange.events)
        response = Response(exchange.status, "", {"Content-Type": "text/event-stream"}, text)
    else:
        content = None if exchange.response is None else json.dumps(exchange.response)
        response = Response(exchange.status, "", {"Content-Type": "application/json"}, content)
    return Interaction(request, response)


def dialect_operation(request: Request) -> tuple[str, str] | None:
    """``(wire, operation path)`` of a request on a dialect's own wire; None on the
    Assistants wire (or on no known surface)."""
    found = operation_of(request.method, request.uri, CASSETTE_SURFACES)
    if found is None or found.surface.wire == ASSISTANTS_WIRE:
        return None
    return found.surface.wire, found.path


def told_as_assistants(
    wired: Sequence[tuple[str, RecordedExchange] | None],
) -> list[list[RecordedExchange] | None]:
    """For each ``(wire, exchange)`` of a dialect wire, the Assistants exchanges it amounts to
    (each wire's reader gets all of that wire's exchanges, in order); None stays None."""
    by_wire: dict[str, list[tuple[int, RecordedExchange]]] = {}
    for index, entry in enumerate(wired):
        if entry is not None:
            by_wire.setdefault(entry[0], []).append((index, entry[1]))
    told: list[list[RecordedExchange] | None] = [None] * len(wired)
    for wire, indexed in by_wire.items():
        readings = RECORDING_READERS[wire]([exchange for _, exchange in indexed])
        for (index, _), reading in zip(indexed, readings, strict=True):
            told[index] = reading
    return told


def on_assistants_wire(interactions: Iterable[Interaction]) -> tuple[Interaction, ...]:
    """The recording with each dialect-wire interaction replaced by what it amounts to."""
    recorded = list(interactions)
    wired = []
    for interaction in recorded:
        found = dialect_operation(interaction.request)
        wired.append(None if found is None else (found[0], exchange_of(interaction, found[1])))
    result: list[Interaction] = []
    for interaction, told in zip(recorded, told_as_assistants(wired), strict=True):
        result.extend([interaction] if told is None else map(as_interaction, told))
    return tuple(result)
