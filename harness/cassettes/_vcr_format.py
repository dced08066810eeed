"""vcrpy's cassette format (``version: 1``, ``interactions:``) in YAML or JSON: read and write.

Written files stay loadable by vcrpy itself. Bodies are stored decoded and readable: JSON as its
exact text, multi-line text (SSE streams, pretty JSON) as YAML literal blocks, and only bytes
that are not UTF-8 as ``!!binary``. Saving scrubs by default and replaces the file atomically.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from http import HTTPStatus
from pathlib import Path
from typing import IO, Any

import yaml

from harness.cassettes._atomic import atomic_write
from harness.cassettes._encoding import decoded
from harness.cassettes._model import Body, Cassette, Headers, Interaction, Request, Response
from harness.cassettes._scrub import DEFAULT_SCRUBBER, Scrubber
from harness.cassettes._yaml import dump_yaml, load_yaml
from harness.errors import CassetteError

__all__ = [
    "cassette_from_vcr",
    "cassette_to_vcr",
    "interaction_to_vcr",
    "load_cassette",
    "parse_document",
    "reason_for",
    "save_cassette",
]

FORMAT_VERSION = 1
APPEND_HEADER = f"version: {FORMAT_VERSION}\ninteractions:\n"
"""How a cassette laid out for appending starts (see :mod:`harness.cassettes._appender`)."""
APPEND_MARKER = "# harness: interaction recorded\n"
"""Ends every complete interaction of a cassette laid out for appending."""


def reason_for(status: int) -> str:
    """The standard reason phrase of ``status`` (``""`` for unknown codes)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


# --- reading -------------------------------------------------------------------------------


def parse_document(path: Path) -> Any:
    """The parsed JSON or YAML document in ``path``; CassetteError naming the file otherwise."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CassetteError(f"{path}: no such cassette file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise CassetteError(f"{path}: cannot read: {error}") from error
    if not text.strip():
        raise CassetteError(f"{path}: the file is empty")
    if text.lstrip()[:1] in "{[":
        try:
            return json.loads(text)
        except ValueError as error:
            if path.suffix.lower() == ".json":
                raise CassetteError(f"{path}: invalid JSON: {error}") from error
    try:
        return load_yaml(text)
    except yaml.YAMLError as error:
        complete = _complete_part(text)
        if complete is not None:  # a recording torn by a crash: what was finished is whole
            return load_yaml(complete)
        raise CassetteError(f"{path}: invalid YAML: {error}") from error


def _complete_part(text: str) -> str | None:
    """A torn appended cassette up to its last complete interaction, or None."""
    end = text.rfind("\n" + APPEND_MARKER)
    if not text.startswith(APPEND_HEADER) or end < 0:
        return None
    return text[: end + 1 + len(APPEND_MARKER)]


def load_cassette(path: str | Path) -> Cassette:
    """Read a vcrpy cassette (YAML or JSON). Bodies come back decoded, as text where possible."""
    path = Path(path)
    return cassette_from_vcr(parse_document(path), source=str(path), path=path)


def cassette_from_vcr(data: Any, *, source: str, path: Path | None = None) -> Cassette:
    """A Cassette from vcrpy's parsed document; CassetteError says where it is malformed."""
    if not isinstance(data, Mapping) or not isinstance(data.get("interactions"), list):
        raise CassetteError(f"{source}: not a vcrpy cassette (no 'interactions' list)")
    interactions = []
    for index, item in enumerate(data["interactions"]):
        where = f"{source}: interactions[{index}]"
        if not isinstance(item, Mapping):
            raise CassetteError(f"{where}: expected a mapping with 'request' and 'response'")
        request = _read_request(_mapping(item, "request", where), f"{where}.request")
        response = _read_response(_mapping(item, "response", where), f"{where}.response")
        interactions.append(Interaction(decoded(request), decoded(response)))
    return Cassette(interactions, path)


