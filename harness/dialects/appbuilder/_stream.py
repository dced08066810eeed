"""AppBuilder's run stream, told from the core's OpenAI-shaped event stream.

AppBuilder streams ``event: status`` and ``event: message`` frames and no ``[DONE]``: the stream
ends when the connection closes. Unlike OpenAI's, the stream stays open at ``requires_action``:
the client submits its tool outputs on a second connection and the same stream goes on. So at
``requires_action`` this stream waits (yielding :class:`~harness.dialects.base.Waiting`) until a
handoff arrives (the continuation stream of the core's submit) or the run moves without one
(cancelled, expired).
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from typing import Any

from harness.core import Cut, Pause, SSEEvent, StreamBody
from harness.dialects.appbuilder import _shapes as shapes
from harness.dialects.appbuilder._state import DialectState
from harness.dialects.base import CoreCaller, Waiting, checked
from harness.lifecycle import POLL_STOP_STATUSES, TERMINAL_STATUSES

__all__ = ["Handoff", "RunStream"]

JSON = dict[str, Any]

_WAIT_MS = 5
_MAX_CATCH_UP_POLLS = 100


@dataclass
class Handoff:
    """Where a submit on another connection leaves the run's continuation for the open stream."""

    stream: StreamBody | None = None
    outputs: dict[str, str] = field(default_factory=dict)


