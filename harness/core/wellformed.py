"""Is a request well-formed? One strict reading of its bytes, before any handler sees them.

Bodies are undone from their ``Content-Encoding`` (bounded, so a small bomb cannot grow
unbounded), parsed as strict JSON (no ``NaN``/``Infinity``, no number overflowing to infinity,
bounded nesting) and walked once for lone UTF-16 surrogates in any key or string; paths, query
strings and the headers the API echoes are checked for the same. A malformed request gets the
API's 400 envelope here, so nothing malformed is ever stored and no later answer fails to encode.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections.abc import Iterable
from typing import Any

from harness.codings import CodingTooLarge, CorruptCoding, UnsupportedCoding, undo_codings
from harness.core.http import ApiRequest
from harness.errors import ApiError

__all__ = [
    "INVALID_JSON",
    "MAX_BODY_BYTES",
    "MAX_JSON_DEPTH",
    "check_request",
    "check_text",
    "decode_body",
    "parse_json",
]

INVALID_JSON = (
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't "
    "using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was "
    "sent was not valid JSON. If you have trouble figuring out how to fix this, please contact "
    "us through our help center at help.openai.com.)"
)

MAX_JSON_DEPTH = 64
"""Deepest nesting of objects and arrays a body may have (a tool's JSON Schema needs far less)."""

MAX_BODY_BYTES = 32 * 1024**2
"""Largest body once its ``Content-Encoding`` is undone (the HTTP adapter's own limit)."""

_SURROGATE = re.compile("[\ud800-\udfff]")


def _bad(message: str, *, param: str | None = None, code: str | None = None) -> ApiError:
    return ApiError(400, message, param=param, code=code)


class _NotJson(ValueError):
    """A token Python's json module accepts but JSON does not (NaN, Infinity, 1e999)."""


def _refuse_constant(token: str) -> Any:
    raise _NotJson(token)


def _finite_float(token: str) -> float:
    value = float(token)
    if math.isinf(value):
        raise _NotJson(token)
    return value


def parse_json(raw: bytes) -> Any:
    """``raw`` as strict JSON, checked for depth and lone surrogates; 400 envelopes otherwise."""
    try:
        data = json.loads(raw, parse_constant=_refuse_constant, parse_float=_finite_float)
    except _NotJson as error:
        if str(error) in ("NaN", "Infinity", "-Infinity"):
            raise _bad(INVALID_JSON) from None
        raise _bad(
            f"Invalid number in the request body: {str(error)[:40]} is out of range (a JSON "
            "number must fit a 64-bit float).",
            code="invalid_value",
        ) from None
    except RecursionError:
        raise _too_deep() from None
    except (ValueError, UnicodeDecodeError):
        raise _bad(INVALID_JSON) from None
    _check_tree(data)
    return data


def _too_deep() -> ApiError:
    return _bad(
        f"Invalid request body: objects and arrays are nested more than {MAX_JSON_DEPTH} levels "
        "deep.",
        code="invalid_value",
    )


def _check_tree(data: Any) -> None:
    """Walk the parsed body once (iteratively): depth, and every key and string."""
    pending: list[tuple[Any, str, int]] = [(data, "", 0)]
    while pending:
        value, where, depth = pending.pop()
        if isinstance(value, str):
            check_text(value, where or "body")
        elif isinstance(value, dict | list):
            if depth >= MAX_JSON_DEPTH:
                raise _too_deep()
            items: Iterable[tuple[str, Any]]
            if isinstance(value, dict):
                for key in value:
                    check_text(key, f"{where}.{key}" if where else key, key=True)
                items = ((f"{where}.{key}" if where else key, item) for key, item in value.items())
            else:
                items = ((f"{where}[{index}]", item) for index, item in enumerate(value))
            pending.extend((item, path, depth + 1) for path, item in items)


def check_text(value: str, param: str, *, key: bool = False) -> str:
    """``value`` unless it holds a lone UTF-16 surrogate, which no UTF-8 answer can carry."""
    found = _SURROGATE.search(value)
    if found is None:
        return value
    shown = _printable(param)
    what = f"property name in '{shown}'" if key else f"'{shown}'"
    raise _bad(
        f"Invalid {what}: the string holds a lone UTF-16 surrogate (\\u{ord(found.group()):04x}) "
        "at character "
        f"{found.start()}, which is not valid Unicode. Send well-formed UTF-8 text.",
        param=shown,
        code="invalid_value",
    )


def _printable(text: str) -> str:
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# -- Content-Encoding -------------------------------------------------------------------------


def decode_body(body: bytes, content_encoding: str | None) -> bytes:
    """``body`` with its ``Content-Encoding`` undone (last applied, first undone)."""
    if not content_encoding or not body:
        return body
    try:
        return undo_codings(body, content_encoding, limit=MAX_BODY_BYTES)
    except UnsupportedCoding as error:
        raise ApiError(
            415,
            f"Unsupported Content-Encoding: {error}. Send the body as identity, gzip, "
            "deflate or br.",
            code="unsupported_content_encoding",
        ) from None
    except CodingTooLarge as error:
        raise ApiError(
            413,
            f"Request body too large: it expands to more than {MAX_BODY_BYTES} bytes once "
            f"its Content-Encoding ({error.coding}) is undone.",
            code="request_too_large",
        ) from None
    except CorruptCoding as error:
        raise _bad(
            f"We could not decode the body of your request: it is not valid {error.coding} "
            f"data, though its Content-Encoding header says {error.coding}.",
            code="invalid_content_encoding",
        ) from None


def check_request(request: ApiRequest) -> ApiRequest:
    """``request`` with its body decoded, once its path and query are known to be good text."""
    check_text(request.path, "path")
    for name, value in request.query:
        check_text(name, "query", key=True)
        check_text(value, name)
    encoding = request.header("content-encoding")
    if not encoding:
        return request
    headers = {k: v for k, v in request.headers.items() if k != "content-encoding"}
    return dataclasses.replace(request, body=decode_body(request.body, encoding), headers=headers)
