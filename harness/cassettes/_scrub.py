"""Remove credentials and account identifiers from interactions before they are written."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from harness.cassettes._encoding import decoded
from harness.cassettes._model import Body, Cassette, Headers, Interaction, Request, Response
from harness.secrets import (
    PLACEHOLDER,
    SECRET_FIELDS,
    SECRET_HEADER_PATTERN,
    SECRET_HEADERS,
    SECRET_PATTERNS,
)

__all__ = [
    "DEFAULT_SCRUBBER",
    "PLACEHOLDER",
    "SECRET_FIELDS",
    "SECRET_HEADERS",
    "SECRET_HEADER_PATTERN",
    "Scrubber",
]

# The rules are shared with the request journal: see harness.secrets.
_BUILTIN_PATTERNS = SECRET_PATTERNS

Rule = tuple[re.Pattern[str], str]


@dataclass(frozen=True)
class Scrubber:
    """Replaces secrets in requests and responses; idempotent, and on by default when saving.

    ``extra_patterns`` are ``(regex, replacement)`` pairs applied after the built-in ones, with
    :func:`re.sub` semantics; ``extra_headers`` are more header names to blank out entirely.
    Bodies are decoded (gzip, deflate, brotli) first, so compressed secrets are found too.
    """

    extra_patterns: Iterable[tuple[str | re.Pattern[str], str]] = ()
    extra_headers: Iterable[str] = ()
    placeholder: str = PLACEHOLDER
    _rules: tuple[Rule, ...] = field(init=False, repr=False, compare=False)
    _headers: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        extra = tuple(self.extra_patterns)
        names = tuple(self.extra_headers)
        object.__setattr__(self, "extra_patterns", extra)
        object.__setattr__(self, "extra_headers", names)
        rules = [
            (re.compile(p), r.replace(PLACEHOLDER, self.placeholder)) for p, r in _BUILTIN_PATTERNS
        ]
        rules += [(re.compile(p) if isinstance(p, str) else p, r) for p, r in extra]
        object.__setattr__(self, "_rules", tuple(rules))
        object.__setattr__(self, "_headers", SECRET_HEADERS | {n.lower() for n in names})

    def text(self, value: str) -> str:
        """``value`` with every pattern replaced."""
        for pattern, replacement in self._rules:
            value = pattern.sub(replacement, value)
        return value

    def body(self, body: Body) -> Body:
        """A body with every pattern replaced; bytes stay bytes, undecodable bytes included."""
        if body is None:
            return None
        if isinstance(body, str):
            return self.text(body)
        try:
            return self.text(body.decode("utf-8")).encode("utf-8")
        except UnicodeDecodeError:
            return self.text(body.decode("latin-1")).encode("latin-1", errors="replace")

    def headers(self, headers: Headers) -> Headers:
        """Secret headers blanked to the placeholder, patterns replaced in all the others."""
        return tuple(
            (name, self.placeholder if self._is_secret(name) else self.text(value))
            for name, value in headers
        )

    def _is_secret(self, name: str) -> bool:
        return name.lower() in self._headers or SECRET_HEADER_PATTERN.match(name) is not None

    def request(self, request: Request) -> Request:
        """``request`` decoded and scrubbed: URI, headers and body."""
        request = decoded(request)
        return dataclasses.replace(
            request,
            uri=self.text(request.uri),
            headers=self.headers(request.headers),
            body=self.body(request.body),
        )

    def response(self, response: Response) -> Response:
        """``response`` decoded and scrubbed: headers and body (the reason phrase too)."""
        response = decoded(response)
        return dataclasses.replace(
            response,
            reason=self.text(response.reason),
            headers=self.headers(response.headers),
            body=self.body(response.body),
        )

    def interaction(self, interaction: Interaction) -> Interaction:
        """Both halves of ``interaction`` scrubbed."""
        return Interaction(self.request(interaction.request), self.response(interaction.response))

    def cassette(self, cassette: Cassette) -> Cassette:
        """Every interaction of ``cassette`` scrubbed."""
        return Cassette((self.interaction(i) for i in cassette), cassette.path)


DEFAULT_SCRUBBER = Scrubber()
"""The built-in rules only; what every writer uses unless told otherwise."""
