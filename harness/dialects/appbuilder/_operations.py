"""AppBuilder's operations: every one a POST with its ids in the JSON body, told to the core.

Each operation takes the dialect's per-server state, a :class:`CoreCaller` and the request body,
and returns the AppBuilder JSON body (or a whole response, for streams).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

from harness.core import ApiResponse
from harness.dialects.appbuilder import _files as files
from harness.dialects.appbuilder import _shapes as shapes
from harness.dialects.appbuilder._state import DialectState
from harness.dialects.appbuilder._stream import RunStream
from harness.dialects.base import CoreCaller, checked
from harness.errors import ApiError
from harness.lifecycle import POLL_STOP_STATUSES

__all__ = ["OPERATIONS", "Operation", "Route"]

JSON = dict[str, Any]

_MAX_RUN_POLLS = 100
"""A ``runs.run`` answers when the run stops for the client or ends, or after this many polls."""
_STREAM_HEADERS = {"Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache"}


Operation = Callable[[DialectState, CoreCaller, JSON], "JSON | ApiResponse"]


def _id(body: JSON, name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise ApiError(
            400, f"Missing required parameter: '{name}'.", param=name, code="invalid_param"
        )
    return value


def _page(body: JSON) -> list[tuple[str, str]]:
    """A list body as the core's query; ``limit`` is clamped to what the core pages by."""
    query: list[tuple[str, str]] = []
    limit = body.get("limit", 20)
    if isinstance(limit, int) and not isinstance(limit, bool):
        query.append(("limit", str(min(max(limit, 1), 100))))
    order = body.get("order")
    if order in ("asc", "desc"):
        query.append(("order", order))
    for key in ("after", "before"):
        if isinstance(body.get(key), str) and body[key]:
            query.append((key, body[key]))
    return query


# -- assistants ------------------------------------------------------------------------------


def _extras(state: DialectState, assistant_id: str, body: JSON) -> JSON:
    extras = state.assistant_extras.setdefault(assistant_id, {})
    for key in ("thought_instructions", "chat_instructions", "file_ids"):
        if key in body:
            extras[key] = body[key]
    return extras


def assistant_create(state: DialectState, core: CoreCaller, body: JSON) -> JSON:
    params = shapes.core_assistant_params(body)
    params.setdefault("model", "ERNIE-4.0T-8K")
    created = core.json("POST", "/assistants", params)
    return shapes.assistant(created, _extras(state, created["id"], body))


def assistant_update(state: DialectState, core: CoreCaller, body: JSON) -> JSON:
    assistant_id = _id(body, "assistant_id")
    params = shapes.core_assistant_params(body)
    updated = core.json("POST", f"/assistants/{assistant_id}", params)
    return shapes.assistant(updated, _extras(state, assistant_id, body), update=True)


def assistant_query(state: DialectState, core: CoreCaller, body: JSON) -> JSON:
    assistant_id = _id(body, "assistant_id")
    found = core.json("GET", f"/assistants/{assistant_id}")
    return shapes.assistant(found, state.assistant_extras.get(assistant_id, {}))


def assistant_list(state: DialectState, core: CoreCaller, body: JSON) -> JSON:
    page = core.json("GET", "/assistants", query=_page(body))
    data = [shapes.assistant(a, state.assistant_extras.get(a["id"], {})) for a in page["data"]]
    return shapes.listing(page, data)


def assistant_delete(state: DialectState, core: CoreCaller, body: JSON) -> JSON:
    assistant_id = _id(body, "assistant_id")
    gone = core.json("DELETE", f"/assistants/{assistant_id}")
    state.assistant_extras.pop(assistant_id, None)
    return shapes.deleted(gone, "assistant")


# -- threads and messages --------------------------------------------------------------------


def thread_create(state: DialectState, core: CoreCaller, body: JSON) -> JSON:
    messages = body.get("messages") or []
    params: JSON = {}
    if isinstance(messages, list):
        params["messages"] = [
            shapes.core_message_params(m, f"messages[{i}]") for i, m in enumerate(messages)
        ]
    else:
        params["messages"] = messages  # the core names the mistake
    return shapes.thread(core.json("POST", "/threads", params))


