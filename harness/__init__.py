"""harness: contract testing and record/replay for OpenAI Assistants API clients.

The public surface is small: the fake server, its configuration, the lifecycle model, and the
error hierarchy. Scenarios, cassettes, schemas, conformance and strategies live in their own
subpackages.
"""

from harness.core import AssistantsAPI, ServerConfig
from harness.errors import (
    ApiError,
    CassetteError,
    ConfigError,
    HarnessError,
    NoMatchingInteraction,
    ScenarioError,
    SchemaValidationError,
)
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
