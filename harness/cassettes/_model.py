"""Immutable values for recorded HTTP traffic: requests, responses, interactions, cassettes."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from harness.sse import parse_events

__all__ = [
    "Body",
    "Cassette",
    "Headers",
    "HeadersInput",
    "Interaction",
    "Request",
    "Response",
    "decoded_headers",
    "normalise_headers",
]

Body = bytes | str | None
Headers = tuple[tuple[str, str], ...]
HeadersInput = Mapping[str, str | Sequence[str]] | Iterable[tuple[str, str]]


def normalise_headers(headers: HeadersInput | None) -> Headers:
    """``(name, value)`` pairs in order; a mapping's list values become one pair per value."""
    if headers is None:
        return ()
    if isinstance(headers, Mapping):
        pairs: list[tuple[str, str]] = []
        for name, value in headers.items():
            values = [value] if isinstance(value, str | bytes) else list(value)
            pairs.extend((str(name), _text(item)) for item in values)
        return tuple(pairs)
    return tuple((str(name), _text(value)) for name, value in headers)


def decoded_headers(headers: HeadersInput, size: int) -> Headers:
    """The headers of a body stored decoded: no ``Content-Encoding``, and ``Content-Length``
    (when present) the body's true ``size``."""
    return tuple(
        (name, str(size) if name.lower() == "content-length" else value)
        for name, value in normalise_headers(headers)
        if name.lower() != "content-encoding"
    )


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return str(value)


class _Message:
    """What requests and responses share: headers and a body."""

    headers: Headers
    body: Body

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or None."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)

    def header_values(self, name: str) -> list[str]:
        """Every value of header ``name`` (case-insensitive)."""
        wanted = name.lower()
        return [value for key, value in self.headers if key.lower() == wanted]

    @property
    def content(self) -> bytes:
        """The body as bytes (empty when there is none)."""
        if self.body is None:
            return b""
        return self.body.encode() if isinstance(self.body, str) else self.body

    @property
    def text(self) -> str:
        """The body as text (UTF-8, undecodable bytes replaced)."""
        if isinstance(self.body, str):
            return self.body
        return self.content.decode("utf-8", errors="replace")

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower case (``""`` when absent)."""
        return (self.header("content-type") or "").split(";")[0].strip().lower()

    def json(self) -> Any:
        """The decoded JSON body, or None when the body is empty or not JSON."""
        if not self.content.strip():
            return None
        try:
            return json.loads(self.content)
        except ValueError:
            return None


@dataclass(frozen=True, init=False)
class Request(_Message):
    """A recorded or incoming request. ``headers`` accepts pairs or a mapping."""

    method: str
    uri: str
    headers: Headers
    body: Body

    def __init__(
        self, method: str, uri: str, headers: HeadersInput | None = None, body: Body = None
    ) -> None:
        object.__setattr__(self, "method", method.upper())
        object.__setattr__(self, "uri", uri)
        object.__setattr__(self, "headers", normalise_headers(headers))
        object.__setattr__(self, "body", body)

    @property
    def path(self) -> str:
        """The URI's path (``/`` when empty), still percent-encoded."""
        return urlsplit(self.uri).path or "/"

    @property
    def query(self) -> tuple[tuple[str, str], ...]:
        """The decoded query parameters, in order, blanks kept."""
        return tuple(parse_qsl(urlsplit(self.uri).query, keep_blank_values=True))


@dataclass(frozen=True, init=False)
class Response(_Message):
    """A recorded response. ``reason`` may be empty; ``headers`` accepts pairs or a mapping."""

    status: int
    reason: str
    headers: Headers
    body: Body

    def __init__(
        self,
        status: int,
        reason: str = "",
        headers: HeadersInput | None = None,
        body: Body = None,
    ) -> None:
        object.__setattr__(self, "status", int(status))
        object.__setattr__(self, "reason", reason)
        object.__setattr__(self, "headers", normalise_headers(headers))
        object.__setattr__(self, "body", body)

    @property
    def is_sse(self) -> bool:
        """Whether the body is a server-sent event stream."""
        return self.content_type == "text/event-stream"

    def sse_events(self) -> list[tuple[str, str]]:
        """``(event, data)`` for each event of an SSE body, in order."""
        return parse_events(self.text)


@dataclass(frozen=True)
class Interaction:
    """One request and the response it got."""

    request: Request
    response: Response


@dataclass(frozen=True, init=False)
class Cassette:
    """An ordered, immutable list of interactions, optionally tied to the file it came from."""

    interactions: tuple[Interaction, ...]
    path: Path | None

    def __init__(self, interactions: Iterable[Interaction] = (), path: Path | str | None = None):
        object.__setattr__(self, "interactions", tuple(interactions))
        object.__setattr__(self, "path", None if path is None else Path(path))

    def __len__(self) -> int:
        return len(self.interactions)

    def __iter__(self) -> Iterator[Interaction]:
        return iter(self.interactions)

    def appended(self, *interactions: Interaction) -> Cassette:
        """A new cassette with ``interactions`` added at the end."""
        return Cassette(self.interactions + interactions, self.path)
