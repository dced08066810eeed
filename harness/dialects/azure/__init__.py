"""Azure's two wires of the Assistants protocol, over the core.

- **Azure OpenAI** (the openai SDK's ``AzureOpenAI``): ``{endpoint}/openai/{operation}``, an
  ``api-version`` query on every request, the key in an ``api-key`` header (or an Entra bearer
  token).
- **Azure AI Foundry agents** (``azure-ai-agents``' ``AgentsClient``): a project endpoint
  ``{base}/api/projects/{project}``, then ``/assistants``, ``/threads``, ``/runs`` with
  ``?api-version=v1``, a bearer token, no ``OpenAI-Beta`` header.

Objects and stream events are OpenAI's, so they pass through unchanged; errors are rewritten
into Azure's envelope, whose ``code`` is always a string.
"""

from __future__ import annotations

from typing import Any

from harness.core import ApiRequest, ApiResponse, AssistantsAPI

__all__ = ["AzureDialect", "error_body", "operation_path"]

_MISSING_VERSION = "The api-version query parameter (?api-version=) is required for all requests."


def operation_path(path: str) -> str | None:
    """The core's operation path for an Azure URL path, or ``None`` when it is no Azure path.

    >>> operation_path("/openai/threads/thread_1/runs")
    '/threads/thread_1/runs'
    >>> operation_path("/api/projects/p1/assistants")
    '/assistants'
    """
    if path.startswith("/openai/"):
        return path[len("/openai") :]
    parts = path.split("/", 4)  # '', 'api', 'projects', project, rest
    if len(parts) == 5 and parts[1:3] == ["api", "projects"] and parts[3]:
        return "/" + parts[4]
    return None


def error_body(body: Any, status: int) -> dict[str, Any]:
    """Azure's error envelope for a core error body: ``code`` and ``message`` always strings."""
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    return {
        "error": {
            "code": str(error.get("code") or error.get("type") or status),
            "message": str(error.get("message") or f"HTTP {status}"),
            "param": error.get("param"),
            "type": error.get("type"),
        }
    }


class AzureDialect:
    """Answers ``/openai/...`` and ``/api/projects/{project}/...`` as Azure does."""

    name: str = "azure"
    prefixes: tuple[str, ...] = ("/openai", "/api/projects")

    def __init__(self, api: AssistantsAPI) -> None:
        self.api = api

    def core_id(self, wire_id: str) -> str:
        """Azure shows the core's own ids."""
        return wire_id

    def handle(self, request: ApiRequest) -> ApiResponse:
        operation = operation_path(request.path)
        if operation is None:
            return _error(404, "404", "Resource not found")
        if not request.query_values("api-version"):
            return _error(400, "MissingApiVersionParameter", _MISSING_VERSION)
        headers = dict(request.headers)
        key = headers.pop("api-key", None)
        if key and not headers.get("authorization"):
            headers["authorization"] = f"Bearer {key}"
        # Azure needs no beta header; the core's rule is OpenAI's, so the dialect meets it.
        headers.setdefault("openai-beta", "assistants=v2")
        query = tuple((name, value) for name, value in request.query if name != "api-version")
        response = self.api.handle(
            ApiRequest(
                request.method, operation, query, headers, request.body, caller=request.caller
            )
        )
        if response.status >= 400 and response.stream is None:
            response.body = error_body(response.body, response.status)
        response.headers.setdefault("apim-request-id", response.headers.get("x-request-id", ""))
        return response


def _error(status: int, code: str, message: str) -> ApiResponse:
    return ApiResponse(status, {"error": {"code": code, "message": message}})
