"""Core (OpenAI-shaped) objects rendered as AppBuilder's, and AppBuilder's inputs as the core's.

AppBuilder's rules, from appbuilder-sdk 1.1.5: timestamps are integer Unix milliseconds and an
unset one is ``0`` (never null); strings the SDK declares ``str`` are never null; message
annotations are strings; the run step carries ``step_datail`` (sic); ``final_answer`` appears only
on the answer of a run, not on its later queries.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from harness.errors import ApiError

__all__ = [
    "assistant",
    "checked_file_ids",
    "core_assistant_params",
    "core_message_params",
    "core_tools",
    "deleted",
    "final_answer",
    "listing",
    "message",
    "ms",
    "run",
    "step",
    "thread",
    "tool_calls",
]

JSON = dict[str, Any]

_RUN_STAMPS = ("created_at", "started_at", "cancelled_at", "failed_at", "completed_at")


def ms(seconds: Any) -> int:
    """Core seconds as AppBuilder milliseconds; an unset time is 0."""
    return int(seconds) * 1000 if isinstance(seconds, int | float) else 0


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


# -- from the core ---------------------------------------------------------------------------


def tools(core_tools: Iterable[JSON] | None) -> list[JSON]:
    """Tools as AppBuilder's ``AssistantTool``: functions need a string description."""
    rendered: list[JSON] = []
    for tool in core_tools or ():
        if tool.get("type") != "function":
            rendered.append({"type": tool.get("type", "")})
            continue
        function = tool.get("function") or {}
        entry: JSON = {
            "name": _text(function.get("name")),
            "description": _text(function.get("description")),
        }
        parameters = function.get("parameters")
        if isinstance(parameters, dict):
            entry["parameters"] = {
                "type": _text(parameters.get("type")) or "object",
                "properties": parameters.get("properties"),
                "required": parameters.get("required"),
            }
        rendered.append({"type": "function", "function": entry})
    return rendered


def _response_format(value: Any) -> str:
    kind = value.get("type") if isinstance(value, dict) else value
    return "json_object" if kind == "json_object" else "text"


def assistant(core: JSON, extras: Mapping[str, Any], *, update: bool = False) -> JSON:
    """``AssistantCreateResponse``; ``AssistantUpdateResponse`` has ``model`` for ``object``."""
    body: JSON = {
        "id": core["id"],
        "name": _text(core.get("name")),
        "description": _text(core.get("description")),
        "instructions": _text(core.get("instructions")),
        "thought_instructions": _text(extras.get("thought_instructions")),
        "chat_instructions": _text(extras.get("chat_instructions")),
        "tools": tools(core.get("tools")),
        "created_at": ms(core.get("created_at")),
        "response_format": _response_format(core.get("response_format")),
        "file_ids": list(extras.get("file_ids") or []),
        "metadata": dict(core.get("metadata") or {}),
    }
    if update:
        body["model"] = _text(core.get("model"))
    else:
        body["object"] = "assistant"
    return body


def thread(core: JSON) -> JSON:
    return {
        "id": core["id"],
        "object": "thread",
        "created_at": ms(core.get("created_at")),
        "metadata": dict(core.get("metadata") or {}),
    }


def deleted(core: JSON, kind: str) -> JSON:
    return {
        "id": core.get("id", ""),
        "object": f"{kind}.deleted",
        "deleted": bool(core.get("deleted")),
    }


def content(blocks: Iterable[JSON]) -> list[JSON]:
    """Message content; annotations become their strings (the SDK refuses objects)."""
    rendered: list[JSON] = []
    for block in blocks:
        if block.get("type") != "text":
            continue
        text = block.get("text") or {}
        annotations = [
            _text(note.get("text")) if isinstance(note, dict) else str(note)
            for note in text.get("annotations") or ()
        ]
        rendered.append(
            {
                "type": "text",
                "text": {"value": _text(text.get("value")), "annotations": annotations},
            }
        )
    return rendered


def message(
    core: JSON, override: list[JSON] | None = None, file_ids: list[str] | None = None
) -> JSON:
    """``AssistantMessage…Response``; ``override`` and ``file_ids`` are what a client replaced
    by update (the core keeps the message's attachments)."""
    if file_ids is None:
        file_ids = [
            attachment["file_id"]
            for attachment in core.get("attachments") or ()
            if isinstance(attachment, dict) and isinstance(attachment.get("file_id"), str)
        ]
    return {
        "id": core["id"],
        "object": "thread.message",
        "role": core.get("role") if core.get("role") in ("user", "assistant") else "assistant",
        "content": override if override is not None else content(core.get("content") or ()),
        "created_at": ms(core.get("created_at")),
        "thread_id": _text(core.get("thread_id")),
        "assistant_id": core.get("assistant_id"),
        "run_id": core.get("run_id"),
        "file_ids": list(file_ids),
    }


def listing(page: JSON, data: list[JSON]) -> JSON:
    """A list envelope; ``has_more`` must be a bool and the ids strings."""
    return {
        "object": "list",
        "data": data,
        "first_id": _text(page.get("first_id")),
        "last_id": _text(page.get("last_id")),
        "has_more": bool(page.get("has_more")),
    }


def tool_calls(calls: Iterable[JSON], outputs: Mapping[str, str] | None = None) -> list[JSON]:
    """Function tool calls as AppBuilder's ``ToolCall`` (``output`` a string, never null)."""
    rendered: list[JSON] = []
    for call in calls:
        function = call.get("function") or {}
        output = (outputs or {}).get(call.get("id", ""), function.get("output"))
        rendered.append(
            {
                "id": _text(call.get("id")),
                "type": "function",
                "function": {
                    "name": _text(function.get("name")),
                    "arguments": _text(function.get("arguments")),
                    "output": _text(output),
                },
            }
        )
    return rendered


