"""What every dialect offers, and the one way dialects call the core."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from harness.core import ApiRequest, ApiResponse, AssistantsAPI, Pause
from harness.errors import ApiError

__all__ = ["CoreCaller", "Dialect", "Waiting", "checked", "json_body"]

JSON = dict[str, Any]


@dataclass(frozen=True)
class Waiting(Pause):
    """A pause in which a stream waits for the client (its tool outputs on another connection).

    Nothing more can happen on such a stream without the client, so a transport whose client
    has gone closes the stream here instead of waiting on.
    """


class Dialect(Protocol):
    """A wire other than the core's own, served beside ``/v1`` by the same core."""

    name: str
    prefixes: tuple[str, ...]
    """The URL path prefixes this dialect answers (``/v2`` for AppBuilder)."""
    api: AssistantsAPI

    def handle(self, request: ApiRequest) -> ApiResponse:
        """Answer one request; ``request.path`` is the full URL path. Never raises."""
        ...

    def core_id(self, wire_id: str) -> str:
        """The core's id behind an id this dialect showed (the journal keeps the core's)."""
        ...


@dataclass(frozen=True)
class CoreCaller:
    """Sends OpenAI-shaped requests to the core on behalf of one wire request.

    The caller's credentials travel with every call, so the core's own checks (API key, faults,
    journal) apply to dialect traffic exactly as to ``/v1`` traffic.
    """

    api: AssistantsAPI
    headers: Mapping[str, str]
    caller: str = ""
    """Who sent the wire request: the core's per-caller rules judge the client, not us."""
    effects: list[ApiResponse] = field(default_factory=list)
    """Core answers that carried a fault's delay or reset, to pass on to the wire."""

    def call(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        query: Sequence[tuple[str, str]] = (),
        *,
        raw: tuple[bytes, str] | None = None,
    ) -> ApiResponse:
        """The core's response, as is (streams included); ``raw`` is a body and its
        content type (a multipart upload) instead of JSON ``body``."""
        headers = {**self.headers, "openai-beta": "assistants=v2"}
        data = b""
        if raw is not None:
            data, headers["content-type"] = raw
        elif body is not None:
            headers["content-type"] = "application/json"
            data = json.dumps(body).encode()
        request = ApiRequest(method, path, tuple(query), headers, data, caller=self.caller)
        response = self.api.handle(request)
        if response.delay_ms or response.reset:
            self.effects.append(response)
        return response

    def finish(self, response: ApiResponse) -> ApiResponse:
        """``response`` with the delays and resets the core calls met (a fault on any of them)."""
        response.delay_ms += sum(effect.delay_ms for effect in self.effects)
        response.reset = response.reset or any(effect.reset for effect in self.effects)
        return response

    def json(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        query: Sequence[tuple[str, str]] = (),
        *,
        raw: tuple[bytes, str] | None = None,
    ) -> JSON:
        """The core's JSON answer; a core error is raised as the :class:`ApiError` it was."""
        response = self.call(method, path, body, query, raw=raw)
        return checked(response)


def checked(response: ApiResponse) -> JSON:
    """The body of a successful core response, or its error raised again as an ApiError."""
    if response.reset:
        raise ApiError(502, "The connection was reset.", type="server_error")
    if 200 <= response.status < 300 and isinstance(response.body, dict):
        return response.body
    error = (response.body or {}).get("error") if isinstance(response.body, dict) else None
    error = error if isinstance(error, dict) else {}
    raise ApiError(
        response.status,
        str(error.get("message") or f"HTTP {response.status}"),
        type=str(error.get("type") or "invalid_request_error"),
        param=error.get("param"),
        code=error.get("code"),
        headers={k: v for k, v in response.headers.items() if k.lower() == "retry-after"},
    )


def json_body(request: ApiRequest) -> JSON:
    """The request's JSON object body (an empty body is ``{}``); anything else is a 400."""
    if not request.body.strip():
        return {}
    try:
        data = json.loads(request.body)
    except ValueError as error:
        raise ApiError(
            400, f"We could not parse the JSON body of your request: {error}.", code="invalid_json"
        ) from None
    if not isinstance(data, dict):
        raise ApiError(400, "The request body must be a JSON object.", code="invalid_json")
    return data
