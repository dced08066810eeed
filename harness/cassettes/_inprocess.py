"""Record and replay the in-process HTTP traffic of httpx, httpx2 and requests clients.

Inside :func:`use_cassette` the libraries' transports are patched, whichever are installed:
``httpx`` and ``httpx2`` (every openai major; :mod:`._inprocess_httpx`) and ``requests``
(appbuilder-sdk, azure-core's ``RequestsTransport``; :mod:`._inprocess_requests`). Every patch
answers from one :class:`CassetteSession`: the same :class:`~harness.cassettes.Replayer` as the
HTTP replay server (one matching engine, one dict lookup per request), recording through the
same :class:`~harness.cassettes._appender.CassetteAppender` as the recording proxy. vcrpy is not
involved; files remain vcrpy's format.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Literal

from harness.cassettes._appender import CassetteAppender
from harness.cassettes._inprocess_httpx import patch_httpx
from harness.cassettes._inprocess_requests import patch_requests
from harness.cassettes._matching import DEFAULT_MATCHERS, Matcher
from harness.cassettes._model import Cassette, Interaction, Request, Response
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
        self._lock = threading.Lock()  # requests' streams end, and are recorded, in any thread
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
        with self._lock:
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
    """``with use_cassette(path) as session:``: record or replay every httpx, httpx2 and
    requests request made in the process.

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
        patch_httpx(stack, session)
        patch_requests(stack, session)
        try:
            yield session
        finally:
            stack.close()
            session.close()
