"""Transport-neutral request and response values exchanged with the core."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from harness.sse import encode_event

__all__ = ["ApiRequest", "ApiResponse", "Cut", "Pause", "SSEEvent", "StreamBody", "caller_of"]


def caller_of(*traits: str) -> str:
    """A caller's identity from what a transport can tell (peer host, user agent, key): a digest,
    so no key is kept in it."""
    return hashlib.sha256("\0".join(traits).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class ApiRequest:
    """An HTTP request as the core sees it; ``path`` is relative to the API mount (``/v1``)."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    """Header names in lower case."""
    body: bytes = b""
    caller: str = ""
    """Who sent it (a client, as far as the transport can tell): polling-loop rules count
    each caller's consecutive requests apart."""

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def query_values(self, name: str) -> list[str]:
        return [value for key, value in self.query if key == name]


@dataclass(frozen=True)
class SSEEvent:
    """One server-sent event: a name and its JSON data (or the literal ``[DONE]``)."""

    event: str
    data: Any

    def encode(self) -> bytes:
        return encode_event(self.event, self.data)


@dataclass(frozen=True)
class Pause:
    """Wait this many real milliseconds before the next event of a stream."""

    ms: int


@dataclass(frozen=True)
class Cut:
    """The connection drops here (a fault). The items after it are played, not sent."""


StreamBody = Iterator["SSEEvent | Pause | Cut"]


@dataclass
class ApiResponse:
    """A response: JSON body, raw bytes when ``content`` is set (a file download), or a stream
    of events when ``stream`` is set."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    stream: StreamBody | None = None
    reset: bool = False
    """Drop the connection instead of answering (a fault)."""
    delay_ms: int = 0
    """Real milliseconds to wait before answering (a fault)."""
    cut_stream_after: int | None = None
    stream_error_after: int | None = None
    content: bytes | None = None
    """Raw bytes sent as they are, instead of ``body`` as JSON."""
    media_type: str = "application/json"
    """The ``Content-Type`` of a non-streamed answer."""
    _encoded: tuple[Any, bytes] | None = field(default=None, init=False, repr=False, compare=False)

    def encoded_body(self) -> bytes:
        """Raw ``content``, or the body as strict JSON (never ``NaN``); encoded once per body
        object, then kept."""
        if self.content is not None:
            return self.content
        if self._encoded is None or self._encoded[0] is not self.body:
            text = json.dumps(self.body, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
            self._encoded = (self.body, text.encode())
        return self._encoded[1]
