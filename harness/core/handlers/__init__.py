"""Request handlers, one module per resource, registered on one router."""

from __future__ import annotations

from collections.abc import Callable

from harness.core.http import ApiResponse
from harness.core.routing import Router
from harness.core.state import Context

__all__ = ["Handler", "build_router"]

Handler = Callable[[Context], ApiResponse]


def build_router() -> Router[Handler]:
    """The router of all 23 Assistants v2 operations."""
    from harness.core.handlers import assistants, messages, runs, steps, threads

    router: Router[Handler] = Router()
    for module in (assistants, threads, messages, runs, steps):
        for method, pattern, handler in module.ROUTES:
            router.add(method, pattern)(handler)
    return router