def thread_query(state: DialectState, core: CoreCaller, body: JSON) -> JSON:
    return shapes.thread(core.json("GET", f"/threads/{_id(body, 'thread_id')}"))


def thread_update(state: DialectState, core: CoreCaller, body: JSON) -> JSON:
    params = {"metadata": body["metadata"]} if body.get("metadata") is not None else {}
    return shapes.thread(core.json("POST", f"/threads/{_id(body, 'thread_id')}", params))


def thread_delete(state: DialectState, core: CoreCaller, body: JSON) -> JSON:
    return shapes.deleted(core.json("DELETE", f"/threads/{_id(body, 'thread_id')}"), "thread")


def _message(state: DialectState, found: JSON) -> JSON:
    return shapes.message(
        found, state.message_content.get(found["id"]), state.message_file_ids.get(found["id"])
    )


def message_create(state: DialectState, core: CoreCaller, body: JSON) -> JSON:
    thread_id = _id(body, "thread_id")
    created = core.json("POST", f"/threads/{thread_id}/messages", shapes.core_message_params(body))
    return _message(state, created)


def message_list(state: DialectState, core: CoreCaller, body: JSON) -> JSON:
    thread_id = _id(body, "thread_id")
    page = core.json("GET", f"/threads/{thread_id}/messages", query=_page(body))
    return shapes.listing(page, [_message(state, m) for m in page["data"]])


def message_query(state: DialectState, core: CoreCaller, body: JSON) -> JSON:
    path = f"/threads/{_id(body, 'thread_id')}/messages/{_id(body, 'message_id')}"
    return _message(state, core.json("GET", path))


def message_update(state: DialectState, core: CoreCaller, body: JSON) -> JSON:
    path = f"/threads/{_id(body, 'thread_id')}/messages/{_id(body, 'message_id')}"
    found = core.json("GET", path)
    file_ids = shapes.checked_file_ids(body.get("file_ids"), "file_ids")
    for file_id in file_ids or ():
        core.json("GET", f"/files/{file_id}")  # the core's 404 for an unknown one
    content = body.get("content")
    if isinstance(content, str):
        state.message_content[found["id"]] = shapes.content([_text_block(content)])
    if file_ids is not None:
        state.message_file_ids[found["id"]] = file_ids
    return _message(state, found)


def _text_block(value: str) -> JSON:
    return {"type": "text", "text": {"value": value, "annotations": []}}


def message_files(state: DialectState, core: CoreCaller, body: JSON) -> JSON:
    path = f"/threads/{_id(body, 'thread_id')}/messages/{_id(body, 'message_id')}"
    found = _message(state, core.json("GET", path))
    data = [
        {
            "id": file_id,
            "object": "thread.message.file",
            "created_at": found["created_at"],
            "message_id": found["id"],
        }
        for file_id in found["file_ids"]
    ]
    first, last = (data[0]["id"], data[-1]["id"]) if data else ("", "")
    return shapes.listing({"first_id": first, "last_id": last, "has_more": False}, data)


# -- runs ------------------------------------------------------------------------------------


def _run_settings(body: JSON) -> JSON:
    """The core's run overrides for an AppBuilder run body (``tools: []`` means the assistant's)."""
    settings: JSON = {}
    for key in ("model", "instructions"):
        if isinstance(body.get(key), str):
            settings[key] = body[key]
    if isinstance(body.get("metadata"), dict) and body["metadata"]:
        settings["metadata"] = body["metadata"]
    if isinstance(body.get("tools"), list) and body["tools"]:
        settings["tools"] = shapes.core_tools(body["tools"])
    chat = (body.get("model_parameters") or {}).get("chat_parameters") or {}
    for key in ("temperature", "top_p"):
        if isinstance(chat.get(key), int | float):
            settings[key] = chat[key]
    return settings


