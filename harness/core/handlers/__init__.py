"""Request handlers, one module per resource, registered on one router."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from harness.core.http import ApiResponse
from harness.core.routing import Router
from harness.core.state import Context

__all__ = ["Handler", "Route", "build_router"]

Handler = Callable[[Context], ApiResponse]


@dataclass(frozen=True)
class Route:
    """A handler and what the operation asks of every request."""

    handler: Handler
    beta: bool = True
    """Part of the Assistants beta: needs ``OpenAI-Beta: assistants=v2``. The Files and vector
    store APIs never did (a module says so with ``BETA = False``)."""


def build_router() -> Router[Route]:
    """The router of the Assistants v2 operations, the Files API and vector stores."""
    from harness.core.handlers import (
        assistants,
        file_batches,
        files,
        messages,
        runs,
        steps,
        threads,
        vector_store_files,
        vector_stores,
    )

    router: Router[Route] = Router()
    for module in (
        assistants,
        threads,
        messages,
        runs,
        steps,
        files,
        vector_stores,
        vector_store_files,
        file_batches,
    ):
        beta: bool = getattr(module, "BETA", True)
        for method, pattern, handler in module.ROUTES:
            router.add(method, pattern)(Route(handler, beta))
    return router
