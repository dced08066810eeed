"""The battery for Baidu AppBuilder's Assistants wire (``POST /v2/...``, ids in the body).

It checks what appbuilder-sdk relies on: success is HTTP 200 exactly, every answer meets the
``appbuilder.*`` schemas (ms timestamps, non-null strings, ``final_answer``, ``step_datail``),
errors carry string ``code``/``message``/``type``, and the run stream is ``event: status`` /
``event: message`` frames from ``run_begin`` to ``run_end`` with no ``[DONE]``. As in the
OpenAI battery, a deviation fails its own check only: objects answered with the wrong status
are still used by the checks that need them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

import httpx2

from harness import schemas
from harness.conformance._checks import Check, CheckFailed, CheckSpec, ProbeStopped, Recorder
from harness.conformance._report import CheckResult, ConformanceReport
from harness.errors import ConfigError, SchemaValidationError
from harness.sse import parse_json_events

__all__ = ["APPBUILDER_CHECKS", "run_appbuilder_conformance"]

JSON = dict[str, Any]
_MS_AFTER = 10**11
"""Any Unix-milliseconds timestamp since 1973 is larger; Unix seconds never are."""

APPBUILDER_CHECKS: tuple[CheckSpec, ...] = tuple(
    CheckSpec(id, id.split(".")[0], title)
    for id, title in (
        ("assistants.create", "POST /v2/assistants: 200, the assistant, ms created_at"),
        ("assistants.query", "POST /v2/assistants/query: the same assistant"),
        ("assistants.update", "POST /v2/assistants/update: a full replace, model for object"),
        ("assistants.list", "POST /v2/assistants/list: a list with the assistant, bool has_more"),
        ("assistants.delete", "POST /v2/assistants/delete: deleted, then not found"),
        ("threads.create", "POST /v2/threads with a message: the thread, metadata an object"),
        ("threads.query", "POST /v2/threads/query: the same thread"),
        ("threads.delete", "POST /v2/threads/delete: deleted, then not found"),
        ("messages.create", "POST /v2/threads/messages: a user message, content a list"),
        ("messages.list", "POST /v2/threads/messages/list: both messages, roles set"),
        ("messages.query", "POST /v2/threads/messages/query: the message"),
        ("runs.run", "POST /v2/threads/runs: run.result completed with a final_answer"),
        ("runs.query", "POST /v2/threads/runs/query: thread.run, no final_answer"),
        ("runs.list", "POST /v2/threads/runs/list: the run"),
        ("runs.inline_thread", "a run with thread_id '' and thread.messages makes a thread"),
        ("steps.list", "POST /v2/threads/runs/steps/list: steps with step_datail"),
        ("steps.query", "POST /v2/threads/runs/steps/query: the step"),
        ("streaming.frames", "stream: status/message frames, run_begin first, run_end last"),
        ("streaming.no_done", "stream: no [DONE] and no OpenAI event names"),
        ("streaming.answer", "stream: the message deltas make the run_end's final_answer"),
        ("errors.not_found", "an unknown thread: non-200 with a string code/message/type"),
        ("errors.bad_json", "a body that is not JSON: 4xx with the error envelope, not 5xx"),
    )
)


@dataclass
class _Battery:
    http: httpx2.Client
    recorder: Recorder
    requests: int = 0
    assistant_id: str | None = None
    thread_id: str | None = None
    run: JSON = field(default_factory=dict)
    created: list[tuple[str, JSON]] = field(default_factory=list)

    def check(self, check_id: str) -> Any:
        return self.recorder.check(check_id)

    def post(self, path: str, body: JSON | bytes) -> httpx2.Response:
        self.requests += 1
        try:
            if isinstance(body, bytes):
                headers = {"Content-Type": "application/json"}
                return self.http.post(path, content=body, headers=headers)
            return self.http.post(path, json=body)
        except httpx2.HTTPError as error:
            raise CheckFailed(f"{path}: no answer: {type(error).__name__}: {error}") from None

    def ok(
        self,
        check: Check,
        path: str,
        body: JSON,
        kind: str,
        item: str | None = None,
        *,
        own: bool = True,
    ) -> JSON:
        """The answer of ``path``: 200 exactly (another 2xx is a deviation, and the object is
        still used), and valid against ``kind`` (items against ``item``). Deviations are the
        check's own only when ``own``: a check that merely makes an object on the way is not
        charged with the deviations of the check that tests that call."""
        judged = check if own else Check(check.spec)
        response = self.post(path, body)
        if not 200 <= response.status_code < 300:
            raise CheckFailed(
                f"{path}: expected 200, got {response.status_code}: {response.text[:200]}"
            )
        judged.expect(
            response.status_code == 200,
            f"{path}: answered {response.status_code}; appbuilder-sdk accepts only 200",
        )
        try:
            data = response.json()
        except ValueError:
            raise CheckFailed(f"{path}: the answer is not JSON: {response.text[:120]!r}") from None
        if not isinstance(data, dict):
            raise CheckFailed(f"{path}: the answer is not a JSON object")
        judged.expect(
            "error" not in data,
            f"{path}: a success body with an 'error' key: {data.get('error')!r}",
        )
        self.validate(judged, path, kind, data)
        for index, entry in enumerate(data.get("data") or [] if item else []):
            self.validate(judged, f"{path} data[{index}]", item or kind, entry)
        return data

    def validate(self, check: Check, where: str, kind: str, data: Any) -> None:
        try:
            schemas.validate(kind, data)
        except SchemaValidationError as error:
            check.expect(False, f"{where}: {error}")

    def error(self, check: Check, path: str, body: JSON | bytes, *, client_error: bool) -> None:
        response = self.post(path, body)
        status = response.status_code
        if status == 200:
            try:
                data = response.json()
            except ValueError:
                data = None
            if not (isinstance(data, dict) and "error" in data):
                check.fail(f"{path}: answered 200 without an error")
        elif client_error:
            check.expect(400 <= status < 500, f"{path}: answered {status}, expected a 4xx")
        else:
            check.expect(status >= 400, f"{path}: answered {status}, expected an error")
        try:
            data = response.json()
        except ValueError:
            check.fail(f"{path}: the error body is not JSON: {response.text[:120]!r}")
        self.validate(check, path, "appbuilder.error", data)

    def need(self, value: str | None, what: str) -> str:
        if value is None:
            raise ProbeStopped("setup", f"no {what} to work with")
        return value


def _ms(check: Check, where: str, value: Any) -> None:
    check.expect(
        isinstance(value, int) and value > _MS_AFTER,
        f"{where}: {value!r} is not a Unix time in milliseconds",
    )


def _assistant_body(**changes: Any) -> JSON:
    """What appbuilder-sdk's ``assistants.create`` sends: every key, defaults included."""
    function = {
        "name": "get_weather",
        "description": "The weather of a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
        "responses": None,
        "examples": None,
    }
    return {
        "model": "ERNIE-4.0T-8K",
        "name": "harness_conformance",
        "description": "Made by harness conform; safe to delete.",
        "response_format": "text",
        "instructions": "Answer in one short sentence.",
        "thought_instructions": "",
        "chat_instructions": "",
        "tools": [{"type": "function", "function": function}],
        "file_ids": [],
        "metadata": {"suite": "conformance"},
        **changes,
    }


