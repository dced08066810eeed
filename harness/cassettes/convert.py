"""Turn a recorded session into an editable scenario that no longer depends on recorded ids.

What the recording shows becomes the script: each run's status sequence with poll counts, the
tool calls it asked for, the messages and code it produced (with the recorded stream chunking),
usage, errors. Assistants the client used without creating them become seeds, with their ids
(the client's code names them); every other id is generated again when the scenario plays.

Every wire converts: a recording on a dialect's own wire (Baidu AppBuilder) is first read as
the Assistants exchanges it amounts to (:mod:`harness.cassettes._wires`), so the same scenario
comes out of the same session whichever SDK recorded it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from harness import lifecycle
from harness.cassettes import Cassette, Interaction, Request
from harness.cassettes._wires import on_assistants_wire
from harness.errors import CassetteError
from harness.surfaces import operation_of

__all__ = ["RecordedRun", "convert_cassette", "recorded_runs", "scenario_document"]

JSON = dict[str, Any]


@dataclass
class _Activity:
    kind: str
    """``message`` or ``code``."""
    chunks: list[str] = field(default_factory=list)
    text: str | None = None
    logs: str | None = None


@dataclass
class RecordedRun:
    """One run as the recording shows it."""

    id: str
    assistant_id: str
    streamed: bool = False
    statuses: list[str] = field(default_factory=list)
    snapshots: list[JSON] = field(default_factory=list)
    """The run object at each observation, in order."""
    activity: dict[int, list[_Activity]] = field(default_factory=dict)
    """Observation index → what happened just before it (messages, code)."""
    final_messages: list[str] = field(default_factory=list)
    citations: list[tuple[str, str]] = field(default_factory=list)
    """(annotated text, file id) of the file_citation annotations of its final messages."""


_Answer = tuple[str, str, list[tuple[str, str]]]
"""An assistant message: run id, text, and its (annotated text, file id) citations."""


def _events(interaction: Interaction) -> Iterator[tuple[str, Any]]:
    for event, data in interaction.response.sse_events():
        if data.startswith("[DONE]"):
            continue
        try:
            yield event, json.loads(data)
        except ValueError:
            continue


def recorded_runs(interactions: Iterable[Interaction]) -> list[RecordedRun]:
    """Every run of a recording, with what the client was shown of it, in order."""
    runs: dict[str, RecordedRun] = {}

    def observe(obj: JSON, streamed: bool) -> RecordedRun | None:
        if not (isinstance(obj.get("id"), str) and isinstance(obj.get("status"), str)):
            return None  # not a run the client could follow
        run = runs.get(obj["id"])
        if run is None:
            run = runs[obj["id"]] = RecordedRun(obj["id"], obj.get("assistant_id", ""), streamed)
        run.statuses.append(obj["status"])
        run.snapshots.append(obj)
        return run

    messages: dict[str, _Answer] = {}
    for interaction in interactions:
        response = interaction.response
        if response.is_sse:
            _read_stream(interaction, runs, observe, messages)
            continue
        body = response.json()
        if not isinstance(body, dict):
            continue
        if body.get("object") == "thread.run":
            observe(body, False)
        items = body.get("data") if body.get("object") == "list" else [body]
        for item in items or []:
            if isinstance(item, dict) and item.get("object") == "thread.message":
                _remember_message(item, messages)
    for run_id, text, citations in messages.values():
        if run_id in runs:
            runs[run_id].final_messages.append(text)
            runs[run_id].citations.extend(citations)
    return list(runs.values())


def _remember_message(item: JSON, messages: dict[str, _Answer]) -> None:
    if item.get("role") != "assistant" or not item.get("run_id"):
        return
    blocks = [
        block["text"]
        for block in item.get("content") or []
        if block.get("type") == "text" and isinstance(block.get("text"), dict)
    ]
    text = "".join(block["value"] for block in blocks)
    citations = [
        (note["text"], note["file_citation"]["file_id"])
        for block in blocks
        for note in block.get("annotations") or []
        if note.get("type") == "file_citation" and isinstance(note.get("file_citation"), dict)
    ]
    if text:
        messages[item["id"]] = (item["run_id"], text, citations)


def _read_stream(
    interaction: Interaction,
    runs: dict[str, RecordedRun],
    observe: Any,
    messages: dict[str, _Answer],
) -> None:
    pending: list[_Activity] = []
    current: _Activity | None = None
    for event, data in _events(interaction):
        if (
            event.startswith("thread.run.")
            and "step" not in event
            and event != "thread.run.created"
        ):
            run = observe(data, True) if isinstance(data, dict) else None
            if run is not None and pending:
                run.activity[len(run.statuses) - 1] = pending
                pending = []
        elif event == "thread.message.created":
            current = _Activity("message")
            pending.append(current)
        elif event == "thread.message.delta" and current is not None:
            for part in data.get("delta", {}).get("content") or []:
                if part.get("type") == "text":
                    current.chunks.append((part.get("text") or {}).get("value") or "")
        elif event in ("thread.message.completed", "thread.message.incomplete"):
            if current is not None:
                current.text = "".join(
                    block["text"]["value"]
                    for block in data.get("content") or []
                    if block.get("type") == "text"
                )
            _remember_message(data, messages)
        elif event == "thread.run.step.delta":
            for call in data["delta"].get("step_details", {}).get("tool_calls") or []:
                if call.get("type") != "code_interpreter":
                    continue
                code = call.get("code_interpreter") or {}
                if "id" in call:
                    current = _Activity("code")
                    pending.append(current)
                if current is None or current.kind != "code":
                    continue
                if code.get("input"):
                    current.chunks.append(code["input"])
                for output in code.get("outputs") or []:
                    if output.get("type") == "logs":
                        current.logs = (current.logs or "") + (output.get("logs") or "")


_NATURAL_ORDER = [
    "in_progress",
    "completed",
    "queued",
    "requires_action",
    "incomplete",
    "failed",
    "cancelling",
    "cancelled",
    "expired",
]
_UNKNOWN_INSTRUCTIONS = "(instructions not in the recording)"


def _way(start: str, goal: str) -> list[str]:
    """The statuses strictly between ``start`` and ``goal`` on the shortest legal way a run
    normally goes (through ``cancelling`` only when there is no other); ``[]`` when none."""
    for avoided in ({"cancelling"}, set()):
        paths = [[start]]
        while paths:
            path = paths.pop(0)
            for status in sorted(lifecycle.TRANSITIONS[path[-1]], key=_NATURAL_ORDER.index):
                if status == goal:
                    return path[1:]
                if status in path or status in avoided or lifecycle.is_terminal(status):
                    continue
                paths.append([*path, status])
    return []


_FIRST_STATUSES = ("queued", "in_progress", "cancelling")
"""Where a scenario's run may start (``in_progress`` after an implicit ``queued``)."""


