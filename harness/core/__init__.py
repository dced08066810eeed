"""The transport-free core: requests in, responses out. Knows nothing of aiohttp or pytest.

Exports load on first use (PEP 562): importing a small piece (``harness.core.journal``) does not
pull in the whole engine.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from harness.core.api import AssistantsAPI
    from harness.core.http import ApiRequest, ApiResponse, Cut, Pause, SSEEvent, StreamBody
    from harness.core.state import ServerConfig

__all__ = [
    "ApiRequest",
    "ApiResponse",
    "AssistantsAPI",
    "Cut",
    "Pause",
    "SSEEvent",
    "ServerConfig",
    "StreamBody",
]

_LAZY = {
    "AssistantsAPI": "harness.core.api",
    "ServerConfig": "harness.core.state",
    "ApiRequest": "harness.core.http",
    "ApiResponse": "harness.core.http",
    "Cut": "harness.core.http",
    "Pause": "harness.core.http",
    "SSEEvent": "harness.core.http",
    "StreamBody": "harness.core.http",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'harness.core' has no attribute {name!r}")
    return getattr(import_module(module), name)