def run(state: DialectState, core: CoreCaller, body: JSON) -> JSON | ApiResponse:
    """``runs.run`` / ``stream_run``: a new run, or (with ``tool_output``) the same run going on."""
    stream = body.get("stream") is True
    tool_output = body.get("tool_output")
    if isinstance(tool_output, dict):
        run_id = _id(tool_output, "run_id")
        thread_id = _id(body, "thread_id")
        outputs = [_core_output(tool_output)]
        response = core.call(
            "POST",
            f"/threads/{thread_id}/runs/{run_id}/submit_tool_outputs",
            {"tool_outputs": outputs, **({"stream": True} if stream else {})},
        )
    else:
        assistant_id = _id(body, "assistant_id")
        thread_id = body.get("thread_id") or ""
        messages = (body.get("thread") or {}).get("messages") or []
        messages = (
            [shapes.core_message_params(m, f"thread.messages[{i}]") for i, m in enumerate(messages)]
            if isinstance(messages, list)
            else messages
        )
        params: JSON = {"assistant_id": assistant_id, **_run_settings(body)}
        if stream:
            params["stream"] = True
        if thread_id:
            if messages:
                params["additional_messages"] = messages
            response = core.call("POST", f"/threads/{thread_id}/runs", params)
        else:
            params["thread"] = {"messages": messages}
            response = core.call("POST", "/threads/runs", params)
    if stream and response.stream is not None:
        return _stream(state, core, response)
    return _finish(state, core, checked(response))


def _core_output(output: Any) -> JSON:
    if not isinstance(output, dict):
        raise ApiError(400, "Invalid 'tool_outputs': expected objects.", param="tool_outputs")
    return {"tool_call_id": output.get("tool_call_id"), "output": output.get("output", "")}


def _stream(state: DialectState, core: CoreCaller, response: ApiResponse) -> ApiResponse:
    assert response.stream is not None
    body = RunStream(core, state).play(response.stream)
    return ApiResponse(200, None, dict(_STREAM_HEADERS), stream=body)


def _finish(state: DialectState, core: CoreCaller, run_obj: JSON) -> JSON:
    """Follow the run until it stops for the client or ends, then answer it with its answer."""
    path = f"/threads/{run_obj['thread_id']}/runs/{run_obj['id']}"
    for _ in range(_MAX_RUN_POLLS):
        if run_obj.get("status") in POLL_STOP_STATUSES:
            break
        run_obj = core.json("GET", path)
    answer = None
    if run_obj.get("status") == "completed":
        page = core.json(
            "GET",
            f"/threads/{run_obj['thread_id']}/messages",
            query=[("run_id", run_obj["id"]), ("order", "desc"), ("limit", "1")],
        )
        if page["data"]:
            reply = page["data"][0]
            text = "".join(b["text"]["value"] for b in shapes.content(reply.get("content") or ()))
            answer = shapes.final_answer(reply["id"], text)
    return state.run(core, run_obj, answer=answer, result=True)


def submit_tool_outputs(state: DialectState, core: CoreCaller, body: JSON) -> JSON:
    """Outputs for a run; an open stream of that run goes on with the core's continuation."""
    thread_id, run_id = _id(body, "thread_id"), _id(body, "run_id")
    given = body.get("tool_outputs")
    outputs = [_core_output(o) for o in given] if isinstance(given, list) else given
    path = f"/threads/{thread_id}/runs/{run_id}/submit_tool_outputs"
    handoff = state.waiting.get(run_id)
    if handoff is None:
        return state.run(core, core.json("POST", path, {"tool_outputs": outputs}))
    response = core.call("POST", path, {"tool_outputs": outputs, "stream": True})
    if response.stream is None:
        checked(response)
        raise ApiError(500, "The core did not stream the run's continuation.", type="server_error")
    # The continuation's first event is the run as the submit left it: that is the answer.
    first = next(response.stream)
    handoff.outputs = {str(o.get("tool_call_id")): str(o.get("output", "")) for o in outputs or ()}
    handoff.stream = _prepend(first, response.stream)
    data = getattr(first, "data", None)
    if not isinstance(data, dict) or data.get("id") != run_id:
        return state.run(core, core.json("GET", f"/threads/{thread_id}/runs/{run_id}"))
    return state.run(core, data)


def _prepend(first: Any, rest: Any) -> Any:
    yield first
    yield from rest


def cancel(state: DialectState, core: CoreCaller, body: JSON) -> JSON:
    path = f"/threads/{_id(body, 'thread_id')}/runs/{_id(body, 'run_id')}/cancel"
    return state.run(core, core.json("POST", path))