def _beginning(first: str) -> list[str]:
    """The way from ``queued`` to ``first``, for runs first seen after they began (AppBuilder's
    ``runs.run`` answers once the run stops for the client)."""
    return [] if first in _FIRST_STATUSES else ["queued", *_way("queued", first)]


def _unseen(before: str, after: str) -> list[str]:
    """The statuses a run must have passed between two observations the client was shown."""
    implicit_queue = before == "requires_action" and after == "in_progress"
    if before == after or implicit_queue or lifecycle.is_legal(before, after):
        return []
    return _way(before, after)


def _completion(last: str) -> list[str]:
    """The shortest legal way from ``last`` to an end, for runs recorded only part way."""
    if lifecycle.is_terminal(last) or last == "requires_action":
        return []
    return [*_way(last, "completed"), "completed"]


def _file_names(cassette: Cassette) -> dict[str, str]:
    """File id → name, from the recorded uploads (and retrievals) of the Files API."""
    names: dict[str, str] = {}
    for interaction in cassette.interactions:
        body = interaction.response.json()
        items = (
            body.get("data") if isinstance(body, dict) and body.get("object") == "list" else [body]
        )
        for item in items or []:
            if isinstance(item, dict) and item.get("object") == "file" and "filename" in item:
                names[item["id"]] = item["filename"]
    return names


