"""Virtual time, so that expiry and delays cost no real time and no run is aged by others.

Two clocks work together:

- :class:`VirtualClock`, the server's clock. It moves only when told to
  (:meth:`VirtualClock.advance`, ``POST /__harness/clock``), and such a move moves every object
  with it. It also remembers the latest time it has stamped anything with, so an object created
  later is never stamped earlier than one already shown.
- :class:`ObjectClock`, the time of one object with a lifecycle of its own (a run). It starts at
  the server's time when the object is created, and then moves with the explicit moves plus the
  object's own elapsed time: each observation of the object counts as one tick of waiting (as if
  the client had slept its poll interval), and scripted delays count what they say. Traffic about
  other objects never moves it.

Nothing here reads the wall clock, so every timestamp is reproducible.
"""

from __future__ import annotations

import threading

__all__ = ["DEFAULT_EPOCH", "ObjectClock", "VirtualClock"]

DEFAULT_EPOCH = 1_767_225_600
"""2026-01-01T00:00:00Z: a date on which the Assistants API still answered."""


class VirtualClock:
    """The server's virtual time, in milliseconds since the Unix epoch."""

    def __init__(self, start_s: int = DEFAULT_EPOCH, tick_ms: int = 1000) -> None:
        if tick_ms < 0:
            raise ValueError("tick_ms must be >= 0")
        self._start_ms = start_s * 1000
        self.tick_ms = tick_ms
        """How long an observation of an object counts as having waited."""
        self._lock = threading.Lock()
        self._moved_ms = self._start_ms
        """The start plus every explicit move: the base of every object's time."""
        self._latest_ms = self._start_ms
        """The latest time anything was stamped with (never below ``_moved_ms``)."""

    def now_ms(self) -> int:
        """The time a new object is created at, in milliseconds."""
        return self._latest_ms

    def now(self) -> int:
        """The same in whole seconds, as the API's timestamps are."""
        return self._latest_ms // 1000

    def advance(self, seconds: float = 0.0, *, ms: int = 0) -> int:
        """Move time forward for everyone by ``seconds`` plus ``ms``; return the new time (ms)."""
        delta = int(seconds * 1000) + ms
        if delta < 0:
            raise ValueError("the virtual clock cannot go backwards")
        with self._lock:
            self._moved_ms += delta
            self._latest_ms += delta
            return self._latest_ms

    def object_clock(self) -> ObjectClock:
        """A clock for a new object, starting now."""
        return ObjectClock(self)

    def reset(self) -> None:
        """Go back to the start time."""
        with self._lock:
            self._moved_ms = self._latest_ms = self._start_ms

    @property
    def moved_ms(self) -> int:
        """The start time plus every explicit move (what every object's time builds on)."""
        return self._moved_ms

    def _stamped(self, ms: int) -> None:
        with self._lock:
            if ms > self._latest_ms:
                self._latest_ms = ms


class ObjectClock:
    """The time of one object: the server's explicit moves plus the object's own waiting."""

    def __init__(self, clock: VirtualClock) -> None:
        self._clock = clock
        self._own_ms = clock.now_ms() - clock.moved_ms
        """Elapsed time of this object alone (plus where it started above the moves)."""
        self._observed_ms = self.now_ms()

    def now_ms(self) -> int:
        """This object's time in milliseconds (judge expiry and delays on it)."""
        return self._clock.moved_ms + self._own_ms

    def now(self) -> int:
        """This object's time in whole seconds, for a timestamp: the server's clock notes it, so
        objects created later are not stamped earlier."""
        ms = self.now_ms()
        self._clock._stamped(ms)
        return ms // 1000

    def elapse(self, ms: int) -> None:
        """Time passes for this object alone (a scripted delay played by a stream)."""
        if ms < 0:
            raise ValueError("an object's time cannot go backwards")
        self._own_ms += ms

    def observe(self) -> None:
        """The client looks at the object: at least one tick has passed since it last looked.

        A client that waits by moving the clock explicitly (``advance``) has already spent that
        tick, so its waiting is not counted twice.
        """
        due = self._observed_ms + self._clock.tick_ms
        now = self.now_ms()
        if now < due:
            self._own_ms += due - now
            now = due
        self._observed_ms = now