@dataclass
class RunStream:
    """One AppBuilder run stream over one or more core streams of the same run."""

    caller: CoreCaller
    state: DialectState
    """The dialect's state: its open streams by run id are shared with its submit endpoint."""
    send_id: int = 0
    run: JSON = field(default_factory=dict)
    texts: dict[str, list[str]] = field(default_factory=dict)
    last_message_id: str = ""

    def play(self, core: StreamBody) -> Iterator[SSEEvent | Pause | Cut]:
        yield from self._translate(core)
        while self.run.get("status") == "requires_action":
            handoff = Handoff()
            run_id = str(self.run["id"])
            self.state.waiting[run_id] = handoff
            try:
                continuation = yield from self._wait(handoff)
            finally:
                self.state.waiting.pop(run_id, None)
            if continuation is not None:
                calls = (self.run.get("required_action") or {}).get("submit_tool_outputs") or {}
                self.run = {**self.run, "required_action": None, "status": "in_progress"}
                yield self._status(
                    "tool_submitted_output",
                    {
                        "type": "tool_calls",
                        "tool_calls": shapes.tool_calls(
                            calls.get("tool_calls") or (), handoff.outputs
                        ),
                    },
                )
                yield from self._translate(continuation)
            else:
                yield from self._catch_up()

    # -- waiting at requires_action -------------------------------------------------------

    def _wait(self, handoff: Handoff) -> Generator[Waiting, None, StreamBody | None]:
        """Wait for the submit's continuation; ``None`` when the run moved without one."""
        api = self.caller.api
        run_id = str(self.run["id"])
        expires_at = self.run.get("expires_at")
        while True:
            yield Waiting(_WAIT_MS)
            if handoff.stream is not None:
                return handoff.stream
            record = api.state.store.runs.get(run_id)
            if record is None or record.status != "requires_action":
                return None
            # Expiry is judged on the run's own time (other runs' traffic does not age it).
            if isinstance(expires_at, int) and record.clock.now_ms() >= expires_at * 1000:
                return None

    def _catch_up(self) -> Iterator[SSEEvent]:
        """Follow a run that moved on without this stream (cancel, expiry) to where it stops."""
        path = f"/threads/{self.run['thread_id']}/runs/{self.run['id']}"
        record = self.caller.api.state.store.runs.get(str(self.run["id"]))
        if record is not None and record.status != self.run.get("status"):
            # What moved the run (a cancel) has been seen by its caller; this stream tells it too.
            yield from self._run_event(f"thread.run.{record.status}", dict(record.obj))
        for _ in range(_MAX_CATCH_UP_POLLS):
            core = checked(self.caller.call("GET", path))
            if core.get("status") != self.run.get("status"):
                yield from self._run_event(f"thread.run.{core.get('status')}", core)
            self.run = core
            if core.get("status") in POLL_STOP_STATUSES:
                return

    # -- translation ----------------------------------------------------------------------

    def _translate(self, core: StreamBody) -> Iterator[SSEEvent | Pause | Cut]:
        for item in core:
            if not isinstance(item, SSEEvent):
                yield item
            elif item.event.startswith("thread.run.step."):
                yield from self._step_event(item.event, item.data)
            elif item.event.startswith("thread.run."):
                yield from self._run_event(item.event, item.data)
            elif item.event.startswith("thread.message."):
                yield from self._message_event(item.event, item.data)
            elif item.event == "error":
                yield self._status(
                    "error",
                    {"type": "error_info", "error_info": _error_info(item.data)},
                    status="failed",
                )
                return

    def _run_event(self, event: str, run: JSON) -> Iterator[SSEEvent]:
        self.run = dict(run)
        status = str(run.get("status", ""))
        if event == "thread.run.created":
            yield self._status(
                "run_begin", {"type": "run_object", "run_object": self.state.run(self.caller, run)}
            )
        elif status == "requires_action":
            calls = ((run.get("required_action") or {}).get("submit_tool_outputs") or {}).get(
                "tool_calls"
            ) or ()
            yield self._status(
                "tool_calls", {"type": "tool_calls", "tool_calls": shapes.tool_calls(calls)}
            )
        elif status == "cancelling":
            yield self._status(
                "run_cancelling",
                {"type": "run_object", "run_object": self.state.run(self.caller, run)},
            )
        elif status in TERMINAL_STATUSES:
            answer = None
            if status == "completed" and self.last_message_id:
                text = "".join(self.texts.get(self.last_message_id, ()))
                answer = shapes.final_answer(self.last_message_id, text)
            details: JSON = {
                "type": "run_object",
                "run_object": self.state.run(self.caller, run, answer=answer),
            }
            if isinstance(run.get("last_error"), dict):
                details["error_info"] = _error_info(run["last_error"])
            yield self._status("run_end", details)

    def _step_event(self, event: str, step: JSON) -> Iterator[SSEEvent]:
        if step.get("type") != "tool_calls" or event not in (
            "thread.run.step.created",
            "thread.run.step.completed",
        ):
            return
        kind = "tool_step_begin" if event.endswith("created") else "tool_step_end"
        yield self._status(kind, {"type": "run_step_object", "run_step_object": shapes.step(step)})

    def _message_event(self, event: str, data: JSON) -> Iterator[SSEEvent]:
        message_id = str(data.get("id", ""))
        if event == "thread.message.created" and data.get("role") == "assistant":
            self.last_message_id = message_id
            self.texts[message_id] = []
            yield self._status(
                "message_creation",
                {"type": "message_creation", "message_creation": {"message_id": message_id}},
            )
        elif event == "thread.message.delta":
            blocks = shapes.content(
                block for block in (data.get("delta") or {}).get("content") or ()
            )
            for block in blocks:
                self.texts.setdefault(message_id, []).append(block["text"]["value"])
            yield self._message(message_id, blocks, is_end=0)
        elif event == "thread.message.completed" and message_id in self.texts:
            yield self._message(message_id, [], is_end=1)

    def _status(self, event_type: str, details: JSON, *, status: str | None = None) -> SSEEvent:
        self.send_id += 1
        return SSEEvent(
            "status",
            {
                "event": "status",
                "status": status or str(self.run.get("status", "")),
                "send_id": self.send_id,
                "message": "",
                "event_type": event_type,
                "details": details,
            },
        )

    def _message(self, message_id: str, blocks: list[JSON], *, is_end: int) -> SSEEvent:
        self.send_id += 1
        return SSEEvent(
            "message",
            {
                "event": "message",
                "status": str(self.run.get("status", "")),
                "send_id": self.send_id,
                "is_end": is_end,
                "message_id": message_id,
                "message_index": "0",
                "content": blocks,
            },
        )


def _error_info(error: Any) -> JSON:
    error = error if isinstance(error, dict) else {}
    return {
        "type": str(error.get("code") or error.get("type") or ""),
        "message": str(error.get("message") or ""),
    }
