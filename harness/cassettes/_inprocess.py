"""Record and replay in-process HTTP traffic of ``httpx`` and ``httpx2`` clients (every openai).

openai 1.x and 2.x send through ``httpx``, 3.x through ``httpx2``. Inside :func:`use_cassette`
both libraries' ``HTTPTransport.handle_request`` and ``AsyncHTTPTransport.handle_async_request``
are patched (whichever library is installed), so every client in the process is covered. The
patch answers from the same :class:`~harness.cassettes.Replayer` as the HTTP replay server (one
matching engine, one dict lookup per request) and records through the same
:class:`~harness.cassettes._appender.CassetteAppender` as the recording proxy. vcrpy is not
involved; files remain vcrpy's format.

A miss does not raise inside the transport, where every openai major would retry and wrap it
into ``APIConnectionError``: the transport answers 404 (``x-should-retry: false``) with a
response whose ``raise_for_status()`` raises the :class:`CassetteMiss`. openai's clients call
``raise_for_status()`` outside their retry-and-wrap block in 1.x, 2.x and 3.x, so the miss
reaches the test at once and unwrapped; other clients see the 404 and its explanation.
"""

from __future__ import annotations

import contextlib
import importlib
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, Literal
from unittest import mock

from harness.cassettes._appender import CassetteAppender
from harness.cassettes._matching import DEFAULT_MATCHERS, Matcher
from harness.cassettes._model import Cassette, Interaction, Request, Response
from harness.cassettes._replay_server import replay_headers
from harness.cassettes._replayer import CassetteMiss, Replayer
from harness.cassettes._scrub import DEFAULT_SCRUBBER, Scrubber
from harness.cassettes._vcr_format import load_cassette, save_cassette
from harness.errors import ConfigError

__all__ = ["RECORD_MODES", "CassetteSession", "RecordMode", "use_cassette"]

RecordMode = Literal["none", "once", "new_episodes", "all", "rewrite"]
RECORD_MODES: tuple[RecordMode, ...] = ("none", "once", "new_episodes", "all", "rewrite")
"""``none`` replays only; ``once`` records when the file is missing, else replays;
``new_episodes`` replays what matches and records the rest; ``all`` records everything and
keeps the old interactions; ``rewrite`` records everything into a new cassette."""

LIBRARIES = ("httpx", "httpx2")


class CassetteSession:
    """What one :func:`use_cassette` block replays and records."""

    def __init__(
        self,
        path: Path,
        record_mode: RecordMode,
        scrubber: Scrubber | None,
        match_on: Sequence[Matcher],
    ) -> None:
        self.path = path
        self.record_mode = record_mode
        exists = path.is_file() and path.stat().st_size > 0
        if record_mode == "none" and not exists:
            raise ConfigError(
                f"{path}: no cassette to replay; record it with --harness-record-mode=once "
                "(or use_cassette(..., record_mode='once'))"
            )
        keep_old = record_mode in ("none", "once", "new_episodes", "all") and exists
        recorded = load_cassette(path) if keep_old else Cassette(path=path)
        self.replayer = Replayer(recorded, match_on=match_on, scrubber=scrubber)
        self.replaying = record_mode in ("none", "new_episodes") or (
            record_mode == "once" and exists
        )
        self.recording = record_mode != "none" and not (record_mode == "once" and exists)
        self.misses: list[CassetteMiss] = []
        self.new: list[Interaction] = []
        self._scrubber = scrubber
        self._appender: CassetteAppender | None = None
        self._as_json = path.suffix.lower() == ".json"

    def __len__(self) -> int:
        """Interactions in the cassette: the recorded ones plus those recorded now."""
        return len(self.replayer.cassette) + len(self.new)

    def answer(self, request: Request) -> Response | CassetteMiss | None:
        """The recorded answer, a miss, or None: send it upstream and :meth:`record` it."""
        if self.replaying:
            if self.recording:  # new_episodes: each recorded answer once, then record
                found = self.replayer.next_unplayed(request)
                if found is not None:
                    return found.response
            else:
                try:
                    return self.replayer.respond(request)
                except CassetteMiss as miss:
                    self.misses.append(miss)
                    return miss
        return None

    def record(self, interaction: Interaction) -> None:
        """Keep a live interaction (appended to the file at once, JSON at the end)."""
        self.new.append(interaction)
        if self._as_json:
            return
        if self._appender is None:
            self._appender = CassetteAppender(
                self.path, scrubber=self._scrubber, fresh=self.record_mode == "rewrite"
            )
        self._appender.append(interaction)

    def close(self) -> None:
        """Finish writing what was recorded."""
        if self._appender is not None:
            self._appender.close()
        elif self._as_json and self.new:
            old = () if self.record_mode == "rewrite" else self.replayer.cassette.interactions
            save_cassette(Cassette([*old, *self.new]), self.path, scrubber=self._scrubber)