def _mapping(data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = data.get(key)
    if not isinstance(value, Mapping):
        raise CassetteError(f"{where}: '{key}' is missing or not a mapping")
    return value


def _read_request(data: Mapping[str, Any], where: str) -> Request:
    method, uri = data.get("method"), data.get("uri")
    if not isinstance(method, str) or not isinstance(uri, str):
        raise CassetteError(f"{where}: 'method' and 'uri' must be strings")
    return Request(method, uri, read_headers(data.get("headers"), where), _body(data.get("body")))


def _read_response(data: Mapping[str, Any], where: str) -> Response:
    if "status_code" in data:  # vcrpy's pre-6 httpx layout
        code, message, body = data["status_code"], "", data.get("content")
    else:
        status = _mapping(data, "status", where)
        code, message = status.get("code"), status.get("message") or ""
        raw = data.get("body")
        body = raw.get("string") if isinstance(raw, Mapping) else raw
    if not isinstance(code, int):
        raise CassetteError(f"{where}.status: 'code' must be an integer, got {code!r}")
    headers = read_headers(data.get("headers"), where)
    return Response(code, str(message) or reason_for(code), headers, _body(body))


def read_headers(value: Any, where: str) -> Headers:
    """Headers from a mapping (string or list values) or a list of pairs / ``{name, value}``."""
    if value is None:
        return ()
    pairs: list[tuple[str, str]] = []
    if isinstance(value, Mapping):
        for name, values in value.items():
            items = values if isinstance(values, list | tuple) else [values]
            pairs.extend((str(name), _header_text(v)) for v in items if v is not None)
        return tuple(pairs)
    if isinstance(value, list):
        for item in value:
            if isinstance(item, Mapping) and "name" in item:
                pairs.append((str(item["name"]), _header_text(item.get("value", ""))))
            elif isinstance(item, list | tuple) and len(item) == 2:
                pairs.append((str(item[0]), _header_text(item[1])))
            else:
                raise CassetteError(f"{where}.headers: cannot read header entry {item!r}")
        return tuple(pairs)
    raise CassetteError(
        f"{where}.headers: expected a mapping or a list, got {type(value).__name__}"
    )


def _header_text(value: Any) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def _body(value: Any) -> Body:
    if value is None or isinstance(value, str | bytes):
        return value
    if isinstance(value, Mapping | list):  # a parsed JSON body some tools store
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


# --- writing -------------------------------------------------------------------------------


def cassette_to_vcr(cassette: Cassette) -> dict[str, Any]:
    """vcrpy's document for ``cassette``, bodies decoded, in a readable key order."""
    return {
        "version": FORMAT_VERSION,
        "interactions": [interaction_to_vcr(i) for i in cassette],
    }


def interaction_to_vcr(interaction: Interaction) -> dict[str, Any]:
    """vcrpy's mapping for one interaction, bodies decoded."""
    request, response = decoded(interaction.request), decoded(interaction.response)
    return {
        "request": {
            "method": request.method,
            "uri": request.uri,
            "headers": _headers_dict(request.headers),
            "body": request.body,
        },
        "response": {
            "status": {"code": response.status, "message": response.reason},
            "headers": _headers_dict(response.headers),
            "body": {"string": "" if response.body is None else response.body},
        },
    }


def _headers_dict(headers: Headers) -> dict[str, list[str]]:
    """vcrpy's ``name: [values]``; names differing only in case share the first spelling."""
    result: dict[str, list[str]] = {}
    spelling: dict[str, str] = {}
    for name, value in headers:
        key = spelling.setdefault(name.lower(), name)
        result.setdefault(key, []).append(value)
    return result


def save_cassette(
    cassette: Cassette,
    path: str | Path | None = None,
    *,
    scrubber: Scrubber | None = DEFAULT_SCRUBBER,
) -> Path:
    """Write ``cassette`` (to ``path`` or ``cassette.path``) atomically; return the path.

    ``.json`` files get vcrpy's JSON layout, anything else YAML. ``scrubber=None`` turns
    scrubbing off (the default scrubs). Bodies that are not UTF-8 need YAML (``!!binary``).
    """
    target = Path(path) if path is not None else cassette.path
    if target is None:
        raise CassetteError("save_cassette: no path given and the cassette has none")
    if scrubber is not None:
        cassette = scrubber.cassette(cassette)
    document = cassette_to_vcr(cassette)
    as_json = target.suffix.lower() == ".json"
    if as_json:
        _check_json_safe(document, target)

    def write(stream: IO[str]) -> None:
        if as_json:
            json.dump(document, stream, indent=2, ensure_ascii=False)
            stream.write("\n")
        else:
            dump_yaml(document, stream)

    try:
        atomic_write(target, write)
    except OSError as error:
        raise CassetteError(f"{target}: cannot write the cassette: {error}") from error
    return target


def _check_json_safe(document: dict[str, Any], target: Path) -> None:
    for index, item in enumerate(document["interactions"]):
        if isinstance(item["request"]["body"], bytes) or isinstance(
            item["response"]["body"]["string"], bytes
        ):
            raise CassetteError(
                f"{target}: interaction {index} has a binary (non UTF-8) body, which JSON "
                "cassettes cannot hold; save it as .yaml"
            )