def _cited_answer(run: RecordedRun, file_names: dict[str, str]) -> list[JSON]:
    """A file_search that finds the cited files, then the answers with their citations."""
    files = list(dict.fromkeys(file_names.get(file_id, file_id) for _, file_id in run.citations))
    messages: list[JSON] = []
    for text in run.final_messages:
        citations = [
            {"text": marker, "file": file_names.get(file_id, file_id)}
            for marker, file_id in run.citations
            if marker in text
        ]
        messages.append({"message": {"text": text, "citations": citations} if citations else text})
    return [{"file_search": {"results": [{"file": name} for name in files]}}, *messages]


def _steps(run: RecordedRun, file_names: dict[str, str] | None = None) -> list[Any]:
    steps: list[Any] = list(_beginning(run.statuses[0]))
    index = 0
    while index < len(run.statuses):
        status = run.statuses[index]
        count = 1
        if not run.streamed:
            while index + count < len(run.statuses) and run.statuses[index + count] == status:
                count += 1
        snapshot = run.snapshots[index + count - 1]
        step: JSON = {"status": status}
        if count > 1:
            step["polls"] = count
        if status == "requires_action":
            calls = ((snapshot.get("required_action") or {}).get("submit_tool_outputs") or {}).get(
                "tool_calls"
            ) or []
            step["tool_calls"] = [
                {"name": c["function"]["name"], "arguments": c["function"].get("arguments", "{}")}
                for c in calls
                if c.get("type") == "function"
            ]
        activity = run.activity.get(index)
        if activity:
            step["activity"] = [_activity_entry(item) for item in activity]
        elif status in ("completed", "incomplete") and run.final_messages and not run.streamed:
            if run.citations:
                step["activity"] = _cited_answer(run, file_names or {})
            else:
                step["messages"] = list(run.final_messages)
        if status == "failed" and snapshot.get("last_error"):
            error = snapshot["last_error"]
            step["last_error"] = {"code": error["code"], "message": error.get("message", "")}
        if status == "incomplete" and snapshot.get("incomplete_details"):
            step["incomplete_details"] = {"reason": snapshot["incomplete_details"]["reason"]}
        usage = snapshot.get("usage")
        if status in ("completed", "incomplete", "failed") and isinstance(usage, dict):
            step["usage"] = {
                "prompt_tokens": usage.get("prompt_tokens", 0),
                "completion_tokens": usage.get("completion_tokens", 0),
            }
        if index:
            steps.extend(_unseen(run.statuses[index - 1], status))
        steps.append(step if len(step) > 1 else status)
        index += count
    steps.extend(_completion(run.statuses[-1]))
    return steps


def _activity_entry(item: _Activity) -> JSON:
    if item.kind == "message":
        text = item.text if item.text is not None else "".join(item.chunks)
        return {"message": {"text": text, "chunks": item.chunks or [text]}}
    code: JSON = {"input": "".join(item.chunks)}
    if item.chunks:
        code["chunks"] = item.chunks
    if item.logs is not None:
        code["logs"] = item.logs
    return {"code_interpreter": code}


def _operation_path(request: Request) -> str | None:
    """The Assistants operation path (``/threads/…``) on any known surface, or None."""
    found = operation_of(request.method, request.uri)
    return None if found is None else found.path


_THREAD_IN_PATH = re.compile(r"^/threads/(thread_[A-Za-z0-9]+)")


def _created_ids(cassette: Cassette) -> set[str]:
    """Ids the recorded client got from creating objects (these are generated again)."""
    created: set[str] = set()
    for interaction in cassette.interactions:
        request = interaction.request
        if request.method != "POST" or interaction.response.is_sse:
            if interaction.response.is_sse:
                for event, data in _events(interaction):
                    if event == "thread.created" and isinstance(data, dict):
                        created.add(data["id"])
            continue
        body = interaction.response.json()
        if not isinstance(body, dict) or "id" not in body:
            continue
        operation = _operation_path(request)
        if operation in ("/assistants", "/threads", "/threads/runs"):
            created.add(body["id"])
        if body.get("object") == "thread.run" and operation == "/threads/runs":
            created.add(body.get("thread_id", ""))
    return created


def _seed_threads(cassette: Cassette, created: set[str]) -> list[JSON]:
    used = {
        match.group(1)
        for interaction in cassette.interactions
        if (match := _THREAD_IN_PATH.match(_operation_path(interaction.request) or ""))
    }
    return [{"id": thread_id} for thread_id in sorted(used - created)]