def use_cassette(
    path: str | Path,
    *,
    record_mode: RecordMode = "once",
    scrubber: Scrubber | None = DEFAULT_SCRUBBER,
    match_on: Sequence[Matcher] = DEFAULT_MATCHERS,
) -> contextlib.AbstractContextManager[CassetteSession]:
    """``with use_cassette(path) as session:``: record or replay every httpx/httpx2 request.

    A request the cassette cannot answer raises :class:`CassetteMiss` (a
    :class:`~harness.errors.NoMatchingInteraction`) from the SDK call, naming the nearest
    recorded requests and what differs.
    """
    if record_mode not in RECORD_MODES:
        raise ConfigError(f"record_mode must be one of {', '.join(RECORD_MODES)}: {record_mode!r}")
    return _patched(Path(path), record_mode, scrubber, match_on)


@contextlib.contextmanager
def _patched(
    path: Path, record_mode: RecordMode, scrubber: Scrubber | None, match_on: Sequence[Matcher]
) -> Iterator[CassetteSession]:
    session = CassetteSession(path, record_mode, scrubber, match_on)
    with contextlib.ExitStack() as stack:
        for name in LIBRARIES:
            try:
                library = importlib.import_module(name)
            except ImportError:
                continue
            _patch(stack, library, session)
        try:
            yield session
        finally:
            stack.close()
            session.close()


def _patch(stack: contextlib.ExitStack, library: ModuleType, session: CassetteSession) -> None:
    sync_send = library.HTTPTransport.handle_request
    async_send = library.AsyncHTTPTransport.handle_async_request
    miss_response = _miss_response_class(library)

    def handle_request(transport: Any, request: Any) -> Any:
        incoming = _request(request, request.read())
        found = session.answer(incoming)
        if found is None:
            live = sync_send(transport, request)
            live.read()
            recorded = _response(live)
            session.record(Interaction(incoming, recorded))
            return _to_library(library, recorded)
        return _answer(library, miss_response, found)

    async def handle_async_request(transport: Any, request: Any) -> Any:
        incoming = _request(request, await request.aread())
        found = session.answer(incoming)
        if found is None:
            live = await async_send(transport, request)
            await live.aread()
            recorded = _response(live)
            session.record(Interaction(incoming, recorded))
            return _to_library(library, recorded)
        return _answer(library, miss_response, found)

    stack.enter_context(mock.patch.object(library.HTTPTransport, "handle_request", handle_request))
    stack.enter_context(
        mock.patch.object(library.AsyncHTTPTransport, "handle_async_request", handle_async_request)
    )


def _request(request: Any, body: bytes) -> Request:
    return Request(request.method, str(request.url), request.headers.multi_items(), body or None)


def _response(live: Any) -> Response:
    """The live response as recorded: decoded body, no Content-Encoding, true length."""
    content: bytes = live.content
    headers = [
        (name, str(len(content)) if name.lower() == "content-length" else value)
        for name, value in live.headers.multi_items()
        if name.lower() != "content-encoding"
    ]
    return Response(live.status_code, live.reason_phrase or "", headers, content)


def _to_library(library: ModuleType, response: Response) -> Any:
    headers = list(replay_headers(response.headers).items())
    return library.Response(
        response.status,
        headers=headers,
        content=response.content,
        extensions={"reason_phrase": response.reason.encode("latin-1", "replace")},
    )


def _answer(library: ModuleType, miss_response: type[Any], found: Response | CassetteMiss) -> Any:
    if isinstance(found, Response):
        return _to_library(library, found)
    body = _miss_envelope(str(found))
    return miss_response(
        found,
        404,
        headers=[("content-type", "application/json"), ("x-should-retry", "false")],
        content=body,
    )


def _miss_envelope(message: str) -> bytes:
    error = {"message": message, "type": "invalid_request_error", "param": None}
    return json.dumps({"error": {**error, "code": "cassette_miss"}}).encode()


def _miss_response_class(library: ModuleType) -> type[Any]:
    """``library.Response`` whose ``raise_for_status()`` raises the miss."""

    def __init__(self: Any, miss: CassetteMiss, *args: Any, **kwargs: Any) -> None:
        library.Response.__init__(self, *args, **kwargs)
        self.miss = miss

    def raise_for_status(self: Any) -> Any:
        raise self.miss

    return type(
        "CassetteMissResponse",
        (library.Response,),
        {"__init__": __init__, "raise_for_status": raise_for_status},
    )
