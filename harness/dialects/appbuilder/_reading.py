"""Recorded AppBuilder traffic told as the Assistants exchanges it amounts to.

The reverse of the live translation: each ``POST /v2/…`` exchange becomes the OpenAI request
it stands for (``/v2/threads/runs/query {thread_id, run_id}`` is
``GET /threads/{thread_id}/runs/{run_id}``) with the answer in OpenAI's shapes (seconds for
milliseconds, ``last_error.code`` for ``type``, function tool calls, ``thread.message`` objects),
so conversion and verification read every wire the same way.

Two things are AppBuilder's own:

* A ``runs.run`` answer carries the run's ``final_answer``; it is told as a second exchange,
  the retrieval of that assistant message.
* A run stream stays open across ``requires_action`` while the client submits on another
  connection, so the submit (and any cancel) is recorded *before* the stream it interrupted
  ends. A run a stream created is therefore told by its streams alone: other answers about it
  are kept as exchanges without a body.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from harness.dialects.appbuilder import _shapes as shapes
from harness.dialects.exchange import RecordedExchange

__all__ = ["read_exchanges"]

JSON = dict[str, Any]

_RUN_STAMPS = ("created_at", "started_at", "cancelled_at", "failed_at", "completed_at")


def _seconds(value: Any) -> int | None:
    """AppBuilder milliseconds as seconds; ``0`` (unset) is None."""
    return int(value) // 1000 if isinstance(value, int | float) and value else None


def _str(body: Any, key: str) -> str:
    value = body.get(key) if isinstance(body, dict) else None
    return value if isinstance(value, str) else ""


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


# -- objects ---------------------------------------------------------------------------------


def assistant(wire: JSON) -> JSON:
    return {
        "id": _str(wire, "id"),
        "object": "assistant",
        "created_at": _seconds(wire.get("created_at")),
        "name": wire.get("name") or None,
        "description": wire.get("description") or None,
        "model": wire.get("model") or "",
        "instructions": wire.get("instructions") or None,
        "tools": shapes.core_tools(wire.get("tools")),
        "metadata": wire.get("metadata") or {},
    }


def thread(wire: JSON) -> JSON:
    return {
        "id": _str(wire, "id"),
        "object": "thread",
        "created_at": _seconds(wire.get("created_at")),
        "metadata": wire.get("metadata") or {},
    }


def _content(blocks: Any) -> list[JSON]:
    """Text blocks; AppBuilder's string annotations cannot be told as OpenAI's objects."""
    if isinstance(blocks, dict):  # SDKs before 0.9.5 sent one block, not a list
        blocks = [blocks]
    return [
        {
            "type": "text",
            "text": {"value": _str(block.get("text"), "value"), "annotations": []},
        }
        for block in _list(blocks)
        if isinstance(block, dict) and block.get("type", "text") == "text"
    ]


def message(wire: JSON, *, status: str = "completed") -> JSON:
    return {
        "id": _str(wire, "id"),
        "object": "thread.message",
        "created_at": _seconds(wire.get("created_at")),
        "thread_id": _str(wire, "thread_id"),
        "status": status,
        "role": wire.get("role") or "assistant",
        "content": _content(wire.get("content")),
        "assistant_id": wire.get("assistant_id") or None,
        "run_id": wire.get("run_id") or None,
        "attachments": [
            {"file_id": file_id, "tools": []}
            for file_id in _list(wire.get("file_ids"))
            if isinstance(file_id, str)
        ],
        "metadata": {},
    }


def tool_calls(calls: Any) -> list[JSON]:
    return [
        {
            "id": _str(call, "id"),
            "type": "function",
            "function": {
                "name": _str(call.get("function"), "name"),
                "arguments": _str(call.get("function"), "arguments") or "{}",
            },
        }
        for call in _list(calls)
        if isinstance(call, dict)
    ]


def run(wire: JSON) -> JSON:
    action = wire.get("required_action")
    error = wire.get("last_error")
    body: JSON = {
        "id": _str(wire, "id"),
        "object": "thread.run",
        "assistant_id": _str(wire, "assistant_id"),
        "thread_id": _str(wire, "thread_id"),
        "status": _str(wire, "status"),
        "model": _str(wire, "model"),
        "instructions": _str(wire, "instructions"),
        "tools": shapes.core_tools(wire.get("tools")),
        "required_action": None,
        "last_error": None,
        "expires_at": _seconds(wire.get("expired_at")),
    }
    for stamp in _RUN_STAMPS:
        body[stamp] = _seconds(wire.get(stamp))
    if isinstance(action, dict):
        calls = (action.get("submit_tool_outputs") or {}).get("tool_calls")
        body["required_action"] = {
            "type": "submit_tool_outputs",
            "submit_tool_outputs": {"tool_calls": tool_calls(calls)},
        }
    if isinstance(error, dict):
        body["last_error"] = {"code": _str(error, "type"), "message": _str(error, "message")}
    return body


def _answer(run_obj: JSON, final_answer: Any) -> JSON | None:
    """The assistant message a run's ``final_answer`` shows, or None."""
    found = final_answer.get("message") if isinstance(final_answer, dict) else None
    if not isinstance(found, dict) or not _str(found, "message_id"):
        return None
    return message(
        {
            "id": found["message_id"],
            "thread_id": run_obj["thread_id"],
            "role": "assistant",
            "content": found.get("content"),
            "assistant_id": run_obj["assistant_id"],
            "run_id": run_obj["id"],
        }
    )