def _seed_assistants(cassette: Cassette, runs: list[RecordedRun], created: set[str]) -> list[JSON]:
    known: dict[str, JSON] = {}
    referenced: set[str] = set()
    for interaction in cassette.interactions:
        request_body = interaction.request.json()
        if isinstance(request_body, dict) and isinstance(request_body.get("assistant_id"), str):
            referenced.add(request_body["assistant_id"])
        if interaction.response.is_sse:
            continue
        body = interaction.response.json()
        if isinstance(body, dict) and body.get("object") == "assistant":
            known[body["id"]] = body
    # A run shows the instructions its assistant had, where the assistant itself is unseen.
    run_instructions = {
        run.assistant_id: run.snapshots[0].get("instructions")
        for run in runs
        if run.snapshots[0].get("instructions")
    }
    used = {run.assistant_id for run in runs} | set(known) | referenced
    seeds = []
    for assistant_id in sorted(used - created):
        if not assistant_id.startswith("asst_"):
            continue
        body = known.get(assistant_id, {})
        seed: JSON = {"id": assistant_id, "model": body.get("model") or "gpt-4o"}
        if body.get("name"):
            seed["name"] = body["name"]
        instructions = body.get("instructions") or run_instructions.get(assistant_id)
        if not instructions and assistant_id in {run.assistant_id for run in runs}:
            # Its runs were accepted, so it had instructions or the thread had a user message.
            instructions = _UNKNOWN_INSTRUCTIONS
        if instructions:
            seed["instructions"] = instructions
        tools = [t for t in body.get("tools") or [] if t.get("type") in _TOOL_TYPES]
        if tools:
            seed["tools"] = tools
        seeds.append(seed)
    return seeds


_TOOL_TYPES = ("function", "code_interpreter", "file_search")


def scenario_document(cassette: Cassette, *, name: str) -> JSON:
    """The scenario of a recording (on any wire), as data ready to dump to YAML."""
    recorded = len(cassette.interactions)
    cassette = Cassette(on_assistants_wire(cassette.interactions), cassette.path)
    runs = recorded_runs(cassette.interactions)
    _refuse_unknown_statuses(cassette, runs)
    document: JSON = {
        "name": name,
        "description": f"Converted from a recording with {len(runs)} run(s) and "
        f"{recorded} interactions.",
    }
    created = _created_ids(cassette)
    seeds = _seed_assistants(cassette, runs, created)
    if seeds:
        document["assistants"] = seeds
    threads = _seed_threads(cassette, created)
    if threads:
        document["threads"] = threads
    if runs:
        file_names = _file_names(cassette)
        document["runs"] = [{"steps": _steps(run, file_names)} for run in runs]
    late = [run for run in runs if _beginning(run.statuses[0])]
    if late:
        starts = ", ".join(f"run {runs.index(run) + 1} at '{run.statuses[0]}'" for run in late)
        document["description"] += (
            f" The client first saw a run after it began ({starts}); the shortest legal way"
            " from 'queued' was added."
        )
    partial = [run for run in runs if _completion(run.statuses[-1])]
    if partial:
        ends = ", ".join(f"run {runs.index(run) + 1} at '{run.statuses[-1]}'" for run in partial)
        document["description"] += (
            f" The recording stops before the end ({ends}); the shortest legal way to"
            " 'completed' was added."
        )
    return document


def _refuse_unknown_statuses(cassette: Cassette, runs: list[RecordedRun]) -> None:
    """A status outside the lifecycle (AppBuilder's is a free string) cannot be scripted."""
    for run in runs:
        unknown = [status for status in run.statuses if status not in lifecycle.TRANSITIONS]
        if unknown:
            raise CassetteError(
                f"{cassette.path or 'the recording'}: run {run.id!r} shows status "
                f"{unknown[0]!r}, which the run lifecycle does not have "
                f"({', '.join(lifecycle.TRANSITIONS)}); a scenario cannot play it"
            )


def convert_cassette(cassette: Cassette, *, name: str, header: str = "") -> str:
    """The scenario of a recording as YAML text, after ``header`` (the editors' schema comment)."""
    body = yaml.safe_dump(
        scenario_document(cassette, name=name),
        sort_keys=False,
        allow_unicode=True,
        width=100,
    )
    return header + body
