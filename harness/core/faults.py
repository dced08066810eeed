"""HTTP faults injected by request pattern and count."""

from __future__ import annotations

import fnmatch
import threading
from typing import Any

from harness.core.coverage import Coverage
from harness.core.http import ApiResponse
from harness.scenario.model import FaultSpec

__all__ = ["FaultInjector", "default_error_body", "describe_fault", "fault_kind", "path_matches"]

_BODIES: dict[int, tuple[str, str, str | None]] = {
    400: ("Bad request.", "invalid_request_error", None),
    401: ("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"),
    403: ("You are not allowed to sample from this model.", "invalid_request_error", None),
    404: ("Not found.", "invalid_request_error", None),
    408: ("Request timed out.", "timeout", None),
    409: ("The request conflicts with the current state.", "invalid_request_error", None),
    429: (
        "Rate limit reached for requests. Please try again in 5ms.",
        "requests",
        "rate_limit_exceeded",
    ),
    500: (
        "The server had an error while processing your request. Sorry about that!",
        "server_error",
        None,
    ),
    502: ("Bad gateway.", "server_error", None),
    503: ("The engine is currently overloaded, please try again later.", "server_error", None),
}


def default_error_body(status: int) -> dict[str, Any]:
    """The error envelope the real API sent for ``status``."""
    message, kind, code = _BODIES.get(status, (f"HTTP {status}.", "server_error", None))
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def path_matches(pattern: str, path: str) -> bool:
    """Whether ``path`` matches ``pattern`` segment by segment: a glob (``*``, ``?``, ``[…]``)
    stays within one ``/``-separated segment, a ``**`` segment matches any number of segments
    (none too), and ``*`` or ``**`` alone matches every path."""
    if pattern in ("*", "**"):
        return True
    return _segments_match(tuple(pattern.split("/")), tuple(path.split("/")))


def _segments_match(pattern: tuple[str, ...], segments: tuple[str, ...]) -> bool:
    if not pattern:
        return not segments
    head, rest = pattern[0], pattern[1:]
    if head == "**":
        return any(_segments_match(rest, segments[skip:]) for skip in range(len(segments) + 1))
    return (
        bool(segments)
        and fnmatch.fnmatchcase(segments[0], head)
        and _segments_match(rest, segments[1:])
    )


class FaultInjector:
    """Counts requests per fault and answers for the ones that should fail."""

    def __init__(
        self, faults: tuple[FaultSpec, ...] = (), *, coverage: Coverage | None = None
    ) -> None:
        self.faults = faults
        self.coverage = coverage
        self._seen = [0] * len(faults)
        self._lock = threading.Lock()
        self.fired: list[tuple[int, str]] = []
        """(fault index, ``METHOD /path``) of every fault that fired."""

    def check(self, method: str, path: str) -> ApiResponse | None:
        """A fault response for this request, or ``None`` to let it through."""
        for index, fault in enumerate(self.faults):
            if fault.method not in ("*", method.upper()) or not path_matches(fault.path, path):
                continue
            with self._lock:
                self._seen[index] += 1
                count = self._seen[index]
            fires = count in fault.nth if fault.nth else count <= fault.times
            if not fires:
                continue
            self.fired.append((index, f"{method} {path}"))
            if self.coverage is not None:
                self.coverage.hit("faults", fault_kind(fault))
            return _respond(fault)
        return None

    def unused(self) -> list[FaultSpec]:
        fired = {index for index, _ in self.fired}
        return [fault for index, fault in enumerate(self.faults) if index not in fired]


def fault_kind(fault: FaultSpec) -> str:
    """Which of :data:`harness.core.coverage.FAULT_KINDS` a fault is."""
    if fault.reset:
        return "reset"
    if fault.status is not None:
        return "http_status"
    if fault.stream_error_after is not None:
        return "stream_error"
    if fault.cut_stream_after is not None:
        return "cut_stream"
    return "delay"


def describe_fault(fault: FaultSpec) -> str:
    """``HTTP 429``, ``reset``, ``cut stream after 3 events``…: what a fault does."""
    kind = fault_kind(fault)
    if kind == "http_status":
        return f"HTTP {fault.status}"
    if kind == "stream_error":
        return f"stream error after {fault.stream_error_after} events"
    if kind == "cut_stream":
        return f"cut stream after {fault.cut_stream_after} events"
    if kind == "delay":
        return f"delay {fault.delay_ms} ms"
    return "reset"


def _respond(fault: FaultSpec) -> ApiResponse:
    if fault.reset:
        return ApiResponse(0, reset=True, delay_ms=fault.delay_ms)
    if fault.status is None:
        # Latency or a broken stream on top of the real answer: status 0 means "pass through".
        return ApiResponse(
            0,
            delay_ms=fault.delay_ms,
            cut_stream_after=fault.cut_stream_after,
            stream_error_after=fault.stream_error_after,
        )
    body = dict(fault.body) if fault.body is not None else default_error_body(fault.status)
    return ApiResponse(fault.status, body, dict(fault.headers), delay_ms=fault.delay_ms)
