"""Request matchers, vcrpy-style: ``matcher(incoming, recorded)`` raises AssertionError if they
differ, with a message saying how.

Each matcher also has a hashable ``key``: two requests match when all their keys are equal, so a
replayer can index a cassette in a dict and look requests up in O(1). Scheme, host, port and
headers are never compared; the defaults are :data:`method`, :data:`path`, :data:`query` and
:data:`body`.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from harness.cassettes._model import Request

__all__ = [
    "DEFAULT_MATCHERS",
    "Matcher",
    "body",
    "failures",
    "json_difference",
    "method",
    "path",
    "query",
    "request_key",
]


@dataclass(frozen=True)
class Matcher:
    """A named comparison: requests match when their ``key`` values are equal.

    ``explain(incoming, recorded)`` describes a difference; calling the matcher raises it as an
    AssertionError, as vcrpy's matchers do.
    """

    name: str
    key: Callable[[Request], Hashable]
    explain: Callable[[Request, Request], str]

    def __call__(self, incoming: Request, recorded: Request) -> None:
        if self.key(incoming) != self.key(recorded):
            raise AssertionError(self.explain(incoming, recorded))


def _short(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- method, path, query -------------------------------------------------------------------


def _method_key(request: Request) -> Hashable:
    return request.method


def _path_key(request: Request) -> Hashable:
    return unquote(request.path)


def _query_key(request: Request) -> Hashable:
    return tuple(sorted(request.query))


def _explain_query(incoming: Request, recorded: Request) -> str:
    ours, theirs = Counter(incoming.query), Counter(recorded.query)
    extra = ["=".join(pair) for pair in sorted((ours - theirs).elements())]
    missing = ["=".join(pair) for pair in sorted((theirs - ours).elements())]
    parts = []
    if extra:
        parts.append(f"request has {', '.join(extra)}")
    if missing:
        parts.append(f"recorded has {', '.join(missing)}")
    return "query differs: " + "; ".join(parts)


method = Matcher("method", _method_key, lambda a, b: f"method differs: {a.method} != {b.method}")
"""Same HTTP method."""

path = Matcher("path", _path_key, lambda a, b: f"path differs: {_path_key(a)} != {_path_key(b)}")
"""Same path, percent-decoding aside; scheme, host and port are ignored."""

query = Matcher("query", _query_key, _explain_query)
"""Same query parameters as a multiset: order does not matter, repetitions do."""


# --- body ----------------------------------------------------------------------------------

_NOT_JSON = object()


def _parsed(request: Request) -> Any:
    """The JSON body, None for an empty body, or ``_NOT_JSON``."""
    raw = request.content
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return _NOT_JSON


def _canonical(value: Any) -> Any:
    """JSON data where ``1.0`` and ``1`` are the same number, for hashing."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _canonical(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_canonical(item) for item in value]
    return value


def _multipart_text(request: Request) -> bytes:
    """The body with a multipart boundary (random per upload) replaced by a fixed marker."""
    content_type = request.header("content-type") or ""
    raw = request.content
    if "multipart/" in content_type and "boundary=" in content_type:
        boundary = content_type.split("boundary=", 1)[1].split(";")[0].strip().strip('"')
        if boundary:
            raw = raw.replace(boundary.encode(), b"BOUNDARY")
    return raw


def _body_key(request: Request) -> Hashable:
    data = _parsed(request)
    if data is None:
        return None
    if data is _NOT_JSON:
        return ("text", _multipart_text(request))
    return ("json", _dump(data))


def _dump(data: Any) -> str:
    return json.dumps(_canonical(data), sort_keys=True, separators=(",", ":"))


def json_difference(ours: Any, theirs: Any, where: str = "$") -> str | None:
    """The first place two JSON values differ, e.g. ``$.assistant_id 'asst_a' != 'asst_b'``."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        for key in sorted(ours.keys() | theirs.keys()):
            here = f"{where}.{key}"
            if key not in theirs:
                return f"{here} only in the request ({_short(ours[key])})"
            if key not in ours:
                return f"{here} only in the recording ({_short(theirs[key])})"
            found = json_difference(ours[key], theirs[key], here)
            if found:
                return found
        return None
    if isinstance(ours, list) and isinstance(theirs, list):
        for index, (a, b) in enumerate(zip(ours, theirs, strict=False)):
            found = json_difference(a, b, f"{where}[{index}]")
            if found:
                return found
        if len(ours) != len(theirs):
            return f"{where} has {len(ours)} items in the request, {len(theirs)} recorded"
        return None
    if _dump(ours) == _dump(theirs):
        return None
    return f"{where} {_short(ours)} != {_short(theirs)}"


def _explain_body(incoming: Request, recorded: Request) -> str:
    ours, theirs = _parsed(incoming), _parsed(recorded)
    if (
        ours is not _NOT_JSON
        and theirs is not _NOT_JSON
        and ours is not None
        and theirs is not None
    ):
        return f"body differs: {json_difference(ours, theirs) or 'JSON values differ'}"
    if ours is None or theirs is None:
        side = "request" if ours is None else "recording"
        return f"body differs: the {side} has no body"
    return f"body differs: {_short(incoming.text)} != {_short(recorded.text)}"


body = Matcher("body", _body_key, _explain_body)
"""Same body: JSON compared as data (key order, spacing and ``1``/``1.0`` aside), other bodies as
bytes (multipart boundaries aside); an empty body equals no body."""

DEFAULT_MATCHERS: tuple[Matcher, ...] = (method, path, query, body)


def request_key(request: Request, matchers: Sequence[Matcher] = DEFAULT_MATCHERS) -> Hashable:
    """The composite key: requests with equal keys match under ``matchers``."""
    return tuple(matcher.key(request) for matcher in matchers)


def failures(
    incoming: Request, recorded: Request, matchers: Sequence[Matcher] = DEFAULT_MATCHERS
) -> list[str]:
    """One explanation per matcher that fails (empty when the requests match)."""
    return [
        matcher.explain(incoming, recorded)
        for matcher in matchers
        if matcher.key(incoming) != matcher.key(recorded)
    ]
