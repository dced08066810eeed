"""Which wire a recorded URL path belongs to, and the operation it names there.

Used by the cassette layer so that recordings of every dialect are validated (and Azure ones
converted) with the right schemas: ``/v1/...`` is OpenAI's, ``/openai/...`` and
``/api/projects/{project}/...`` are Azure's (the same operations as ``/v1``), and
``[prefix]/v2/...`` is AppBuilder's (``GATEWAY_URL`` may carry a path prefix).
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.dialects.appbuilder._operations import OPERATIONS
from harness.dialects.azure import operation_path

__all__ = ["Surface", "surface_of"]


@dataclass(frozen=True)
class Surface:
    dialect: str
    """``openai``, ``azure`` or ``appbuilder``."""
    path: str
    """OpenAI's path (``/v1/threads/…``) for openai and azure; AppBuilder's (``/v2/…``)."""


def surface_of(path: str) -> Surface | None:
    """The wire and operation path of a recorded request path; ``None`` for anything else.

    >>> surface_of("/openai/threads/thread_1/runs")
    Surface(dialect='azure', path='/v1/threads/thread_1/runs')
    >>> surface_of("/gw/v2/threads/runs")
    Surface(dialect='appbuilder', path='/v2/threads/runs')
    """
    if path.startswith("/v1/"):
        return Surface("openai", path)
    operation = operation_path(path)
    if operation is not None:
        return Surface("azure", "/v1" + operation)
    start = path.find("/v2/")
    if start >= 0 and path[start:].rstrip("/") in OPERATIONS:
        return Surface("appbuilder", path[start:].rstrip("/"))
    return None
