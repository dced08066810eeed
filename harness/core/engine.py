"""The lifecycle engine: plays a run's script, one step at a time.

Every change of a run goes through :meth:`RunEngine._enter`, which applies the step's effects
(messages, tool calls, timestamps, usage, errors) and emits the stream events that describe it.
Polling discards the events and counts observations; streaming sends them. So a polled run and a
streamed run of the same script tell the same story.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import jsonschema

from harness.clock import VirtualClock
from harness.core import file_parts, polling, search
from harness.core.file_records import StoredFile
from harness.core.http import Pause, SSEEvent
from harness.core.journal import Journal, Violation
from harness.core.objects import (
    JSON,
    file_object,
    message_object,
    run_step_object,
    text_content,
    usage_json,
)
from harness.core.png import tiny_png
from harness.core.polling import PollWatch
from harness.core.records import RunRecord
from harness.core.store import Store
from harness.core.tools import ArgumentFactory, ToolBinding, bind_tool_calls
from harness.errors import ApiError
from harness.ids import IdFactory
from harness.lifecycle import (
    POLL_STOP_STATUSES,
    RUN_STATUSES,
    STEP_STATUS_FOR_RUN_END,
    TERMINAL_STATUSES,
    TIMESTAMP_FIELD,
    ending,
)
from harness.scenario.model import (
    CitationSpec,
    CodeInterpreterSpec,
    ContractRules,
    FileSearchSpec,
    LastError,
    MessageSpec,
    OutputExpectation,
    StepSpec,
    Usage,
)

__all__ = ["Emitter", "RunEngine", "split_chunks"]

_EXPIRABLE = frozenset({"queued", "in_progress", "requires_action", "cancelling"})
_MESSAGE_REASON = {
    "max_completion_tokens": "max_tokens",
    "max_prompt_tokens": "max_tokens",
}
_DEFAULT_ERRORS = {
    "server_error": "Sorry, something went wrong.",
    "rate_limit_exceeded": "Rate limit reached. Please try again later.",
    "invalid_prompt": "The prompt was flagged as potentially violating our usage policy.",
}


@dataclass
class Emitter:
    """Collects the stream events of a change; a disabled one only counts observations."""

    journal: Journal
    streaming: bool = False
    items: list[SSEEvent | Pause] = field(default_factory=list)
    delay_ms: int = 0

    def emit(self, event: str, data: JSON) -> None:
        if not self.streaming:
            return
        if self.delay_ms and self.items:
            self.items.append(Pause(self.delay_ms))
        self.items.append(SSEEvent(event, copy.deepcopy(data)))

    def drain(self) -> list[SSEEvent | Pause]:
        """Hand the collected items to the stream; run statuses in them count as shown."""
        items, self.items = self.items, []
        for item in items:
            if isinstance(item, SSEEvent):
                prefix, _, status = item.event.rpartition(".")
                if prefix == "thread.run" and status in RUN_STATUSES:
                    self.journal.observe(item.data["id"], status)
        return items


def split_chunks(text: str, pieces: int = 3) -> tuple[str, ...]:
    """Split ``text`` at word boundaries into about ``pieces`` stream deltas."""
    words = re.findall(r"\S+\s*|\s+", text)
    if len(words) <= 1:
        return (text,) if text else ()
    size = max(1, -(-len(words) // pieces))
    return tuple("".join(words[i : i + size]) for i in range(0, len(words), size))


class RunEngine:
    """Moves runs through their scripts and keeps the client's contract."""

    def __init__(
        self,
        *,
        store: Store,
        ids: IdFactory,
        clock: VirtualClock,
        journal: Journal,
        contract: ContractRules,
        polls: PollWatch | None = None,
        arguments: ArgumentFactory | None = None,
        check_declared_tools: bool = True,
    ) -> None:
        self.store = store
        self.ids = ids
        self.clock = clock
        self.journal = journal
        self.contract = contract
        self.polls = polls
        """Where polling loops are detected; ``None`` turns the polling rules off."""
        self.arguments = arguments or ArgumentFactory()
        self.check_declared_tools = check_declared_tools
        """Report calls of functions the run did not declare (rule ``undeclared-tool``)."""

    # -- entry points -------------------------------------------------------------------

    def start(self, record: RunRecord, emit: Emitter) -> None:
        """A new run: announce it and enter its first step."""
        record.entered_ms = record.clock.now_ms()
        emit.emit("thread.run.created", record.obj)
        self._enter(record, 0, emit)
        self._shown(record, emit)

    def refresh(self, record: RunRecord, emit: Emitter, *, observed: bool = False) -> None:
        """Apply what virtual time alone decides: expiry and timed steps. ``observed``: a
        request about this very run, which counts one tick of its time (as if the client had
        waited); nothing else moves a run's time but explicit clock moves."""
        if observed and not record.streaming:
            record.clock.observe()
        while True:
            if self._expire_if_due(record, emit):
                return
            step = record.step
            if (
                step.after_ms is not None
                and self._can_advance(record)
                and record.clock.now_ms() - record.entered_ms >= step.after_ms
            ):
                self._enter(record, record.index + 1, emit)
                continue
            return

    def observe(self, record: RunRecord, emit: Emitter, *, request: str, caller: str = "") -> JSON:
        """A retrieval: one tick of the run's time passes, it advances by time and by poll
        count, then it is shown."""
        self.refresh(record, emit, observed=True)
        step = record.step
        if (
            not record.streaming
            and step.after_ms is None
            and record.views >= (step.polls or 1)
            and self._can_advance(record)
        ):
            self._enter(record, record.index + 1, emit)
            self.refresh(record, emit)
        self._check_polling_loop(record, request, caller)
        self._shown(record, emit)
        return record.obj

    def play(self, record: RunRecord, emit: Emitter) -> Iterator[SSEEvent | Pause]:
        """Stream: play steps back to back until the run stops for the client or ends."""
        record.streaming = True
        try:
            yield from emit.drain()
            while self._can_advance(record):
                step = record.steps[record.index + 1]
                if record.step.after_ms:
                    record.clock.elapse(record.step.after_ms)
                if step.chunk_delay_ms:
                    # Wait before the step happens, so the world changes as the stream goes.
                    yield Pause(step.chunk_delay_ms)
                emit.delay_ms = step.chunk_delay_ms
                if self._expire_if_due(record, emit):
                    break
                self._enter(record, record.index + 1, emit)
                yield from emit.drain()
            yield from emit.drain()
        finally:
            record.streaming = False
            emit.delay_ms = 0

    def submit_tool_outputs(
        self,
        record: RunRecord,
        outputs: list[JSON],
        emit: Emitter,
        *,
        request: str,
        check_ids: bool = True,
    ) -> None:
        """Accept the tool outputs of a ``requires_action`` run and move on."""
        self.refresh(record, emit, observed=True)
        if record.status != "requires_action":
            raise ApiError(400, f'Runs in status "{record.status}" do not accept tool outputs.')
        expected = [call["id"] for call in record.pending_calls]
        given = [str(output.get("tool_call_id")) for output in outputs]
        if check_ids and sorted(expected) != sorted(given):
            raise ApiError(400, f"Expected tool outputs for call_ids {expected}, got {given}")
        by_id = {str(output["tool_call_id"]): output.get("output") for output in outputs}
        self._check_outputs(record, by_id, request)
        if record.tool_step_id is not None:
            tool_step = self.store.steps.get(record.tool_step_id)
            if tool_step is not None:
                for call in tool_step["step_details"]["tool_calls"]:
                    call["function"]["output"] = by_id.get(call["id"])
                self._finish_step(tool_step, "completed", emit, record.step.usage)
        record.obj["required_action"] = None
        record.pending_calls = []
        record.tool_step_id = None
        if record.index + 1 >= len(record.steps):
            raise ApiError(500, "The scenario has no step after this requires_action.")
        self._enter(record, record.index + 1, emit)
        self._shown(record, emit)

    def cancel(self, record: RunRecord, emit: Emitter) -> None:
        """Start the script's cancellation story (``cancelling › cancelled`` by default)."""
        self.refresh(record, emit, observed=True)
        if record.status in TERMINAL_STATUSES:
            raise ApiError(400, f"Cannot cancel run with status '{record.status}'.")
        if record.status != "cancelling":
            # A cancelled tool call no longer waits for outputs.
            record.obj["required_action"] = None
            record.pending_calls = []
            record.steps = (*record.steps[: record.index + 1], *record.script.on_cancel)
            self._enter(record, record.index + 1, emit)
        self._shown(record, emit)

    def abandon(self, record: RunRecord) -> None:
        """End an unfinished run ``expired`` at once, as if its time ran out while nobody
        looked: no events, no coverage (``AssistantsAPI.play`` clears the stage with it)."""
        run = record.obj
        run["status"] = "expired"
        run["expires_at"] = None
        run["required_action"] = None
        record.pending_calls = []
        record.steps = (*record.steps[: record.index + 1], StepSpec("expired"))
        record.index += 1

    def active_run(self, thread_id: str) -> RunRecord | None:
        """The run that locks ``thread_id``, after applying expiry."""
        for record in self.store.runs.group(thread_id):
            self.refresh(record, Emitter(self.journal))
            if record.status not in TERMINAL_STATUSES:
                return record
        return None

    # -- moving between steps -------------------------------------------------------------

    def _can_advance(self, record: RunRecord) -> bool:
        return record.status not in POLL_STOP_STATUSES and record.index + 1 < len(record.steps)

    def _shown(self, record: RunRecord, emit: Emitter) -> None:
        record.views += 1
        if not emit.streaming:
            self.journal.observe(record.id, record.status)

    def _expire_if_due(self, record: RunRecord, emit: Emitter) -> bool:
        expires_at = record.obj.get("expires_at")
        if (
            record.status in _EXPIRABLE
            and expires_at is not None
            and record.clock.now_ms() >= expires_at * 1000
        ):
            record.steps = (*record.steps[: record.index + 1], StepSpec("expired"))
            self._enter(record, record.index + 1, emit)
            return True
        return False

    def _enter(self, record: RunRecord, index: int, emit: Emitter) -> None:
        step = record.steps[index]
        binding: ToolBinding | None = None
        if step.status == "requires_action":
            binding = self._bind(record, step)
            if not binding.calls:
                self._skip_tool_round(record, index, emit)
                return
        run = record.obj
        now = record.clock.now()
        before = record.steps[record.index].status if index > 0 else None
        self.journal.coverage.entered(before, step.status)
        record.index = index
        record.views = 0
        record.entered_ms = record.clock.now_ms()
        status = step.status
        for activity in step.activity:
            if isinstance(activity, MessageSpec):
                self._post_message(record, activity, step, emit)
            elif isinstance(activity, FileSearchSpec):
                self._search_files(record, activity, emit)
            else:
                self._run_code(record, activity, emit)
        if binding is not None:
            self._require_action(record, binding, emit)
        if step.expires_after_s is not None:
            run["expires_at"] = now + step.expires_after_s
        stamp = TIMESTAMP_FIELD.get(status)
        if stamp is not None and (status == "in_progress" or run.get(stamp) is None):
            run[stamp] = now
        if status in TERMINAL_STATUSES:
            self._end(record, step, emit)
        run["status"] = status
        emit.emit(f"thread.run.{status}", run)

    def _end(self, record: RunRecord, step: StepSpec, emit: Emitter) -> None:
        run = record.obj
        status = step.status
        run["expires_at"] = None
        run["required_action"] = None
        record.pending_calls = []
        if status == "failed":
            error = step.last_error or LastError("server_error", _DEFAULT_ERRORS["server_error"])
            run["last_error"] = {"code": error.code, "message": error.message}
        if status == "incomplete":
            run["incomplete_details"] = {
                "reason": step.incomplete_reason or "max_completion_tokens"
            }
        detail = (run.get("last_error") or {}).get("code") if status == "failed" else None
        if status == "incomplete":
            detail = run["incomplete_details"]["reason"]
        self.journal.coverage.hit("endings", ending(status, detail))
        usage = step.usage or Usage()
        run["usage"] = usage_json(usage)
        step_status = STEP_STATUS_FOR_RUN_END[status]
        for step_id in list(record.open_step_ids):
            open_step = self.store.steps.get(step_id)
            if open_step is not None:
                self._finish_step(open_step, step_status, emit, None, record)

    def _finish_step(
        self,
        step: JSON,
        status: str,
        emit: Emitter,
        usage: Usage | None,
        record: RunRecord | None = None,
    ) -> None:
        run = self.store.runs.get(step["run_id"])
        now = run.clock.now() if run is not None else self.clock.now()
        step["status"] = status
        field_name = {"completed": "completed_at", "failed": "failed_at"}.get(
            status, f"{status}_at"
        )
        step[field_name] = now
        if status == "failed" and record is not None:
            step["last_error"] = record.obj.get("last_error")
        step["usage"] = usage_json(usage or Usage())
        if run is not None and step["id"] in run.open_step_ids:
            run.open_step_ids.remove(step["id"])
        emit.emit(f"thread.run.step.{status}", step)

    def _new_step(self, record: RunRecord, details: JSON, emit: Emitter) -> JSON:
        step = run_step_object(
            id=self.ids.new("run_step"),
            created_at=record.clock.now(),
            run=record.obj,
            step_details=details,
        )
        self.store.steps.put(step["id"], step)
        record.open_step_ids.append(step["id"])
        emit.emit("thread.run.step.created", step)
        emit.emit("thread.run.step.in_progress", step)
        return step

    def _post_message(
        self, record: RunRecord, spec: MessageSpec, step: StepSpec, emit: Emitter
    ) -> None:
        run = record.obj
        now = record.clock.now()
        message = message_object(
            id=self.ids.new("message"),
            created_at=now,
            thread_id=run["thread_id"],
            role="assistant",
            content=[],
            status="in_progress",
            assistant_id=run["assistant_id"],
            run_id=run["id"],
        )
        details = {"type": "message_creation", "message_creation": {"message_id": message["id"]}}
        self.journal.coverage.hit("step_types", "message_creation")
        run_step = self._new_step(record, details, emit)
        self.store.messages.put(message["id"], message)
        emit.emit("thread.message.created", message)
        emit.emit("thread.message.in_progress", message)
        value, citations = file_parts.message_text(spec, record)
        notes = file_parts.annotation_json(
            value, citations, lambda citation: self._cited_file(record, citation)
        )
        images = [file_parts.image_part(file_id) for file_id in record.unshown_images]
        record.unshown_images = []
        for index, image in enumerate(images):
            self._message_delta(emit, message["id"], {"index": index, **image})
        offset = 0
        pending = list(enumerate(notes))
        chunks = spec.chunks if spec.chunks and not spec.quote_search else split_chunks(value)
        for number, chunk in enumerate(chunks):
            text: JSON = {"value": chunk}
            offset += len(chunk)
            due = [(i, note) for i, note in pending if note["end_index"] <= offset]
            pending = [(i, note) for i, note in pending if note["end_index"] > offset]
            if number == 0 or due:
                text["annotations"] = [{"index": i, **note} for i, note in due]
            self._message_delta(
                emit, message["id"], {"index": len(images), "type": "text", "text": text}
            )
        block = text_content(value)
        block["text"]["annotations"] = notes
        message["content"] = [*images, block]
        if step.status == "incomplete" or step.status in {"failed", "cancelled", "expired"}:
            reason = _MESSAGE_REASON.get(step.incomplete_reason or "", "max_tokens")
            if step.status != "incomplete":
                reason = f"run_{step.status}"
            message["status"] = "incomplete"
            message["incomplete_at"] = now
            message["incomplete_details"] = {"reason": reason}
            emit.emit("thread.message.incomplete", message)
        else:
            message["status"] = "completed"
            message["completed_at"] = now
            emit.emit("thread.message.completed", message)
        self._finish_step(run_step, "completed", emit, step.usage)

    def _run_code(self, record: RunRecord, spec: CodeInterpreterSpec, emit: Emitter) -> None:
        call_id = spec.id or self.ids.new("tool_call")
        self.journal.coverage.hit("step_types", "tool_calls/code_interpreter")
        step = self._new_step(record, {"type": "tool_calls", "tool_calls": []}, emit)
        deltas: list[JSON] = [{"id": call_id, "code_interpreter": {"input": "", "outputs": []}}]
        deltas += [
            {"code_interpreter": {"input": piece}}
            for piece in (spec.chunks or split_chunks(spec.input))
        ]
        outputs: list[JSON] = []
        if spec.logs is not None:
            outputs = [{"type": "logs", "logs": spec.logs}]
        for name in spec.images:
            image = self._write_file(record, name, tiny_png(f"{record.id}/{name}"))
            record.unshown_images.append(image.id)
            outputs.append({"type": "image", "image": {"file_id": image.id}})
        for written in spec.files:
            record.written_files[written.name] = self._write_file(
                record, written.name, written.content.encode()
            ).id
        for index, output in enumerate(outputs):
            deltas.append({"code_interpreter": {"outputs": [{"index": index, **output}]}})
        for delta in deltas:
            emit.emit(
                "thread.run.step.delta",
                {
                    "id": step["id"],
                    "object": "thread.run.step.delta",
                    "delta": {
                        "step_details": {
                            "type": "tool_calls",
                            "tool_calls": [{"index": 0, "type": "code_interpreter", **delta}],
                        }
                    },
                },
            )
        step["step_details"]["tool_calls"] = [
            {
                "id": call_id,
                "type": "code_interpreter",
                "code_interpreter": {"input": spec.input, "outputs": outputs},
            }
        ]
        self._finish_step(step, "completed", emit, None)

    def _search_files(self, record: RunRecord, spec: FileSearchSpec, emit: Emitter) -> None:
        call_id = spec.id or self.ids.new("tool_call")
        self.journal.coverage.hit("step_types", "tool_calls/file_search")
        step = self._new_step(record, {"type": "tool_calls", "tool_calls": []}, emit)
        emit.emit(
            "thread.run.step.delta",
            {
                "id": step["id"],
                "object": "thread.run.step.delta",
                "delta": {
                    "step_details": {
                        "type": "tool_calls",
                        "tool_calls": [
                            {"index": 0, "type": "file_search", "id": call_id, "file_search": {}}
                        ],
                    }
                },
            },
        )
        found = self._search(record, spec)
        record.search_results.extend(
            {"file_id": p.file.id, "file_name": p.file.filename, "text": p.text} for p in found
        )
        step["step_details"]["tool_calls"] = [
            {
                "id": call_id,
                "type": "file_search",
                "file_search": {
                    "ranking_options": {"ranker": "default_2024_08_21", "score_threshold": 0.0},
                    "results": [
                        {
                            "file_id": p.file.id,
                            "file_name": p.file.filename,
                            "score": p.score,
                            "content": [{"type": "text", "text": p.text}],
                        }
                        for p in found
                    ],
                },
            }
        ]
        self._finish_step(step, "completed", emit, None)

    def _search(self, record: RunRecord, spec: FileSearchSpec) -> list[search.Passage]:
        query = spec.query if spec.query is not None else self._last_user_text(record.thread_id)
        if spec.results:
            found: list[search.Passage] = []
            for result in spec.results:
                file = self._named_file(result.file)
                if file is None:
                    raise ApiError(
                        500,
                        f"The scenario's file_search result names {result.file!r}, "
                        "which is no stored file.",
                    )
                text = result.text
                if text is None:
                    best = search.search(query, [file], limit=1)
                    text = best[0].text if best else ""
                found.append(search.Passage(file, text, result.score))
            return found
        limit = 20
        for tool in record.obj["tools"]:
            if tool.get("type") == "file_search":
                limit = (tool.get("file_search") or {}).get("max_num_results") or limit
        files = self.searchable_files(record.obj["assistant_id"], record.thread_id)
        return search.search(query, files, limit=limit)

    def searchable_files(self, assistant_id: str, thread_id: str) -> list[StoredFile]:
        """The ingested files of the vector stores an assistant and a thread use."""
        store_ids: list[str] = []
        for owner in (self.store.assistants.get(assistant_id), self.store.threads.get(thread_id)):
            resources = owner.get("tool_resources") if owner else None
            store_ids += file_parts.tool_file_ids(resources, "file_search", "vector_store_ids")
        files: list[StoredFile] = []
        for store_id in store_ids:
            vector_store = self.store.vector_stores.get(store_id)
            for key in vector_store.file_keys if vector_store is not None else ():
                vs_file = self.store.vector_store_files.get(key)
                file = self.store.files.get(key.partition("/")[2])
                if (
                    vs_file is not None
                    and _will_be_searchable(vs_file.status, vs_file.script.status)
                    and file is not None
                    and file not in files
                ):
                    files.append(file)
        return files

    def _last_user_text(self, thread_id: str) -> str:
        messages = [m for m in self.store.messages.group(thread_id) if m["role"] == "user"]
        if not messages:
            return ""
        return " ".join(
            block["text"]["value"] for block in messages[-1]["content"] if block["type"] == "text"
        )

    def _named_file(self, name: str) -> StoredFile | None:
        by_id = self.store.files.get(name)
        if by_id is not None:
            return by_id
        named = self.store.files.where(lambda f: f.filename == name)
        return named[-1] if named else None

    def _cited_file(self, record: RunRecord, citation: CitationSpec) -> str:
        if citation.kind == "file_path":
            file_id = record.written_files.get(citation.file or "")
            named = self._named_file(citation.file) if citation.file else None
            if file_id is None and named is not None:
                file_id = named.id
        else:
            results = [
                r["file_id"]
                for r in record.search_results
                if citation.file in (None, r["file_id"], r["file_name"])
            ]
            file_id = results[0] if results else None
        if file_id is None:
            raise ApiError(
                500,
                f"The scenario's {citation.kind} names {citation.file!r}, which the run neither "
                "found with file_search nor wrote with code_interpreter.",
            )
        return file_id

    def _write_file(self, record: RunRecord, name: str, content: bytes) -> StoredFile:
        """A file the run's code_interpreter produced (purpose ``assistants_output``), stamped
        on the run's own clock like the rest of what the run makes."""
        obj = file_object(
            id=self.ids.new("file"),
            created_at=record.clock.now(),
            filename=name,
            purpose="assistants_output",
            size=len(content),
            expires_at=None,
        )
        return self.store.files.put(obj["id"], StoredFile(obj, content))

    @staticmethod
    def _message_delta(emit: Emitter, message_id: str, part: JSON) -> None:
        emit.emit(
            "thread.message.delta",
            {"id": message_id, "object": "thread.message.delta", "delta": {"content": [part]}},
        )

    def _bind(self, record: RunRecord, step: StepSpec) -> ToolBinding:
        """The step's calls bound to the run's declared tools, with what that reports."""
        binding = bind_tool_calls(step.tool_calls, record.obj.get("tools") or (), self.arguments)
        for note in binding.notes:
            self.journal.note(f"{record.id}: {note}")
        if self.check_declared_tools:
            declared = binding.declared
            for name in binding.undeclared:
                self.journal.violate(
                    Violation(
                        "undeclared-tool",
                        f"the run is made to call function {name!r}, which it does not declare "
                        f"(its function tools: {', '.join(declared) or 'none'}); a model "
                        "only calls declared functions: declare it in the assistant's or the "
                        "run's tools, force only a declared function with tool_choice, or write "
                        "'declared' in the scenario",
                        f"run {record.id}",
                        record.id,
                    )
                )
        return binding

    def _skip_tool_round(self, record: RunRecord, index: int, emit: Emitter) -> None:
        """A ``declared`` tool round in a run without function tools: a model would not have
        called anything, so the run goes on to what follows the round."""
        self.journal.note(
            f"{record.id}: the scripted tool round was skipped: the run declares no function "
            "tools to call"
        )
        following = list(record.steps[index + 1 :])
        if following and following[0].status == "queued" and record.status != "queued":
            following.pop(0)  # the queue the tool outputs would have sent the run back to
        if not following:
            following = [StepSpec("completed", activity=(MessageSpec("Done."),))]
        record.steps = (*record.steps[:index], *following)
        self._enter(record, index, emit)

    def _require_action(self, record: RunRecord, binding: ToolBinding, emit: Emitter) -> None:
        calls: list[JSON] = [
            {
                "id": call.id or self.ids.new("tool_call"),
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments},
            }
            for call in binding.calls
        ]
        self.journal.coverage.hit("step_types", "tool_calls/function")
        self.journal.mark(
            record.id, "tool_calls", ", ".join(call["function"]["name"] for call in calls)
        )
        tool_step = self._new_step(record, {"type": "tool_calls", "tool_calls": []}, emit)
        for index, call in enumerate(calls):
            emit.emit(
                "thread.run.step.delta",
                _tool_delta(tool_step["id"], index, call["id"], call["function"]["name"], ""),
            )
            for piece in _split_arguments(call["function"]["arguments"]):
                emit.emit(
                    "thread.run.step.delta", _tool_delta(tool_step["id"], index, None, None, piece)
                )
        tool_step["step_details"]["tool_calls"] = [
            {**call, "function": {**call["function"], "output": None}} for call in calls
        ]
        record.tool_step_id = tool_step["id"]
        record.pending_calls = calls
        record.obj["required_action"] = {
            "type": "submit_tool_outputs",
            "submit_tool_outputs": {"tool_calls": copy.deepcopy(calls)},
        }

    # -- the client's side of the contract --------------------------------------------------

    def _check_outputs(self, record: RunRecord, outputs: dict[str, object], request: str) -> None:
        names = {call["id"]: call["function"]["name"] for call in record.pending_calls}
        for expectation in record.step.expect_outputs:
            for call_id, name in names.items():
                if expectation.tool not in (None, name, call_id):
                    continue
                problem = _output_problem(expectation, outputs.get(call_id))
                if problem:
                    self.journal.violate(
                        Violation(
                            "tool-outputs",
                            f"output for {name} ({call_id}) {problem}",
                            request,
                            record.id,
                        )
                    )

    def _check_polling_loop(self, record: RunRecord, request: str, caller: str) -> None:
        """Break a polling loop that can never end: the same caller retrieving a run it was
        already shown finished, or waiting for tool outputs, again and again (nothing else
        from that caller between). Violation once per loop; 400 past the limit, so the
        client fails instead of hanging."""
        if self.polls is None or record.views < 1:
            return
        status = record.status
        if status in TERMINAL_STATUSES:
            limit = self.contract.max_polls_after_terminal
        elif status == "requires_action" and record.pending_calls:
            limit = self.contract.max_polls_requires_action
        else:
            return
        count = self.polls.repeat(caller, record.id, status)
        if count <= limit:
            return
        if status == "requires_action":
            rule, code = "poll-requires-action", "poll_requires_action"
            found, error = polling.requires_action_unanswered(
                record.id, record.pending_calls, count, limit
            )
        else:
            rule, code = "poll-after-terminal", "poll_after_terminal"
            found, error = polling.after_terminal(record.obj, count, limit)
        if count == limit + 1:
            self.journal.violate(Violation(rule, found, request, record.id))
        raise ApiError(400, error, type="harness_contract_violation", code=code)


