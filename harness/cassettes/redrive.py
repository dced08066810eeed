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

import bisect
import functools
import json
import re
import threading
from collections.abc import Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import httpx2

from harness.cassettes import Interaction
from harness.dialects.recorded import CASSETTE_SURFACES
from harness.errors import CassetteError
from harness.sse import parse_json_events
from harness.surfaces import ASSISTANTS_WIRE, Surface, operation_of

__all__ = ["DrivenExchange", "Story", "redrive", "story_of"]

_SHORTEST_ID = 16
"""Ids are a prefix and 24 (OpenAI) or 32 (AppBuilder) characters; JSON keys are shorter."""
_STREAM_WAIT_S = 60
"""How long a request waits for the stream sent ahead of it to show the ids it needs."""
_ID = re.compile(r"\b(?:(?:asst|thread|msg|chatmsg|run|step|call|vs|vsfb)_|file-)[A-Za-z0-9]+\b")


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


@dataclass
class _Send:
    """One recorded request, ready to send again (its ids rewritten at the time it goes)."""

    interaction: Interaction
    method: str
    target: str
    body: bytes | str | None
    content_type: str
    streamed: bool
    shown: frozenset[str]
    """The ids its recorded answer shows (read once, for pairing and for planning)."""


class _Driver:
    """Sends requests and learns ids; a stream can be sent ahead, on its own thread."""

    def __init__(self, http: httpx2.Client, base_url: str, api_key: str) -> None:
        self.http = http
        self.base_url = base_url
        self.headers = {"Authorization": f"Bearer {api_key}", "OpenAI-Beta": "assistants=v2"}
        self.mapping: dict[str, str] = {}
        self.shown: set[str] = set()
        """Recorded ids the live server has answered with (under an id of its own or the same)."""
        self.lock = threading.Lock()
        self.learned = threading.Condition(self.lock)

    def rewrite(self, text: str) -> str:
        with self.lock:
            return _rewrite(text, self.mapping)

    def pair(self, recorded: Any, live: Any, shown: Iterable[str]) -> None:
        """Learn ids from a recorded answer and the live one; ``shown``: the recorded's ids."""
        with self.learned:
            _pair_ids(recorded, live, self.mapping)
            if live is not None:
                self.shown.update(shown)
            self.learned.notify_all()

    def send(self, item: _Send) -> DrivenExchange:
        """Send ``item`` with the ids learned so far; a broken connection is a CassetteError."""
        try:
            return self._send(item)
        except httpx2.TransportError as error:
            raise CassetteError(
                f"re-driving {item.method} {item.target} failed: {type(error).__name__}: {error}"
            ) from None

    def _send(self, item: _Send) -> DrivenExchange:
        body = item.body
        if isinstance(body, str):
            body = self.rewrite(body).encode()
        headers = {**self.headers, "Content-Type": item.content_type} if body else self.headers
        url = self.base_url + self.rewrite(item.target)
        recorded = item.interaction
        if not item.streamed:
            response = self.http.request(item.method, url, content=body, headers=headers)
            live = _json_or_none(response)
            self.pair(recorded.response.json(), live, item.shown)
            return DrivenExchange(
                item.method, recorded.request.path, recorded, response.status_code, live, []
            )
        recorded_events = parse_json_events(recorded.response.text)
        events: list[tuple[str, Any]] = []
        with self.http.stream(item.method, url, content=body, headers=headers) as response:
            if "event-stream" not in response.headers.get("content-type", ""):
                response.read()  # an error instead of the recorded stream
                live = _json_or_none(response)
                return DrivenExchange(
                    item.method, recorded.request.path, recorded, response.status_code, live, []
                )
            buffer = ""
            for text in response.iter_text():
                buffer += text.replace("\r\n", "\n")
                complete, _, buffer = buffer.rpartition("\n\n")
                if not complete:
                    buffer = complete + buffer
                    continue
                for event in parse_json_events(complete + "\n\n"):
                    if len(events) < len(recorded_events):
                        data = recorded_events[len(events)][1]
                        self.pair(data, event[1], _named_ids(json.dumps(data)))
                    events.append(event)
            if buffer.strip():
                events.extend(parse_json_events(buffer + "\n\n"))
            status = response.status_code
        with self.learned:
            self.learned.notify_all()
        return DrivenExchange(item.method, recorded.request.path, recorded, status, None, events)

    def ahead(self, item: _Send, needed: set[str]) -> Future[DrivenExchange]:
        """Send the stream ``item`` on a thread; return once it has shown the ``needed`` ids
        (or ended): the request that needs them is sent while the stream stays open."""
        future: Future[DrivenExchange] = Future()

        def run() -> None:
            try:
                future.set_result(self.send(item))
            except BaseException as error:  # handed to the caller with the result
                future.set_exception(error)
            finally:
                with self.learned:
                    self.learned.notify_all()

        threading.Thread(target=run, name="harness-redrive-stream", daemon=True).start()
        with self.learned:
            self.learned.wait_for(lambda: needed <= self.shown or future.done(), _STREAM_WAIT_S)
        return future


