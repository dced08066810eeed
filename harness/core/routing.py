"""A small router: ``/threads/{thread_id}/runs`` patterns to handlers, 404 vs 405."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["Match", "Router"]

H = TypeVar("H")


@dataclass(frozen=True)
class Match(Generic[H]):
    handler: H | None
    params: dict[str, str]
    allowed: tuple[str, ...]
    """Methods the path accepts; empty when the path is unknown."""


class Router(Generic[H]):
    """Routes by path segments; literal segments first, so ``/threads/runs`` beats ``{id}``."""

    def __init__(self) -> None:
        self._routes: list[tuple[tuple[str, ...], str, H]] = []

    def add(self, method: str, pattern: str) -> Callable[[H], H]:
        segments = tuple(pattern.strip("/").split("/"))

        def register(handler: H) -> H:
            self._routes.append((segments, method.upper(), handler))
            # Literal segments sort before placeholders so fixed paths win.
            self._routes.sort(key=lambda r: tuple(s.startswith("{") for s in r[0]))
            return handler

        return register

    def routes(self) -> list[tuple[str, str]]:
        """Every ``(METHOD, /pattern)`` registered, in matching order."""
        return [(method, "/" + "/".join(segments)) for segments, method, _ in self._routes]

    def match(self, method: str, path: str) -> Match[H]:
        parts = tuple(path.strip("/").split("/"))
        allowed: list[str] = []
        found: tuple[H, dict[str, str]] | None = None
        matched_shape: tuple[str, ...] | None = None
        for segments, route_method, handler in self._routes:
            params = _bind(segments, parts)
            if params is None:
                continue
            if matched_shape is not None and segments != matched_shape:
                continue
            matched_shape = segments
            allowed.append(route_method)
            if route_method == method.upper() and found is None:
                found = (handler, params)
        if found is None:
            return Match(None, {}, tuple(sorted(allowed)))
        return Match(found[0], found[1], tuple(sorted(allowed)))


def _bind(segments: tuple[str, ...], parts: tuple[str, ...]) -> dict[str, str] | None:
    if len(segments) != len(parts):
        return None
    params: dict[str, str] = {}
    for segment, part in zip(segments, parts, strict=True):
        if segment.startswith("{"):
            if not part:
                return None
            params[segment[1:-1]] = part
        elif segment != part:
            return None
    return params