def run_list(state: DialectState, core: CoreCaller, body: JSON) -> JSON:
    page = core.json("GET", f"/threads/{_id(body, 'thread_id')}/runs", query=_page(body))
    return shapes.listing(page, [state.run(core, r) for r in page["data"]])


def run_query(state: DialectState, core: CoreCaller, body: JSON) -> JSON:
    path = f"/threads/{_id(body, 'thread_id')}/runs/{_id(body, 'run_id')}"
    return state.run(core, core.json("GET", path))


def step_list(state: DialectState, core: CoreCaller, body: JSON) -> JSON:
    path = f"/threads/{_id(body, 'thread_id')}/runs/{_id(body, 'run_id')}/steps"
    page = core.json("GET", path, query=_page(body))
    return shapes.listing(page, [shapes.step(s) for s in page["data"]])


def step_query(state: DialectState, core: CoreCaller, body: JSON) -> JSON:
    path = (
        f"/threads/{_id(body, 'thread_id')}/runs/{_id(body, 'run_id')}/steps/{_id(body, 'step_id')}"
    )
    return shapes.step(core.json("GET", path))


class Route(NamedTuple):
    """An operation and the AppBuilder schema its answer meets (``item`` for list items)."""

    operation: Operation
    kind: str | None
    """``None``: no schema (raw bytes, mount answers)."""
    item: str | None = None
    upload: bool = False
    """A multipart body: the operation gets ``_raw``, ``_content_type`` and ``_purpose``."""


OPERATIONS: Mapping[str, Route] = MappingProxyType(
    {
        "/v2/assistants": Route(assistant_create, "appbuilder.assistant"),
        "/v2/assistants/update": Route(assistant_update, "appbuilder.assistant"),
        "/v2/assistants/query": Route(assistant_query, "appbuilder.assistant"),
        "/v2/assistants/list": Route(assistant_list, "appbuilder.list", "appbuilder.assistant"),
        "/v2/assistants/delete": Route(assistant_delete, "appbuilder.deleted"),
        "/v2/assistants/files": Route(files.mount, None),
        "/v2/assistants/files/list": Route(files.mounted, "appbuilder.list"),
        "/v2/assistants/files/delete": Route(files.unmount, "appbuilder.deleted"),
        "/v2/storage/files": Route(files.upload, "appbuilder.file", upload=True),
        "/v2/storage/files/list": Route(files.list_, None, "appbuilder.file"),
        "/v2/storage/files/query": Route(files.query, "appbuilder.file"),
        "/v2/storage/files/delete": Route(files.delete, "appbuilder.deleted"),
        "/v2/storage/files/download": Route(files.download, None),
        "/v2/storage/files/content": Route(files.content, None),
        "/v2/threads": Route(thread_create, "appbuilder.thread"),
        "/v2/threads/query": Route(thread_query, "appbuilder.thread"),
        "/v2/threads/update": Route(thread_update, "appbuilder.thread"),
        "/v2/threads/delete": Route(thread_delete, "appbuilder.deleted"),
        "/v2/threads/messages": Route(message_create, "appbuilder.message"),
        "/v2/threads/messages/list": Route(message_list, "appbuilder.list", "appbuilder.message"),
        "/v2/threads/messages/query": Route(message_query, "appbuilder.message"),
        "/v2/threads/messages/update": Route(message_update, "appbuilder.message"),
        "/v2/threads/messages/files/list": Route(message_files, "appbuilder.list"),
        "/v2/threads/runs": Route(run, "appbuilder.run"),
        "/v2/threads/runs/submit_tool_outputs": Route(submit_tool_outputs, "appbuilder.run"),
        "/v2/threads/runs/cancel": Route(cancel, "appbuilder.run"),
        "/v2/threads/runs/list": Route(run_list, "appbuilder.list", "appbuilder.run"),
        "/v2/threads/runs/query": Route(run_query, "appbuilder.run"),
        "/v2/threads/runs/steps/list": Route(step_list, "appbuilder.list", "appbuilder.run_step"),
        "/v2/threads/runs/steps/query": Route(step_query, "appbuilder.run_step"),
    }
)
"""Every AppBuilder path (after ``GATEWAY_URL``), its operation and its answer's schema."""
