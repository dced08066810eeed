"""Answer requests from a cassette, polling-aware.

The rule, kept deliberately simple: interactions are indexed by their match key (see
:mod:`harness.cassettes._matching`). The n-th request with a given key gets the n-th recorded
answer for that key; once those run out, the last one is answered again and again ("sticky").
So a client polling ``GET …/runs/R`` more often than the recording did keeps seeing the final,
terminal status and never hangs; one polling less often simply moves on to another key (for
example ``GET …/messages``), which has its own sequence. Lookups are one dict access.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Hashable, Iterable, Sequence
from urllib.parse import urlsplit

from harness.cassettes._matching import DEFAULT_MATCHERS, Matcher, failures, request_key
from harness.cassettes._model import Cassette, Interaction, Request, Response
from harness.cassettes._scrub import DEFAULT_SCRUBBER, Scrubber
from harness.errors import NoMatchingInteraction

__all__ = ["CassetteMiss", "Replayer", "describe"]

NEAREST = 3
RECORD_HINT = (
    "to record what is missing, run pytest with --harness-record-mode=new_episodes (or "
    "--harness-record-mode=rewrite to record the cassette again); outside pytest, "
    "use_cassette(..., record_mode='new_episodes')"
)


def describe(request: Request, *, body_limit: int = 80) -> str:
    """``METHOD /path?query`` plus the start of the body, for messages."""
    parts = urlsplit(request.uri)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    text = request.text.strip()
    if len(text) > body_limit:
        text = text[: body_limit - 1] + "…"
    return f"{request.method} {target}" + (f" {text}" if text else "")


class CassetteMiss(NoMatchingInteraction):
    """No recorded interaction matches ``request``; ``nearest`` holds the closest recorded
    requests with what differs for each."""

    def __init__(self, request: Request, nearest: Sequence[tuple[Request, list[str]]]) -> None:
        self.request = request
        self.nearest = list(nearest)
        lines = [f"no recorded interaction matches {describe(request)}"]
        if self.nearest:
            lines.append(f"nearest recorded requests ({len(self.nearest)}):")
            for number, (recorded, why) in enumerate(self.nearest, 1):
                lines.append(f"  {number}. {describe(recorded, body_limit=40)}: {'; '.join(why)}")
        else:
            lines.append("the cassette has no interactions")
        lines.append(RECORD_HINT)
        super().__init__("\n".join(lines))


class Replayer:
    """Serves a cassette's responses to requests; thread-safe.

    ``match_on`` lists the matchers (default method, path, query, body). Incoming requests pass
    through ``scrubber`` before matching, as recorded ones did before saving, so a secret in a
    request body does not break the match (``None`` to compare them raw).
    """

    def __init__(
        self,
        cassette: Cassette | Iterable[Interaction],
        *,
        match_on: Sequence[Matcher] = DEFAULT_MATCHERS,
        scrubber: Scrubber | None = DEFAULT_SCRUBBER,
    ) -> None:
        self.cassette = cassette if isinstance(cassette, Cassette) else Cassette(cassette)
        self.matchers = tuple(match_on)
        self._scrubber = scrubber
        self._lock = threading.Lock()
        self._index: dict[Hashable, list[Interaction]] = {}
        self._plays: dict[Hashable, int] = {}
        for interaction in self.cassette:
            key = self.key(interaction.request)
            self._index.setdefault(key, []).append(interaction)

    def key(self, request: Request) -> Hashable:
        """The match key of ``request`` (after scrubbing)."""
        if self._scrubber is not None:
            request = self._scrubber.request(request)
        return request_key(request, self.matchers)

    def play(self, request: Request) -> Interaction:
        """The recorded interaction answering ``request``; CassetteMiss if there is none."""
        key = self.key(request)
        recorded = self._index.get(key)  # the index never changes after __init__
        if recorded is None:
            raise self._miss(request)
        with self._lock:
            count = self._plays.get(key, 0)
            self._plays[key] = count + 1
        return recorded[min(count, len(recorded) - 1)]

    def next_unplayed(self, request: Request) -> Interaction | None:
        """The next recorded answer ``request`` has not had yet, or None (nothing sticks)."""
        key = self.key(request)
        recorded = self._index.get(key)
        if recorded is None:
            return None
        with self._lock:
            count = self._plays.get(key, 0)
            if count >= len(recorded):
                return None
            self._plays[key] = count + 1
        return recorded[count]

    def respond(self, request: Request) -> Response:
        """The recorded response for ``request``; CassetteMiss if there is none."""
        return self.play(request).response

    def unplayed(self) -> list[Interaction]:
        """Recorded interactions no request has reached yet, in cassette order."""
        with self._lock:
            skipped = {
                id(interaction)
                for key, recorded in self._index.items()
                for interaction in recorded[self._plays.get(key, 0) :]
            }
        return [interaction for interaction in self.cassette if id(interaction) in skipped]

    def rewind(self) -> None:
        """Start every sequence from its first recorded answer again."""
        with self._lock:
            self._plays.clear()

    def _miss(self, request: Request) -> CassetteMiss:
        if self._scrubber is not None:
            request = self._scrubber.request(request)
        path = request.path
        wanted = [matcher.key(request) for matcher in self.matchers]
        candidates = (recorded[0].request for recorded in self._index.values())

        def closeness(recorded: Request) -> tuple[int, int]:
            matched = sum(
                m.key(recorded) == key for m, key in zip(self.matchers, wanted, strict=True)
            )
            return matched, _shared_prefix(path, recorded.path)

        nearest = heapq.nlargest(NEAREST, candidates, key=closeness)
        return CassetteMiss(
            request,
            [(recorded, failures(request, recorded, self.matchers)) for recorded in nearest],
        )


def _shared_prefix(a: str, b: str) -> int:
    """How many leading characters ``a`` and ``b`` share (same thread, same run, ...)."""
    for index, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return index
    return min(len(a), len(b))