def final_answer(message_id: str, text: str) -> JSON:
    return {
        "type": "message",
        "message": {
            "message_id": message_id,
            "content": [{"type": "text", "text": {"value": text, "annotations": None}}],
        },
    }


def run(core: JSON, *, answer: JSON | None = None, result: bool = False) -> JSON:
    """``RunResult``: every string and timestamp non-null, ``expired_at`` for ``expires_at``."""
    action = core.get("required_action")
    error = core.get("last_error")
    body: JSON = {
        "id": core["id"],
        "object": "run.result" if result else "thread.run",
        "assistant_id": _text(core.get("assistant_id")),
        "thread_id": _text(core.get("thread_id")),
        "model": _text(core.get("model")),
        "instructions": _text(core.get("instructions")),
        "thought_instructions": "",
        "chat_instructions": "",
        "tools": tools(core.get("tools")),
        "file_ids": [],
        "status": _text(core.get("status")),
        "required_action": None,
        "last_error": None,
        "final_answer": answer,
        "expired_at": ms(core.get("expires_at")) if core.get("status") == "expired" else 0,
    }
    for stamp in _RUN_STAMPS:
        body[stamp] = ms(core.get(stamp))
    if isinstance(action, dict):
        calls = (action.get("submit_tool_outputs") or {}).get("tool_calls") or ()
        body["required_action"] = {
            "type": "submit_tool_outputs",
            "submit_tool_outputs": {"tool_calls": tool_calls(calls)},
        }
    if isinstance(error, dict):
        body["last_error"] = {
            "type": _text(error.get("code")),
            "message": _text(error.get("message")),
        }
    return body


def step(core: JSON) -> JSON:
    """``RunStepResult`` with its ``step_datail`` (the SDK's spelling)."""
    details = core.get("step_details") or {}
    kind = _text(core.get("type"))
    detail: JSON = {"type": kind}
    if kind == "message_creation":
        detail["message_creation"] = {
            "message_id": _text((details.get("message_creation") or {}).get("message_id"))
        }
    elif kind == "tool_calls":
        calls = [c for c in details.get("tool_calls") or () if c.get("type") == "function"]
        detail["tool_calls"] = tool_calls(calls)
    error = core.get("last_error")
    return {
        "id": core["id"],
        "object": "thread.run.step",
        "assistant_id": _text(core.get("assistant_id")),
        "thread_id": _text(core.get("thread_id")),
        "run_id": _text(core.get("run_id")),
        "status": _text(core.get("status")),
        "created_at": ms(core.get("created_at")),
        "started_at": 0,
        "expired_at": ms(core.get("expired_at")),
        "cancelled_at": ms(core.get("cancelled_at")),
        "failed_at": ms(core.get("failed_at")),
        "completed_at": ms(core.get("completed_at")),
        "last_error": (
            {"type": _text(error.get("code")), "message": _text(error.get("message"))}
            if isinstance(error, dict)
            else ""
        ),
        "type": kind,
        "step_datail": detail,
    }


# -- to the core -----------------------------------------------------------------------------


def core_tools(wire_tools: Any) -> list[JSON]:
    """AppBuilder tools as the core's: functions keep name, description and parameters."""
    converted: list[JSON] = []
    for tool in wire_tools if isinstance(wire_tools, list) else ():
        if not isinstance(tool, dict):
            converted.append(tool)  # the core names the bad item
            continue
        function = tool.get("function")
        if tool.get("type", "function") != "function" or not isinstance(function, dict):
            converted.append({"type": tool.get("type")})
            continue
        entry: JSON = {"name": function.get("name")}
        if isinstance(function.get("description"), str):
            entry["description"] = function["description"]
        parameters = function.get("parameters")
        if isinstance(parameters, dict):
            entry["parameters"] = {k: v for k, v in parameters.items() if v is not None}
        converted.append({"type": "function", "function": entry})
    return converted


def core_assistant_params(body: Mapping[str, Any]) -> JSON:
    """The body of the core's assistant create/modify for an AppBuilder one."""
    params: JSON = {}
    for key in ("model", "name", "description", "instructions", "metadata"):
        if body.get(key) is not None:
            params[key] = body[key]
    if "tools" in body:
        params["tools"] = core_tools(body.get("tools"))
    if body.get("response_format") in ("text", "json_object"):
        params["response_format"] = {"type": body["response_format"]}
    return params


def checked_file_ids(value: Any, param: str) -> list[str] | None:
    """A message's ``file_ids`` checked (``None`` when absent or null); a 400 naming ``param``."""
    if value is None:
        return None
    if not isinstance(value, list):
        raise ApiError(
            400,
            f"Invalid type for '{param}': expected an array of strings.",
            param=param,
            code="invalid_type",
        )
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise ApiError(
                400,
                f"Invalid type for '{param}[{index}]': expected a string.",
                param=f"{param}[{index}]",
                code="invalid_type",
            )
    return list(value)


def core_message_params(wire: Any, where: str = "") -> Any:
    """An AppBuilder message (``content`` a string, ``file_ids``) as the core's create body;
    ``where`` is the message's place in the request, for errors."""
    if not isinstance(wire, dict):
        return wire  # the core names the bad item
    params: JSON = {"role": wire.get("role", "user"), "content": wire.get("content", "")}
    ids = checked_file_ids(wire.get("file_ids"), f"{where}.file_ids" if where else "file_ids")
    if ids:
        # For no tool: a file_search attachment would give the thread a vector store (and
        # code_interpreter, files), which AppBuilder has not and messages.update cannot undo.
        params["attachments"] = [{"file_id": file_id, "tools": []} for file_id in ids]
    return params
