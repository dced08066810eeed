"""Recorded traffic as plain data, the form in which a dialect reads its wire back.

The cassette layer holds HTTP interactions; a dialect knows its wire's shapes. They meet here:
the cassette layer hands a dialect the :class:`RecordedExchange` values of its wire, and the
dialect's :data:`RecordingReader` tells each one as the Assistants exchanges it amounts to
(OpenAI paths and objects), which the cassette tools (conversion, verification) already read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["RecordedExchange", "RecordingReader"]


@dataclass(frozen=True)
class RecordedExchange:
    """One recorded request and its answer, decoded."""

    method: str
    path: str
    """The operation path on the exchange's wire: ``/v2/threads/runs`` (AppBuilder) or
    ``/threads/thread_1/runs`` (the Assistants wire)."""
    request: Any
    """The request's JSON body (None when it had none or it was not JSON)."""
    status: int
    response: Any
    """The answer's JSON body (None for a stream, an empty or a non-JSON body)."""
    events: tuple[tuple[str, Any], ...] | None = None
    """A streamed answer's ``(event, JSON data)`` pairs; None when the answer was not a stream."""


RecordingReader = Callable[[Sequence[RecordedExchange]], list[list[RecordedExchange]]]
"""A dialect's reading of its wire's exchanges (a whole recording's, in order) into the
Assistants exchanges each one amounts to: one list per exchange, aligned, possibly empty."""
