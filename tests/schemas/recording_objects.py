"""Extract every JSON response object from the real recordings under ``tests/data/recordings``.

Three formats are read: vcrpy YAML cassettes (``interactions:``; bodies may be gzip ``!!binary``),
Ruby VCR YAML (``http_interactions:``; ``body.string``) and .NET test-proxy JSON (``Entries[]``;
``ResponseBody`` is a JSON value or, for SSE, a list of lines). SSE bodies become one
``{"event": NAME, "data": ...}`` object per event, ``data`` parsed as JSON unless it is ``[DONE]``.
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from harness.sse import parse_json_events

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class RecordedObject:
    """One JSON value found in a recording."""

    file: str
    interaction: int
    event: str | None  # SSE event name, None for a plain JSON body
    obj: Any

    @property
    def where(self) -> str:
        suffix = f" event {self.event}" if self.event else ""
        return f"{self.file}#{self.interaction}{suffix}"


def parse_sse(text: str) -> list[tuple[str, Any]]:
    """Parse an SSE body into ``(event, data)`` pairs; JSON data is decoded."""
    return parse_json_events(text)


def _to_text(body: Any) -> str | None:
    if body is None:
        return None
    if isinstance(body, bytes):
        raw = gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body
        return raw.decode("utf-8")
    if isinstance(body, str):
        return body
    raise TypeError(f"unexpected body type {type(body).__name__}")


def _decode_text(text: str | None) -> Iterator[tuple[str | None, Any]]:
    if text is None or not text.strip():
        return
    stripped = text.lstrip()
    if stripped.startswith(("event:", "data:")):
        for event, data in parse_sse(text):
            yield event, {"event": event, "data": data}
        return
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return  # HTML error pages and the like carry no JSON
    yield None, value


def _from_vcrpy(doc: dict[str, Any]) -> Iterator[tuple[int, str | None, Any]]:
    for i, interaction in enumerate(doc.get("interactions") or []):
        body = interaction["response"].get("body")
        raw = body.get("string") if isinstance(body, dict) else body
        for event, value in _decode_text(_to_text(raw)):
            yield i, event, value


def _from_ruby(doc: dict[str, Any]) -> Iterator[tuple[int, str | None, Any]]:
    for i, interaction in enumerate(doc.get("http_interactions") or []):
        body = interaction["response"].get("body") or {}
        raw: Any = body.get("string")
        if raw is None and "base64_string" in body:
            raw = base64.b64decode(body["base64_string"])
        for event, value in _decode_text(_to_text(raw)):
            yield i, event, value


def _from_dotnet(doc: dict[str, Any]) -> Iterator[tuple[int, str | None, Any]]:
    for i, entry in enumerate(doc.get("Entries") or []):
        body = entry.get("ResponseBody")
        if isinstance(body, list) and all(isinstance(line, str) for line in body):
            text = "".join(line if line.endswith("\n") else line + "\n" for line in body)
            for event, value in _decode_text(text):
                yield i, event, value
        elif isinstance(body, str):
            for event, value in _decode_text(body):
                yield i, event, value
        elif body is not None:
            yield i, None, body


def iter_recorded_objects(path: Path) -> Iterator[RecordedObject]:
    """Every JSON response value (or SSE event) recorded in one file."""
    text = path.read_text("utf-8")
    doc: Any
    if path.suffix == ".json":
        doc = json.loads(text)
        source = _from_dotnet(doc)
    else:
        doc = yaml.load(text, Loader=_Loader)  # CSafeLoader or SafeLoader
        source = _from_ruby(doc) if "http_interactions" in doc else _from_vcrpy(doc)
    for index, event, value in source:
        yield RecordedObject(path.name, index, event, value)