def _run_body(**changes: Any) -> JSON:
    """What ``runs.run`` sends (``AssistantRunRequest.model_dump()``)."""
    return {
        "thread_id": "",
        "model": None,
        "assistant_id": "",
        "metadata": {},
        "response_format": "text",
        "instructions": None,
        "thought_instructions": None,
        "chat_instructions": None,
        "stream": False,
        "model_parameters": None,
        "thread": None,
        "tools": [],
        "tool_output": None,
        "user_info": None,
        "user_loc": None,
        **changes,
    }


def _list_body(**ids: str) -> JSON:
    return {**ids, "limit": 20, "order": "desc", "after": "", "before": ""}


def _assistants(b: _Battery) -> None:
    with b.check("assistants.create") as check:
        created = b.ok(check, "/v2/assistants", _assistant_body(), "appbuilder.assistant")
        b.assistant_id = str(created.get("id") or "") or None
        check.expect(b.assistant_id is not None, "/v2/assistants: no id")
        b.created.append(("/v2/assistants/delete", {"assistant_id": b.assistant_id}))
        check.expect(
            created.get("name") == "harness_conformance", f"name is {created.get('name')!r}"
        )
        _ms(check, "assistants.create created_at", created.get("created_at"))
    assistant_id = b.need(b.assistant_id, "assistant")
    with b.check("assistants.query") as check:
        found = b.ok(
            check, "/v2/assistants/query", {"assistant_id": assistant_id}, "appbuilder.assistant"
        )
        check.expect(found.get("id") == assistant_id, f"query answered {found.get('id')!r}")
    with b.check("assistants.update") as check:
        body = {
            **_assistant_body(name="harness_conformance_2", instructions=""),
            "assistant_id": assistant_id,
        }
        updated = b.ok(check, "/v2/assistants/update", body, "appbuilder.assistant")
        check.expect(
            updated.get("name") == "harness_conformance_2", f"name is {updated.get('name')!r}"
        )
    with b.check("assistants.list") as check:
        page = b.ok(
            check, "/v2/assistants/list", _list_body(), "appbuilder.list", "appbuilder.assistant"
        )
        ids = [entry.get("id") for entry in page.get("data") or []]
        check.expect(assistant_id in ids, f"{assistant_id} is not listed: {ids[:5]}")
    with b.check("assistants.delete") as check:
        other = b.ok(check, "/v2/assistants", _assistant_body(), "appbuilder.assistant", own=False)
        gone = b.ok(
            check, "/v2/assistants/delete", {"assistant_id": other.get("id")}, "appbuilder.deleted"
        )
        check.expect(gone.get("deleted") is True, f"deleted is {gone.get('deleted')!r}")
        b.error(check, "/v2/assistants/query", {"assistant_id": other.get("id")}, client_error=True)


