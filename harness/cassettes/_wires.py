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

__all__ = ["as_interaction", "exchange_of", "on_assistants_wire", "told_as_assistants"]

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


def told_as_assistants(
    wire: str, exchanges: Sequence[RecordedExchange]
) -> list[list[RecordedExchange]]:
    """``exchanges`` of a dialect ``wire``, each told as its Assistants exchanges (aligned)."""
    return RECORDING_READERS[wire](exchanges)


def on_assistants_wire(interactions: Iterable[Interaction]) -> tuple[Interaction, ...]:
    """The recording with each dialect-wire interaction replaced by what it amounts to."""
    recorded = list(interactions)
    by_wire: dict[str, list[tuple[int, RecordedExchange]]] = {}
    for index, interaction in enumerate(recorded):
        request = interaction.request
        found = operation_of(request.method, request.uri, CASSETTE_SURFACES)
        if found is not None and found.surface.wire != ASSISTANTS_WIRE:
            by_wire.setdefault(found.surface.wire, []).append(
                (index, exchange_of(interaction, found.path))
            )
    replaced: dict[int, list[Interaction]] = {}
    for wire, indexed in by_wire.items():
        told = told_as_assistants(wire, [exchange for _, exchange in indexed])
        for (index, _), exchanges in zip(indexed, told, strict=True):
            replaced[index] = [as_interaction(exchange) for exchange in exchanges]
    result: list[Interaction] = []
    for index, interaction in enumerate(recorded):
        result.extend(replaced.get(index, [interaction]))
    return tuple(result)