def file(wire: JSON) -> JSON:
    return {
        "id": _str(wire, "id"),
        "object": "file",
        "bytes": wire.get("bytes") or 0,
        "created_at": _seconds(wire.get("create_at")),
        "filename": _str(wire, "filename"),
        "purpose": "assistants",
    }


def error(wire: Any) -> JSON:
    """An error answer as OpenAI's envelope (AppBuilder's has the same four strings)."""
    found = wire.get("error") if isinstance(wire, dict) else None
    return {
        "error": {key: _str(found, key) or None for key in ("message", "type", "param", "code")}
    }


def deleted(wire: JSON) -> JSON:
    return {
        "id": _str(wire, "id"),
        "object": _str(wire, "object"),
        "deleted": bool(wire.get("deleted")),
    }


def listing(wire: JSON, item: Any) -> JSON:
    return {
        "object": "list",
        "data": [item(entry) for entry in _list(wire.get("data")) if isinstance(entry, dict)],
        "first_id": wire.get("first_id") or None,
        "last_id": wire.get("last_id") or None,
        "has_more": bool(wire.get("has_more")),
    }


# -- streams ---------------------------------------------------------------------------------


@dataclass
class _StreamReader:
    """One AppBuilder run stream told as OpenAI's run stream events."""

    run: JSON = field(default_factory=dict)
    texts: dict[str, list[str]] = field(default_factory=dict)
    created_run: str | None = None

    def read(self, events: Sequence[tuple[str, Any]]) -> tuple[tuple[str, Any], ...]:
        told: list[tuple[str, Any]] = []
        for event, data in events:
            if isinstance(data, dict) and event in ("status", "message"):
                told.extend(self._event(event, data))
        return tuple(told)

    def _moved(self, status: str) -> Iterator[tuple[str, Any]]:
        """``thread.run.<status>`` when the stream shows the run in a new status."""
        if self.run and status and status != self.run.get("status"):
            self.run = {**self.run, "status": status}
            if status != "requires_action":
                self.run["required_action"] = None
            yield f"thread.run.{status}", dict(self.run)

    def _event(self, event: str, data: JSON) -> Iterator[tuple[str, Any]]:
        status = _str(data, "status")
        found = data.get("details")
        details: JSON = found if isinstance(found, dict) else {}
        kind = _str(data, "event_type")
        if event == "message":
            yield from self._moved(status)
            yield from self._message(data)
        elif kind == "run_begin" and isinstance(details.get("run_object"), dict):
            self.run = run(details["run_object"])
            self.created_run = self.run["id"]
            yield "thread.run.created", dict(self.run)
            yield f"thread.run.{self.run['status']}", dict(self.run)
        elif kind == "run_end" and isinstance(details.get("run_object"), dict):
            ended = run(details["run_object"])
            if self.run.get("status") != ended["status"]:
                self.run = ended
                yield f"thread.run.{ended['status']}", dict(ended)
        elif kind == "tool_calls":
            self.run = {
                **self.run,
                "status": "requires_action",
                "required_action": {
                    "type": "submit_tool_outputs",
                    "submit_tool_outputs": {"tool_calls": tool_calls(details.get("tool_calls"))},
                },
            }
            yield "thread.run.requires_action", dict(self.run)
        elif kind == "message_creation":
            yield from self._moved(status)
            message_id = _str(details.get("message_creation"), "message_id")
            self.texts[message_id] = []
            yield "thread.message.created", self._message_object(message_id, "in_progress")
        elif kind == "error":
            info = details.get("error_info") if isinstance(details.get("error_info"), dict) else {}
            yield "error", {"error": {"code": _str(info, "type"), "message": _str(info, "message")}}
        else:
            yield from self._moved(status)

    def _message(self, data: JSON) -> Iterator[tuple[str, Any]]:
        message_id = _str(data, "message_id")
        parts = self.texts.setdefault(message_id, [])
        if data.get("is_end"):
            yield "thread.message.completed", self._message_object(message_id, "completed")
            return
        for index, block in enumerate(_content(data.get("content"))):
            parts.append(block["text"]["value"])
            yield (
                "thread.message.delta",
                {
                    "id": message_id,
                    "object": "thread.message.delta",
                    "delta": {"content": [{"index": index, **block}]},
                },
            )

    def _message_object(self, message_id: str, status: str) -> JSON:
        text = "".join(self.texts.get(message_id, ()))
        return message(
            {
                "id": message_id,
                "thread_id": self.run.get("thread_id", ""),
                "role": "assistant",
                "content": [{"type": "text", "text": {"value": text}}] if text else [],
                "assistant_id": self.run.get("assistant_id", ""),
                "run_id": self.run.get("id", ""),
            },
            status=status,
        )