def _threads(b: _Battery) -> None:
    message = {"content": "Say hello.", "role": "user", "file_ids": []}
    with b.check("threads.create") as check:
        thread = b.ok(check, "/v2/threads", {"messages": [message]}, "appbuilder.thread")
        b.thread_id = str(thread.get("id") or "") or None
        b.created.append(("/v2/threads/delete", {"thread_id": b.thread_id}))
        _ms(check, "threads.create created_at", thread.get("created_at"))
    thread_id = b.need(b.thread_id, "thread")
    with b.check("threads.query") as check:
        found = b.ok(check, "/v2/threads/query", {"thread_id": thread_id}, "appbuilder.thread")
        check.expect(found.get("id") == thread_id, f"query answered {found.get('id')!r}")
    with b.check("threads.delete") as check:
        other = b.ok(check, "/v2/threads", {"messages": []}, "appbuilder.thread", own=False)
        gone = b.ok(
            check, "/v2/threads/delete", {"thread_id": other.get("id")}, "appbuilder.deleted"
        )
        check.expect(gone.get("deleted") is True, f"deleted is {gone.get('deleted')!r}")
        b.error(check, "/v2/threads/query", {"thread_id": other.get("id")}, client_error=True)
    body = {"thread_id": thread_id, "role": "user", "content": "And in one word?", "file_ids": []}
    with b.check("messages.create") as check:
        created = b.ok(check, "/v2/threads/messages", body, "appbuilder.message")
        check.expect(created.get("role") == "user", f"role is {created.get('role')!r}")
    with b.check("messages.list") as check:
        page = b.ok(
            check,
            "/v2/threads/messages/list",
            {**_list_body(thread_id=thread_id), "order": "asc"},
            "appbuilder.list",
            "appbuilder.message",
        )
        texts = [_text(entry) for entry in page.get("data") or []]
        check.expect(texts == ["Say hello.", "And in one word?"], f"the messages are {texts}")
    with b.check("messages.query") as check:
        query = {"thread_id": thread_id, "message_id": created.get("id")}
        found = b.ok(check, "/v2/threads/messages/query", query, "appbuilder.message")
        check.expect(found.get("id") == created.get("id"), f"query answered {found.get('id')!r}")


def _text(message: JSON) -> str:
    return "".join(
        str((block.get("text") or {}).get("value", ""))
        for block in message.get("content") or ()
        if isinstance(block, dict)
    )


