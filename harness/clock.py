"""A virtual clock, so that expiry and delays cost no real time.

Time moves only when told: by :meth:`VirtualClock.advance`, or by the server ticking it once
per request (the client is assumed to have waited the poll interval it was given). Timestamps
are therefore reproducible, whatever the machine's speed.
"""

from __future__ import annotations

import threading

__all__ = ["DEFAULT_EPOCH", "VirtualClock"]

DEFAULT_EPOCH = 1_767_225_600
"""2026-01-01T00:00:00Z: a date on which the Assistants API still answered."""


class VirtualClock:
    """Milliseconds of virtual time since the Unix epoch, advanced explicitly."""

    def __init__(self, start_s: int = DEFAULT_EPOCH, tick_ms: int = 1000) -> None:
        if tick_ms < 0:
            raise ValueError("tick_ms must be >= 0")
        self._start_ms = start_s * 1000
        self._now_ms = self._start_ms
        self.tick_ms = tick_ms
        self._lock = threading.Lock()

    def now_ms(self) -> int:
        """Current virtual time in milliseconds."""
        return self._now_ms

    def now(self) -> int:
        """Current virtual time in whole seconds, as the API's timestamps are."""
        return self._now_ms // 1000

    def advance(self, seconds: float = 0.0, *, ms: int = 0) -> int:
        """Move time forward by ``seconds`` plus ``ms``; return the new time in ms."""
        delta = int(seconds * 1000) + ms
        if delta < 0:
            raise ValueError("the virtual clock cannot go backwards")
        with self._lock:
            self._now_ms += delta
            return self._now_ms

    def tick(self) -> int:
        """Advance by one tick (done once per request by the server)."""
        return self.advance(ms=self.tick_ms)

    def reset(self) -> None:
        """Go back to the start time."""
        with self._lock:
            self._now_ms = self._start_ms
