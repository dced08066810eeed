"""Read recordings made by other tools: vcrpy, Ruby VCR, .NET test-proxy, HAR 1.2, ExVCR.

:func:`import_file` detects the format from the document's shape, not the file name.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from harness.cassettes._encoding import decoded
from harness.cassettes._model import Body, Cassette, Headers, Interaction, Request, Response
from harness.cassettes._vcr_format import (
    cassette_from_vcr,
    parse_document,
    read_headers,
    reason_for,
)
from harness.errors import CassetteError

__all__ = ["FORMATS", "detect_format", "import_file"]

Reader = Callable[[Any, str], list[Interaction]]


def import_file(path: str | Path) -> Cassette:
    """Read any supported recording into a Cassette with decoded bodies.

    Raises CassetteError naming the file and the problem for unknown or malformed input.
    """
    path = Path(path)
    data = parse_document(path)
    kind = detect_format(data)
    if kind is None:
        found = sorted(map(str, data))[:8] if isinstance(data, Mapping) else type(data).__name__
        raise CassetteError(
            f"{path}: unknown recording format (expected vcrpy 'interactions', Ruby VCR "
            f"'http_interactions', .NET test-proxy 'Entries', HAR 'log.entries' or ExVCR's list "
            f"of {{request, response}}; found {found})"
        )
    if kind == "vcrpy":
        return cassette_from_vcr(data, source=str(path), path=path)
    interactions = FORMATS[kind](data, str(path))
    return Cassette([Interaction(decoded(i.request), decoded(i.response)) for i in interactions])


def detect_format(data: Any) -> str | None:
    """``vcrpy``, ``ruby-vcr``, ``dotnet-test-proxy``, ``har``, ``exvcr`` or None."""
    if isinstance(data, list):
        first = data[0] if data else None
        if isinstance(first, Mapping) and {"request", "response"} <= first.keys():
            return "exvcr"
        return None
    if not isinstance(data, Mapping):
        return None
    if "interactions" in data:
        return "vcrpy"
    if "http_interactions" in data:
        return "ruby-vcr"
    if "Entries" in data:
        return "dotnet-test-proxy"
    if isinstance(data.get("log"), Mapping) and "entries" in data["log"]:
        return "har"
    return None


def _items(data: Any, key: str, source: str) -> list[Any]:
    value = data.get(key) if isinstance(data, Mapping) else None
    if not isinstance(value, list):
        raise CassetteError(f"{source}: '{key}' must be a list")
    return value


def _map(data: Any, key: str, where: str) -> Mapping[str, Any]:
    value = data.get(key) if isinstance(data, Mapping) else None
    if not isinstance(value, Mapping):
        raise CassetteError(f"{where}: '{key}' is missing or not a mapping")
    return value


def _str(data: Mapping[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise CassetteError(f"{where}: '{key}' is missing or not a string")
    return value


def _int(data: Mapping[str, Any], key: str, where: str) -> int:
    value = data.get(key)
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if not isinstance(value, int):
        raise CassetteError(f"{where}: '{key}' is missing or not an integer")
    return value


def _b64(text: str, where: str) -> bytes:
    try:
        return base64.b64decode(text, validate=False)
    except (binascii.Error, ValueError) as error:
        raise CassetteError(f"{where}: invalid base64 body: {error}") from error


# --- Ruby VCR ------------------------------------------------------------------------------


def _ruby_body(value: Any, where: str) -> Body:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise CassetteError(f"{where}.body: expected a mapping with 'string'")
    if "base64_string" in value:
        return _b64(str(value["base64_string"]), f"{where}.body")
    text = value.get("string")
    return None if text is None else str(text)


def _read_ruby(data: Any, source: str) -> list[Interaction]:
    result = []
    for index, item in enumerate(_items(data, "http_interactions", source)):
        where = f"{source}: http_interactions[{index}]"
        req = _map(item, "request", where)
        res = _map(item, "response", where)
        status = _map(res, "status", f"{where}.response")
        code = _int(status, "code", f"{where}.response.status")
        request = Request(
            _str(req, "method", f"{where}.request"),
            _str(req, "uri", f"{where}.request"),
            read_headers(req.get("headers"), f"{where}.request"),
            _ruby_body(req.get("body"), f"{where}.request"),
        )
        response = Response(
            code,
            str(status.get("message") or reason_for(code)),
            read_headers(res.get("headers"), f"{where}.response"),
            _ruby_body(res.get("body"), f"{where}.response"),
        )
        result.append(Interaction(request, response))
    return result


# --- .NET System.ClientModel test-proxy ----------------------------------------------------


def _content_type(headers: Headers) -> str:
    return next((value.lower() for name, value in headers if name.lower() == "content-type"), "")


def _dotnet_body(value: Any, content_type: str) -> Body:
    if value is None:
        return None
    if isinstance(value, list) and "event-stream" in content_type:
        return "".join(str(line) for line in value)
    if isinstance(value, Mapping | list | int | float | bool):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def _read_dotnet(data: Any, source: str) -> list[Interaction]:
    result = []
    for index, entry in enumerate(_items(data, "Entries", source)):
        where = f"{source}: Entries[{index}]"
        if not isinstance(entry, Mapping):
            raise CassetteError(f"{where}: expected a mapping")
        request_headers = read_headers(entry.get("RequestHeaders"), where)
        response_headers = read_headers(entry.get("ResponseHeaders"), where)
        request = Request(
            _str(entry, "RequestMethod", where),
            _str(entry, "RequestUri", where),
            request_headers,
            _dotnet_body(entry.get("RequestBody"), _content_type(request_headers)),
        )
        code = _int(entry, "StatusCode", where)
        response = Response(
            code,
            reason_for(code),
            response_headers,
            _dotnet_body(entry.get("ResponseBody"), _content_type(response_headers)),
        )
        result.append(Interaction(request, response))
    return result


# --- HAR 1.2 -------------------------------------------------------------------------------


def _har_text(holder: Mapping[str, Any] | None, where: str) -> Body:
    if not holder or holder.get("text") is None:
        return None
    text = str(holder["text"])
    if holder.get("encoding") == "base64":
        return _b64(text, where)
    return text


def _read_har(data: Any, source: str) -> list[Interaction]:
    result = []
    for index, entry in enumerate(_items(_map(data, "log", source), "entries", f"{source}: log")):
        where = f"{source}: log.entries[{index}]"
        req = _map(entry, "request", where)
        res = _map(entry, "response", where)
        post = req.get("postData")
        request = Request(
            _str(req, "method", f"{where}.request"),
            _str(req, "url", f"{where}.request"),
            read_headers(req.get("headers"), f"{where}.request"),
            _har_text(post if isinstance(post, Mapping) else None, f"{where}.request.postData"),
        )
        code = _int(res, "status", f"{where}.response")
        content = res.get("content")
        response = Response(
            code,
            str(res.get("statusText") or reason_for(code)),
            read_headers(res.get("headers"), f"{where}.response"),
            _har_text(
                content if isinstance(content, Mapping) else None, f"{where}.response.content"
            ),
        )
        result.append(Interaction(request, response))
    return result


# --- Elixir ExVCR (JSON) ------------------------------------------------------------------


def _exvcr_body(holder: Mapping[str, Any], key: str, where: str) -> Body:
    value = holder.get(key)
    if value is None or value == "":
        return None
    if holder.get("binary") is True and isinstance(value, str):
        return _b64(value, f"{where}.{key}")
    return _dotnet_body(value, "")


def _read_exvcr(data: Any, source: str) -> list[Interaction]:
    """A top-level list of ``{request: {method, url, headers, body}, response: {status_code,
    headers, body, binary, type}}`` (methods in lower case, headers a map or pairs)."""
    result = []
    for index, item in enumerate(data):
        where = f"{source}: [{index}]"
        req = _map(item, "request", where)
        res = _map(item, "response", where)
        if res.get("type", "ok") != "ok":
            raise CassetteError(
                f"{where}.response: type {res.get('type')!r} (a transport error, not an HTTP "
                "answer) cannot be replayed"
            )
        code = _int(res, "status_code", f"{where}.response")
        request = Request(
            _str(req, "method", f"{where}.request").upper(),
            _str(req, "url", f"{where}.request"),
            read_headers(req.get("headers"), f"{where}.request"),
            _exvcr_body(req, "body", f"{where}.request")
            or _exvcr_body(req, "request_body", f"{where}.request"),
        )
        response = Response(
            code,
            reason_for(code),
            read_headers(res.get("headers"), f"{where}.response"),
            _exvcr_body(res, "body", f"{where}.response"),
        )
        result.append(Interaction(request, response))
    return result


FORMATS: Mapping[str, Reader] = MappingProxyType(
    {
        "exvcr": _read_exvcr,
        "ruby-vcr": _read_ruby,
        "dotnet-test-proxy": _read_dotnet,
        "har": _read_har,
    }
)
"""Readers for the formats other than vcrpy's own (which :mod:`_vcr_format` reads)."""
