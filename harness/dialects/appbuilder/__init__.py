"""Baidu AppBuilder's Assistants API (``appbuilder-sdk``), over the core.

Point the SDK at the server root with ``GATEWAY_URL`` (and any ``APPBUILDER_TOKEN``): every call
is a ``POST /v2/...`` with JSON in and JSON out, success is HTTP 200 exactly, and errors keep the
core's status with ``{"error": {"code", "message", "type", "param"}}`` (all strings), which the
SDK raises as the exception class of that status.
"""

from __future__ import annotations

import logging
import uuid

from harness import schemas
from harness.core import ApiRequest, ApiResponse, AssistantsAPI, SSEEvent, StreamBody
from harness.dialects.appbuilder._ids import WireIds, named_ids
from harness.dialects.appbuilder._operations import OPERATIONS, Route
from harness.dialects.appbuilder._state import DialectState
from harness.dialects.base import CoreCaller, json_body
from harness.errors import ApiError

__all__ = ["AppBuilderDialect", "error_body"]

log = logging.getLogger("harness.server")

_REQUEST_ID = "x-appbuilder-request-id"


def error_body(error: ApiError) -> dict[str, dict[str, str]]:
    """AppBuilder's error object: ``code``, ``message``, ``type`` and ``param``, never null."""
    return {
        "error": {
            "code": error.code or error.type,
            "message": error.message,
            "type": error.type,
            "param": error.param or "",
        }
    }


class AppBuilderDialect:
    """Answers ``/v2/...`` as AppBuilder does, by asking the core in OpenAI's terms."""

    name: str = "appbuilder"
    prefixes: tuple[str, ...] = ("/v2",)

    def __init__(self, api: AssistantsAPI) -> None:
        self.api = api
        self._core_state = api.state
        self._state = self._fresh_state()

    def state(self) -> DialectState:
        """The dialect's own state, forgotten whenever the core's is (reset, new scenario)."""
        if self._core_state is not self.api.state:
            self._core_state = self.api.state
            self._state = self._fresh_state()
        return self._state

    def core_id(self, wire_id: str) -> str:
        """The core's id behind an id this dialect showed (the journal keeps the core's)."""
        state = self.state()
        return str(state.ids.to_core(wire_id, self.api.state.store))

    def _fresh_state(self) -> DialectState:
        """A state whose id table keeps the ids that exist now (seeds) and that the scenario
        names: a client given such an id sees that id."""
        store = self.api.state.store
        existing = (row_id for table in store.tables() for row_id in table.ids())
        kept = {*existing, *named_ids(self.api.scenario)}
        return DialectState(ids=WireIds(kept))

    def handle(self, request: ApiRequest) -> ApiResponse:
        request_id = request.header(_REQUEST_ID) or str(uuid.uuid4())
        caller = CoreCaller(self.api, _credentials(request), request.caller)
        try:
            route = OPERATIONS.get(request.path.rstrip("/") or "/")
            if route is None:
                raise ApiError(404, f"Invalid URL (POST {request.path})", code="not_found")
            if request.method != "POST":
                raise ApiError(
                    405,
                    f"Invalid method for URL ({request.method} {request.path}). Supported: POST",
                    code="method_not_allowed",
                    headers={"Allow": "POST"},
                )
            state = self.state()
            body = (
                _upload_body(request)
                if route.upload
                else state.ids.to_core(json_body(request), self.api.state.store)
            )
            result = route.operation(state, caller, body)
            response = result if isinstance(result, ApiResponse) else ApiResponse(200, result)
            _ids_to_wire(response, state, self.api)
            if self.api.config.validate_responses:
                _validate(response, route)
        except ApiError as error:
            body = error_body(error)
            body["error"]["message"] = self.state().ids.text_to_wire(
                body["error"]["message"], self.api.state.store
            )
            response = ApiResponse(error.status, body, dict(error.headers))
            if self.api.config.validate_responses:
                schemas.validate("appbuilder.error", response.body)
        except Exception as error:  # a bug of ours: answered like any server error, and logged
            log.exception("harness: internal error in the appbuilder dialect on %s", request.path)
            failure = ApiError(500, f"harness internal error: {error}", type="server_error")
            response = ApiResponse(500, error_body(failure))
        response.headers["X-Appbuilder-Request-Id"] = request_id
        return caller.finish(response)


def _ids_to_wire(response: ApiResponse, state: DialectState, api: AssistantsAPI) -> None:
    store = api.state.store
    if response.stream is not None:
        response.stream = state.ids.stream_to_wire(response.stream, store)
    elif isinstance(response.body, dict | list):
        response.body = state.ids.to_wire(response.body, store)


def _validate(response: ApiResponse, route: Route) -> None:
    """Check the answer against AppBuilder's schemas (tests turn this on): a miss is our bug."""
    if response.stream is not None:
        response.stream = _validated_events(response.stream)
        return
    if route.kind is not None:
        schemas.validate(route.kind, response.body)
    if route.item is not None:
        for item in response.body["data"]:
            schemas.validate(route.item, item)


def _validated_events(stream: StreamBody) -> StreamBody:
    for item in stream:
        if isinstance(item, SSEEvent):
            schemas.validate(f"appbuilder.stream_{item.event}", item.data)
        yield item


def _upload_body(request: ApiRequest) -> dict[str, object]:
    purpose = request.query_values("purpose")
    return {
        "_raw": request.body,
        "_content_type": request.header("content-type"),
        "_purpose": purpose[-1] if purpose else "assistant",
    }


def _credentials(request: ApiRequest) -> dict[str, str]:
    """AppBuilder's token is a bearer token, in ``Authorization`` or its own header."""
    token = request.header("authorization") or request.header("x-appbuilder-authorization")
    return {"authorization": token} if token else {}