def _answer_text(run: JSON) -> str:
    message = (run.get("final_answer") or {}).get("message") or {}
    return _text({"content": message.get("content") or []})


def _runs(b: _Battery) -> None:
    assistant_id = b.need(b.assistant_id, "assistant")
    thread_id = b.need(b.thread_id, "thread")
    with b.check("runs.run") as check:
        run = b.ok(
            check,
            "/v2/threads/runs",
            _run_body(thread_id=thread_id, assistant_id=assistant_id),
            "appbuilder.run",
        )
        b.run = run
        check.expect(run.get("object") == "run.result", f"object is {run.get('object')!r}")
        check.expect(run.get("status") == "completed", f"status is {run.get('status')!r}")
        check.expect(bool(_answer_text(run)), "a completed run.result has no final_answer text")
        _ms(check, "runs.run created_at", run.get("created_at"))
        _ms(check, "runs.run completed_at", run.get("completed_at"))
    run_id = b.need(str(b.run.get("id") or "") or None, "run")
    ids = {"thread_id": thread_id, "run_id": run_id}
    with b.check("runs.query") as check:
        found = b.ok(check, "/v2/threads/runs/query", ids, "appbuilder.run")
        check.expect(found.get("object") == "thread.run", f"object is {found.get('object')!r}")
        check.expect(found.get("final_answer") is None, "a queried run carries final_answer")
    with b.check("runs.list") as check:
        page = b.ok(
            check,
            "/v2/threads/runs/list",
            _list_body(thread_id=thread_id),
            "appbuilder.list",
            "appbuilder.run",
        )
        listed = [entry.get("id") for entry in page.get("data") or []]
        check.expect(run_id in listed, f"{run_id} is not listed: {listed}")
    with b.check("runs.inline_thread") as check:
        inline = {"messages": [{"content": "Hi", "role": "user", "file_ids": []}]}
        run = b.ok(
            check,
            "/v2/threads/runs",
            _run_body(assistant_id=assistant_id, thread=inline),
            "appbuilder.run",
        )
        check.expect(
            str(run.get("thread_id") or "") not in ("", thread_id),
            f"thread_id is {run.get('thread_id')!r}",
        )
        if run.get("thread_id"):
            b.created.append(("/v2/threads/delete", {"thread_id": run["thread_id"]}))
    with b.check("steps.list") as check:
        page = b.ok(
            check,
            "/v2/threads/runs/steps/list",
            _list_body(**ids),
            "appbuilder.list",
            "appbuilder.run_step",
        )
        steps = page.get("data") or []
        if not steps:
            check.fail("a completed run has no steps")
        check.expect(all("step_datail" in step for step in steps), "a step lacks step_datail (sic)")
    with b.check("steps.query") as check:
        query = {**ids, "step_id": steps[-1].get("id")}
        found = b.ok(check, "/v2/threads/runs/steps/query", query, "appbuilder.run_step")
        check.expect(found.get("id") == steps[-1].get("id"), f"query answered {found.get('id')!r}")