def _will_be_searchable(status: str, outcome: str) -> bool:
    """Ingested, or on its way to it: a run waits for its stores as the real API's did."""
    return status == "completed" or (status == "in_progress" and outcome == "completed")


def _output_problem(expectation: OutputExpectation, output: object) -> str | None:
    if not isinstance(output, str):
        return "is missing"
    if expectation.output_matches is not None and not re.search(expectation.output_matches, output):
        return f"{output!r} does not match /{expectation.output_matches}/"
    if expectation.output_schema is not None:
        try:
            value = json.loads(output)
        except ValueError:
            return f"{output!r} is not JSON, but the scenario expects a JSON Schema match"
        error = jsonschema.exceptions.best_match(
            jsonschema.Draft202012Validator(expectation.output_schema).iter_errors(value)
        )
        if error is not None:
            return f"{output!r} breaks the expected schema: {error.message}"
    return None


def _tool_delta(
    step_id: str, index: int, call_id: str | None, name: str | None, arguments: str
) -> JSON:
    call: JSON = {"index": index, "type": "function"}
    function: JSON = {"arguments": arguments}
    if call_id is not None:
        call["id"] = call_id
        function = {"name": name, "arguments": arguments, "output": None}
    call["function"] = function
    return {
        "id": step_id,
        "object": "thread.run.step.delta",
        "delta": {"step_details": {"type": "tool_calls", "tool_calls": [call]}},
    }


def _split_arguments(arguments: str, size: int = 8) -> list[str]:
    return [arguments[i : i + size] for i in range(0, len(arguments), size)]