# -- exchanges -------------------------------------------------------------------------------


def _ids(body: Any, *names: str) -> list[str]:
    return [_str(body, name) for name in names]


def _told(
    exchange: RecordedExchange, method: str, path: str, request: Any, response: Any
) -> RecordedExchange:
    return RecordedExchange(method, path, request, exchange.status, response)


def _message_request(wire: Any) -> JSON:
    """A message create body (``role``, ``content``) as the core's; it is only read, so what
    the live dialect would refuse is kept as far as it reads."""
    return {"role": _str(wire, "role") or "user", "content": _str(wire, "content")}


def _messages(holder: Any) -> list[JSON]:
    """The messages of a thread body, as the core's message create bodies."""
    messages = holder.get("messages") if isinstance(holder, dict) else None
    return [_message_request(m) for m in messages] if isinstance(messages, list) else []


def _run_request(body: Any) -> tuple[str, JSON]:
    """The Assistants path and body of a ``/v2/threads/runs`` request."""
    body = body if isinstance(body, dict) else {}
    thread_id, assistant_id = _ids(body, "thread_id", "assistant_id")
    stream = {"stream": True} if body.get("stream") is True else {}
    output = body.get("tool_output")
    if isinstance(output, dict):
        path = f"/threads/{thread_id}/runs/{_str(output, 'run_id')}/submit_tool_outputs"
        outputs = [{"tool_call_id": _str(output, "tool_call_id"), "output": _str(output, "output")}]
        return path, {"tool_outputs": outputs, **stream}
    if thread_id:
        return f"/threads/{thread_id}/runs", {"assistant_id": assistant_id, **stream}
    thread_body = {"messages": _messages(body.get("thread"))}
    return "/threads/runs", {"assistant_id": assistant_id, "thread": thread_body, **stream}


def _read_one(
    exchange: RecordedExchange, stream: _StreamReading | None, streamed_runs: set[str]
) -> list[RecordedExchange]:
    body = exchange.request if isinstance(exchange.request, dict) else {}
    answer = exchange.response if isinstance(exchange.response, dict) else None
    ok = exchange.status == 200 and answer is not None
    path = exchange.path
    if path == "/v2/threads/runs":
        target, request = _run_request(body)
        if stream is not None:
            return [RecordedExchange("POST", target, request, exchange.status, None, stream.events)]
        if not ok or answer is None:
            return [_told(exchange, "POST", target, request, error(exchange.response))]
        run_obj = run(answer)
        if run_obj["id"] in streamed_runs:
            return [_told(exchange, "POST", target, request, None)]
        reply = _answer(run_obj, answer.get("final_answer"))
        told_run = _told(exchange, "POST", target, request, run_obj)
        if reply is None:
            return [told_run]
        retrieval = f"/threads/{reply['thread_id']}/messages/{reply['id']}"
        return [told_run, RecordedExchange("GET", retrieval, None, 200, reply)]
    if path not in _ROUTES:
        return []
    method, target, read = _ROUTES[path]
    target = target.format(**{key: _str(body, key) for key in _ID_KEYS})
    request = _request_of(path, body)
    if not ok or answer is None:
        return [_told(exchange, method, target, request, error(exchange.response))]
    told = read(answer)
    if told.get("object") == "thread.run" and told["id"] in streamed_runs:
        return [_told(exchange, method, target, request, None)]
    return [_told(exchange, method, target, request, told)]


