"""The transport-free core: requests in, responses out. Knows nothing of aiohttp or pytest."""

from harness.core.api import AssistantsAPI, ServerConfig
from harness.core.http import ApiRequest, ApiResponse, Pause, SSEEvent, StreamBody

__all__ = [
    "ApiRequest",
    "ApiResponse",
    "AssistantsAPI",
    "Pause",
    "SSEEvent",
    "ServerConfig",
    "StreamBody",
]