def redrive(
    interactions: Iterable[Interaction],
    base_url: str,
    *,
    api_key: str = "sk-redrive",
    client: httpx2.Client | None = None,
    surface: Surface | None = None,
) -> list[DrivenExchange]:
    """Send every recorded request of a known surface to ``base_url`` (``http://host:port``).

    With ``surface`` None each request keeps its recorded path and query; otherwise an
    Assistants operation is sent the way ``surface`` lays it out, and a dialect's operation
    (AppBuilder's ``/v2/…``) at its own path. Requests go in recorded order, except that a
    request naming ids only a later-recorded stream shows is sent while that stream is open:
    recordings keep interactions in the order they ended, and an AppBuilder stream waits at
    ``requires_action`` for the submit made on another connection.
    """
    sends = [item for item in map(functools.partial(_prepared, surface), interactions) if item]
    own = client is None
    http = client or httpx2.Client(timeout=30)
    driver = _Driver(http, base_url, api_key)
    exchanges: list[DrivenExchange] = []
    started: dict[int, Future[DrivenExchange]] = {}
    plan = _StreamsAhead(sends)
    try:
        for index, item in enumerate(sends):
            if index in started:
                exchanges.append(started.pop(index).result())
            else:
                for later, needed in plan.needed_by(index, driver.shown):
                    if later not in started:
                        started[later] = driver.ahead(sends[later], needed)
                exchanges.append(driver.send(item))
            plan.passed(index)
        for future in started.values():
            future.result()
    finally:
        if own:
            http.close()
    return exchanges


def _prepared(surface: Surface | None, interaction: Interaction) -> _Send | None:
    request = interaction.request
    operation = operation_of(request.method, request.uri, CASSETTE_SURFACES)
    if operation is None:
        return None
    if surface is None:
        query = "&".join(f"{k}={v}" for k, v in request.query)
        target = request.path + (f"?{query}" if query else "")
    elif operation.surface.wire != ASSISTANTS_WIRE:
        target = operation.path
    else:
        target = surface.target(operation)
    content_type = request.header("content-type") or "application/json"
    body: bytes | str | None = None
    if request.content:
        # A multipart upload is sent as it was (its boundary is in the Content-Type).
        body = request.content if content_type.startswith("multipart/") else request.text
    response = interaction.response
    shown = frozenset(_named_ids(response.text))
    return _Send(interaction, request.method, target, body, content_type, response.is_sse, shown)


def _json_or_none(response: httpx2.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _named_ids(text: str) -> set[str]:
    """The ids in ``text``, leaving out words of the id shape (``run_id``, ``step_details``)."""
    return {found for found in _ID.findall(text) if len(found) >= _SHORTEST_ID}


@dataclass
class _StreamsAhead:
    """Which later-recorded streams must be open before each request goes (see :func:`redrive`).

    Each recorded answer's ids are read once (:attr:`_Send.shown`), so planning costs the same
    per request however long the recording.
    """

    sends: list[_Send]
    streams: list[int] = field(init=False)
    shown_before: set[str] = field(default_factory=set)
    """Ids the recorded answers before the current request showed."""

    def __post_init__(self) -> None:
        self.streams = [index for index, send in enumerate(self.sends) if send.streamed]

    def needed_by(self, index: int, known: set[str]) -> list[tuple[int, set[str]]]:
        """The later streams showing ids request ``index`` names and nothing before showed."""
        item = self.sends[index]
        text = item.target + (item.body if isinstance(item.body, str) else "")
        named = _named_ids(text) - known - self.shown_before
        needed: list[tuple[int, set[str]]] = []
        for later in self.streams[bisect.bisect_right(self.streams, index) :]:
            if not named:
                break
            shown = named & self.sends[later].shown
            if shown:
                needed.append((later, shown))
                named -= shown
        return needed

    def passed(self, index: int) -> None:
        """Request ``index`` has gone: what its recorded answer showed is known from now on."""
        self.shown_before |= self.sends[index].shown


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