_ID_KEYS = ("assistant_id", "thread_id", "message_id", "run_id", "step_id", "file_id")


def _request_of(path: str, body: JSON) -> Any:
    """The Assistants request body of an AppBuilder one, where the conversion reads it."""
    if path == "/v2/threads":
        return {"messages": _messages(body)}
    if path == "/v2/threads/messages":
        return _message_request(body)
    if path == "/v2/threads/runs/submit_tool_outputs":
        outputs = body.get("tool_outputs")
        return {"tool_outputs": outputs if isinstance(outputs, list) else []}
    if path in ("/v2/assistants", "/v2/assistants/update"):
        return shapes.core_assistant_params(body)
    return None


Reading = Callable[[JSON], JSON]


def _listed(item: Reading) -> Reading:
    return lambda wire: listing(wire, item)


_ROUTES: dict[str, tuple[str, str, Reading]] = {
    "/v2/assistants": ("POST", "/assistants", assistant),
    "/v2/assistants/update": ("POST", "/assistants/{assistant_id}", assistant),
    "/v2/assistants/query": ("GET", "/assistants/{assistant_id}", assistant),
    "/v2/assistants/list": ("GET", "/assistants", _listed(assistant)),
    "/v2/assistants/delete": ("DELETE", "/assistants/{assistant_id}", deleted),
    "/v2/storage/files": ("POST", "/files", file),
    "/v2/storage/files/query": ("GET", "/files/{file_id}", file),
    "/v2/threads": ("POST", "/threads", thread),
    "/v2/threads/query": ("GET", "/threads/{thread_id}", thread),
    "/v2/threads/update": ("POST", "/threads/{thread_id}", thread),
    "/v2/threads/delete": ("DELETE", "/threads/{thread_id}", deleted),
    "/v2/threads/messages": ("POST", "/threads/{thread_id}/messages", message),
    "/v2/threads/messages/list": ("GET", "/threads/{thread_id}/messages", _listed(message)),
    "/v2/threads/messages/query": ("GET", "/threads/{thread_id}/messages/{message_id}", message),
    "/v2/threads/messages/update": ("POST", "/threads/{thread_id}/messages/{message_id}", message),
    "/v2/threads/runs/submit_tool_outputs": (
        "POST",
        "/threads/{thread_id}/runs/{run_id}/submit_tool_outputs",
        run,
    ),
    "/v2/threads/runs/cancel": ("POST", "/threads/{thread_id}/runs/{run_id}/cancel", run),
    "/v2/threads/runs/query": ("GET", "/threads/{thread_id}/runs/{run_id}", run),
    "/v2/threads/runs/list": ("GET", "/threads/{thread_id}/runs", _listed(run)),
}
"""Each AppBuilder path that tells something about the session: the Assistants method and path
it stands for (ids from the request body) and the reading of its answer. Steps, mounts and file
contents tell nothing a scenario keeps."""


@dataclass(frozen=True)
class _StreamReading:
    events: tuple[tuple[str, Any], ...]
    created_run: str | None


def read_exchanges(exchanges: Sequence[RecordedExchange]) -> list[list[RecordedExchange]]:
    """A recording's AppBuilder exchanges, each told as its Assistants exchanges (aligned)."""
    streams: dict[int, _StreamReading] = {}
    for index, exchange in enumerate(exchanges):
        if exchange.path == "/v2/threads/runs" and exchange.events is not None:
            reader = _StreamReader()
            streams[index] = _StreamReading(reader.read(exchange.events), reader.created_run)
    streamed = {found.created_run for found in streams.values() if found.created_run}
    return [
        _read_one(exchange, streams.get(index), streamed)
        for index, exchange in enumerate(exchanges)
    ]
