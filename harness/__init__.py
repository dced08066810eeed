"""harness: contract testing and record/replay for OpenAI Assistants API clients.

The public surface is small: the fake server, its configuration and the error hierarchy.
Scenarios, cassettes, schemas, conformance and strategies live in their own subpackages.
Exports load on first use (PEP 562), so installing harness adds little to every pytest start.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from harness.errors import (
    ApiError,
    CassetteError,
    ConfigError,
    HarnessError,
    NoMatchingInteraction,
    ScenarioError,
    SchemaValidationError,
)

if TYPE_CHECKING:
    from harness.core import AssistantsAPI, ServerConfig
    from harness.server import FakeServer, create_app, serve_async

__all__ = [
    "ApiError",
    "AssistantsAPI",
    "CassetteError",
    "ConfigError",
    "FakeServer",
    "HarnessError",
    "NoMatchingInteraction",
    "ScenarioError",
    "SchemaValidationError",
    "ServerConfig",
    "__version__",
    "create_app",
    "serve_async",
]

__version__ = "0.1.0"

_LAZY = {
    "AssistantsAPI": "harness.core",
    "ServerConfig": "harness.core",
    "FakeServer": "harness.server",
    "create_app": "harness.server",
    "serve_async": "harness.server",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'harness' has no attribute {name!r}")
    return getattr(import_module(module), name)