def _streaming(b: _Battery) -> None:
    assistant_id = b.need(b.assistant_id, "assistant")
    thread_id = b.need(b.thread_id, "thread")
    body = _run_body(thread_id=thread_id, assistant_id=assistant_id, stream=True)
    b.requests += 1
    try:
        response = b.http.post("/v2/threads/runs", json=body)
    except httpx2.HTTPError as error:
        raise CheckFailed(f"stream: no answer: {type(error).__name__}: {error}") from None
    events = parse_json_events(response.text)
    statuses = [data for name, data in events if name == "status" and isinstance(data, dict)]
    with b.check("streaming.frames") as check:
        if response.status_code != 200:
            check.fail(f"the stream answered {response.status_code}: {response.text[:200]}")
        names = {name for name, _ in events}
        check.expect(
            names <= {"status", "message", "ping"},
            f"unexpected event names {sorted(names - {'status', 'message', 'ping'})}",
        )
        if not statuses:
            check.fail("no status event")
        begin = statuses[0]
        check.expect(
            begin.get("event_type") == "run_begin",
            f"the first status is {begin.get('event_type')!r}",
        )
        run_object = (begin.get("details") or {}).get("run_object") or {}
        check.expect(
            all(run_object.get(key) for key in ("id", "assistant_id", "thread_id")),
            "run_begin's details.run_object lacks id, assistant_id or thread_id",
        )
        check.expect(
            statuses[-1].get("event_type") == "run_end",
            f"the last status is {statuses[-1].get('event_type')!r}",
        )
        for index, (name, data) in enumerate(events):
            if name in ("status", "message"):
                b.validate(check, f"event #{index} {name}", f"appbuilder.stream_{name}", data)
    with b.check("streaming.no_done") as check:
        check.expect(
            "[DONE]" not in response.text, "the stream sends [DONE] (the SDK repeats an event)"
        )
        check.expect("thread.run." not in "".join(name for name, _ in events), "OpenAI event names")
    with b.check("streaming.answer") as check:
        deltas = "".join(
            _text(data) for name, data in events if name == "message" and isinstance(data, dict)
        )
        end = ((statuses[-1].get("details") or {}).get("run_object") or {}) if statuses else {}
        check.expect(bool(deltas), "no message deltas")
        check.expect(
            _answer_text(end) == deltas,
            f"final_answer {_answer_text(end)!r} is not the deltas {deltas!r}",
        )


def _errors(b: _Battery) -> None:
    with b.check("errors.not_found") as check:
        b.error(
            check,
            "/v2/threads/query",
            {"thread_id": "thread_harnessConformanceNoSuch"},
            client_error=False,
        )
    with b.check("errors.bad_json") as check:
        b.error(check, "/v2/threads", b"{not json", client_error=True)


_PROBES: tuple[Callable[[_Battery], None], ...] = (
    _assistants,
    _threads,
    _runs,
    _streaming,
    _errors,
)


def run_appbuilder_conformance(
    base_url: str,
    *,
    api_key: str,
    progress: Callable[[CheckResult], None] | None = None,
    timeout: float = 10.0,
    areas: Collection[str] | None = None,
) -> ConformanceReport:
    """Run the AppBuilder battery against ``base_url`` (what ``GATEWAY_URL`` would be)."""
    if not base_url.startswith(("http://", "https://")):
        raise ConfigError(f"base URL {base_url!r} must start with http:// or https://")
    known = {spec.area for spec in APPBUILDER_CHECKS}
    unknown = sorted(set(areas or ()) - known)
    if unknown:
        raise ConfigError(
            f"unknown area(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
    wanted = {spec.id for spec in APPBUILDER_CHECKS if areas is None or spec.area in areas}
    recorder = Recorder(
        {spec.id: spec for spec in APPBUILDER_CHECKS},
        emit=progress or (lambda _: None),
        wanted=wanted,
    )
    token = f"Bearer {api_key}"
    headers = {"Authorization": token, "X-Appbuilder-Authorization": token}
    started = time.perf_counter()
    with httpx2.Client(base_url=base_url.rstrip("/"), headers=headers, timeout=timeout) as http:
        battery = _Battery(http, recorder)
        for probe in _PROBES:
            ids = [spec.id for spec in APPBUILDER_CHECKS if spec.area in _AREAS_OF[probe.__name__]]
            try:
                probe(battery)
            except ProbeStopped as stop:
                recorder.not_run(ids, stop.reason)
            except CheckFailed as failure:
                recorder.not_run(ids, failure.message)
            except Exception as error:  # a probe must never take the battery down
                recorder.not_run(ids, f"the probe stopped: {type(error).__name__}: {error}")
            recorder.not_run(ids, "its probe did not reach it")
        for path, body in reversed(battery.created):
            with suppress(CheckFailed):
                battery.post(path, body)
    order = {spec.id: index for index, spec in enumerate(APPBUILDER_CHECKS)}
    return ConformanceReport(
        base_url=base_url,
        checks=sorted(recorder.results.values(), key=lambda result: order[result.id]),
        seconds=time.perf_counter() - started,
        requests=battery.requests,
    )


_AREAS_OF = {
    "_assistants": {"assistants"},
    "_threads": {"threads", "messages"},
    "_runs": {"runs", "steps"},
    "_streaming": {"streaming"},
    "_errors": {"errors"},
}
