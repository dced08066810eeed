"""Send a recorded session's requests to a live server again, mapping recorded ids to new ones.

Used to check a converted scenario against its recording: drive the fake server (playing the
scenario) with the requests the recorded client made, and compare what each side answered. The
ids in paths and bodies are rewritten as the live server hands out its own. Files and vector
stores are driven too (uploads are sent as recorded, multipart and all); other requests (chat,
embeddings) are skipped. Requests are read through :mod:`harness.surfaces`: each goes out on
its recorded surface, or re-expressed on ``surface`` (an Azure recording re-driven against the
fake's OpenAI ``/v1``, say).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx2

from harness.cassettes import Interaction
from harness.sse import parse_json_events
from harness.surfaces import Surface, operation_of

__all__ = ["DrivenExchange", "Story", "redrive", "story_of"]

_ID = re.compile(r"\b(?:(?:asst|thread|msg|run|step|call|vs|vsfb)_|file-)[A-Za-z0-9]+\b")


@dataclass(frozen=True)
class DrivenExchange:
    """One recorded request sent again, with both answers."""

    method: str
    path: str
    recorded: Interaction
    status: int
    body: Any
    events: list[tuple[str, Any]]


@dataclass
class Story:
    """What a client was shown: each run's statuses and each run's assistant texts."""

    statuses: list[list[str]] = field(default_factory=list)
    texts: list[list[str]] = field(default_factory=list)
    stream_events: list[list[str]] = field(default_factory=list)


def _pair_ids(recorded: Any, live: Any, mapping: dict[str, str]) -> None:
    """Learn recorded → live ids by walking two answers of the same shape side by side."""
    if isinstance(recorded, dict) and isinstance(live, dict):
        for key, value in recorded.items():
            if key in live:
                _pair_ids(value, live[key], mapping)
    elif isinstance(recorded, list) and isinstance(live, list):
        for left, right in zip(recorded, live, strict=False):
            _pair_ids(left, right, mapping)
    elif (
        isinstance(recorded, str)
        and isinstance(live, str)
        and recorded != live
        and _ID.fullmatch(recorded)
        and _ID.fullmatch(live)
    ):
        mapping.setdefault(recorded, live)


def _rewrite(text: str, mapping: dict[str, str]) -> str:
    return _ID.sub(lambda match: mapping.get(match.group(0), match.group(0)), text)


def redrive(
    interactions: Iterable[Interaction],
    base_url: str,
    *,
    api_key: str = "sk-redrive",
    client: httpx2.Client | None = None,
    surface: Surface | None = None,
) -> list[DrivenExchange]:
    """Send every recorded Assistants request to ``base_url`` (``http://host:port``), in order.

    With ``surface`` None each request keeps its recorded path and query; otherwise its
    operation is sent the way ``surface`` lays it out.
    """
    own = client is None
    http = client or httpx2.Client(timeout=30)
    mapping: dict[str, str] = {}
    exchanges: list[DrivenExchange] = []
    headers = {"Authorization": f"Bearer {api_key}", "OpenAI-Beta": "assistants=v2"}
    try:
        for interaction in interactions:
            request = interaction.request
            path = request.path
            operation = operation_of(request.method, request.uri)
            if operation is None:
                continue
            if surface is None:
                query = "&".join(f"{k}={v}" for k, v in request.query)
                target = path + (f"?{query}" if query else "")
            else:
                target = surface.target(operation)
            url = base_url + _rewrite(target, mapping)
            content_type = request.header("content-type") or "application/json"
            body: bytes | None = None
            if request.content:
                # A multipart upload is sent as it was (its boundary is in the Content-Type).
                multipart = content_type.startswith("multipart/")
                body = request.content if multipart else _rewrite(request.text, mapping).encode()
            response = http.request(
                request.method,
                url,
                content=body,
                headers={**headers, "Content-Type": content_type} if body else headers,
            )
            events = (
                parse_json_events(response.text)
                if "event-stream" in response.headers.get("content-type", "")
                else []
            )
            live: Any = None
            if not events:
                try:
                    live = response.json()
                except ValueError:
                    live = None
                _pair_ids(interaction.response.json(), live, mapping)
            else:
                recorded_events = parse_json_events(interaction.response.text)
                for (_, left), (_, right) in zip(recorded_events, events, strict=False):
                    _pair_ids(left, right, mapping)
            exchanges.append(
                DrivenExchange(
                    request.method, path, interaction, response.status_code, live, events
                )
            )
    finally:
        if own:
            http.close()
    return exchanges


def story_of(answers: Iterable[tuple[Any, list[tuple[str, Any]]]]) -> Story:
    """Each run's shown statuses and assistant texts, from (JSON body, SSE events) answers."""
    order: list[str] = []
    statuses: dict[str, list[str]] = {}
    texts: dict[str, dict[str, str]] = {}
    streams: list[list[str]] = []

    def run(obj: Any) -> None:
        if isinstance(obj, dict) and obj.get("object") == "thread.run":
            if obj["id"] not in statuses:
                order.append(obj["id"])
            statuses.setdefault(obj["id"], []).append(obj["status"])

    def message(obj: Any) -> None:
        if not isinstance(obj, dict) or obj.get("object") != "thread.message":
            return
        if obj.get("role") == "assistant" and obj.get("run_id"):
            value = "".join(
                b["text"]["value"] for b in obj.get("content") or [] if b.get("type") == "text"
            )
            if value:
                texts.setdefault(obj["run_id"], {})[obj["id"]] = value

    for body, events in answers:
        if events:
            streams.append([name for name, _ in events])
            for name, data in events:
                if (
                    name.startswith("thread.run.")
                    and "step" not in name
                    and name != "thread.run.created"
                ):
                    run(data)
                if name in ("thread.message.completed", "thread.message.incomplete"):
                    message(data)
            continue
        run(body)
        message(body)
        if isinstance(body, dict) and body.get("object") == "list":
            for item in body.get("data") or []:
                message(item)
    return Story(
        statuses=[statuses[run_id] for run_id in order],
        texts=[sorted(texts.get(run_id, {}).values()) for run_id in order],
        stream_events=streams,
    )
