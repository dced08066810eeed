"""One battery's connection to the server under test.

Calls go through the openai SDK (``with_raw_response`` / ``with_streaming_response``, so the
status, headers and the exact JSON are seen) or, for requests the SDK cannot make (no beta
header, no key), through ``httpx2`` directly. Every payload is validated against the schemas and
every run snapshot is added to that run's observed status sequence.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, suppress
from dataclasses import dataclass, field
from typing import Any

import httpx2
import openai
from openai._legacy_response import LegacyAPIResponse
from openai._response import APIResponse

from harness import lifecycle, schemas
from harness.conformance._checks import CheckFailed, Recorder
from harness.conformance._sse import StreamEvent, parse_sse
from harness.conformance._wire import OPENAI, Wire
from harness.errors import SchemaValidationError

__all__ = ["Answer", "SchemaProblem", "Session", "StreamAnswer"]

JSON = dict[str, Any]
_REQUIRED = re.compile(r"'([^']+)' is a required property")
_DELETED_KINDS = (
    "assistant.deleted",
    "thread.deleted",
    "thread.message.deleted",
    "file.deleted",
    "vector_store.deleted",
    "vector_store.file.deleted",
)


@dataclass(frozen=True)
class Answer:
    """A plain JSON answer: status, headers and the parsed body (``None`` when not JSON)."""

    label: str
    status: int
    headers: Mapping[str, str]
    body: Any
    text: str

    def error_text(self) -> str:
        """The API's error message, or the start of the body."""
        if isinstance(self.body, dict) and isinstance(self.body.get("error"), dict):
            return str(self.body["error"].get("message"))
        return self.text[:200]


@dataclass(frozen=True)
class StreamAnswer:
    """A streamed answer: status, headers and the parsed events."""

    label: str
    status: int
    headers: Mapping[str, str]
    events: list[StreamEvent]
    text: str


@dataclass(frozen=True)
class SchemaProblem:
    """A payload that broke its schema: where it came from and what broke."""

    group: str
    label: str
    message: str


@dataclass
class Session:
    """The SDK client, a raw HTTP client, and what the battery observed."""

    base_url: str
    api_key: str
    recorder: Recorder
    timeout: float = 10.0
    max_wait: float = 60.0
    wire: Wire = OPENAI
    client: openai.OpenAI = field(init=False)
    http: httpx2.Client = field(init=False)
    requests: int = 0
    validated: dict[str, int] = field(default_factory=dict)
    """Schema group (``run``, ``list``, …) → payloads that validated."""
    schema_problems: list[SchemaProblem] = field(default_factory=list)
    sequences: dict[str, list[str]] = field(default_factory=dict)
    """Run id → every status observed, in order."""
    run_checks: dict[str, str] = field(default_factory=dict)
    """Run id → the check that was running when the run was first seen."""
    assistants: list[str] = field(default_factory=list)
    threads: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    vector_stores: list[str] = field(default_factory=list)
    deleted: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self.client = self.wire.client(self.base_url, self.api_key, self.timeout)
        self.http = httpx2.Client(timeout=self.timeout)

    def close(self) -> None:
        self.client.close()
        self.http.close()

    # -- requests ---------------------------------------------------------------------------

    def call(
        self, label: str, method: Callable[..., LegacyAPIResponse[Any]], *args: Any, **kwargs: Any
    ) -> Answer:
        """Call an SDK ``with_raw_response`` method; API errors become answers, not exceptions."""
        self.requests += 1
        try:
            raw = method(*args, **kwargs)
        except openai.APIStatusError as error:
            response = error.response
            return Answer(
                label, response.status_code, response.headers, _json(response.text), response.text
            )
        except (openai.APIConnectionError, httpx2.HTTPError) as error:
            raise CheckFailed(
                f"{label}: no answer from the server: {type(error).__name__}: {error}"
            ) from None
        text = raw.text
        return Answer(label, raw.status_code, raw.headers, _json(text), text)

    def raw(
        self,
        label: str,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str],
        params: Mapping[str, str] | None = None,
    ) -> Answer:
        """A request without the SDK (and so without its default headers)."""
        self.requests += 1
        try:
            response = self.http.request(
                method,
                self.wire.url(self.base_url, path),
                headers=dict(headers),
                params=self.wire.params(params),
            )
        except httpx2.HTTPError as error:
            raise CheckFailed(
                f"{label}: no answer from the server: {type(error).__name__}: {error}"
            ) from None
        return Answer(
            label, response.status_code, response.headers, _json(response.text), response.text
        )

    def stream(
        self,
        label: str,
        method: Callable[..., AbstractContextManager[APIResponse[Any]]],
        *args: Any,
        **kwargs: Any,
    ) -> StreamAnswer:
        """Call an SDK ``with_streaming_response`` method with ``stream=True``; read every event."""
        self.requests += 1
        try:
            with method(*args, stream=True, **kwargs) as response:
                lines = list(response.iter_lines())
                status, headers = response.status_code, response.headers
        except openai.APIStatusError as error:
            text = error.response.text
            return StreamAnswer(label, error.response.status_code, error.response.headers, [], text)
        except (openai.APIConnectionError, httpx2.HTTPError) as error:
            raise CheckFailed(
                f"{label}: no answer from the server: {type(error).__name__}: {error}"
            ) from None
        events = parse_sse(lines)
        for index, event in enumerate(events):
            pair = {"event": event.event, "data": event.data}
            self.validate(label, "stream_event", pair, where=f"stream event #{index} {event.event}")
            if isinstance(event.data, dict) and event.data.get("object") == "thread.run":
                self.observe_run(event.data)
        return StreamAnswer(label, status, headers, events, "\n".join(lines))

    def credentials(self) -> dict[str, str]:
        """The header that carries the key on this session's wire."""
        return self.wire.credentials(self.api_key)

    # -- expectations -----------------------------------------------------------------------

    def ok(self, answer: Answer, kind: str, *, item_kind: str | None = None) -> JSON:
        """The body of a 200 answer of ``kind`` (validated; runs observed); else the check fails.

        Another 2xx status with the object is a deviation of the check named ``answer.label``
        only: the object is still used, so what depends on it runs and is judged on its own.
        """
        if not 200 <= answer.status < 300:
            raise CheckFailed(
                f"{answer.label}: expected 200, got {answer.status}: {answer.error_text()}"
            )
        if answer.status != 200:
            self.deviate(answer.label, f"{answer.label}: expected 200, got {answer.status}")
        if not isinstance(answer.body, dict):
            raise CheckFailed(
                f"{answer.label}: the answer is not a JSON object: {answer.text[:120]!r}"
            )
        body: JSON = answer.body
        if kind == "list":
            self.validate(answer.label, "list", {**body, "data": []})
            for index, item in enumerate(body.get("data") or []):
                if item_kind is not None:
                    self.validate(answer.label, item_kind, item, where=f"data[{index}]")
                if isinstance(item, dict) and item.get("object") == "thread.run":
                    self.observe_run(item)
        else:
            self.validate(answer.label, kind, body)
            if kind == "run":
                self.observe_run(body)
        return body

    def error(self, answer: Answer, status: int | tuple[int, ...]) -> JSON:
        """The ``error`` object of an error answer with ``status``; else the check fails."""
        wanted = status if isinstance(status, tuple) else (status,)
        if answer.status not in wanted:
            shown = " or ".join(str(s) for s in wanted)
            detail = answer.error_text() if answer.status >= 400 else _summary(answer.body)
            message = f"{answer.label}: expected {shown}, got {answer.status}: {detail}"
            if answer.status < 400:
                raise CheckFailed(message)
            # A refusal with another status: this check's deviation; the probe goes on.
            current = self.recorder.current
            if current is None:
                raise CheckFailed(message)
            current.expect(False, message)
        body = answer.body
        if not isinstance(body, dict) or not isinstance(body.get("error"), dict):
            raise CheckFailed(
                f"{answer.label}: the {answer.status} answer has no 'error' object: "
                f"{answer.text[:120]!r}"
            )
        self.validate(answer.label, "error", body)
        error: JSON = body["error"]
        missing = [key for key in ("message", "type", "param", "code") if key not in error]
        if missing or not isinstance(error.get("message"), str):
            raise CheckFailed(
                f"{answer.label}: the error object misses "
                f"{', '.join(missing) or 'a string message'}: {error}"
            )
        return error

    # -- observations -------------------------------------------------------------------------

    def deviate(self, label: str, message: str) -> None:
        """A deviation of the check ``label``: recorded there when it is the one running (any
        other check met it only on the way, and is not charged with it)."""
        current = self.recorder.current
        if current is not None and current.id == label:
            current.expect(False, message)

    def validate(self, label: str, kind: str, obj: Any, *, where: str = "response") -> bool:
        """Check ``obj`` against the ``kind`` schema; a problem is recorded for ``schemas.*`` and
        for the current check when it is the one named ``label``."""
        group = _group(kind)
        try:
            schemas.validate(kind, obj)
        except SchemaValidationError as error:
            message = f"{label}: {describe(error, where)}"
            self.schema_problems.append(SchemaProblem(group, label, message))
            current = self.recorder.current
            if current is not None and current.id == label:
                current.expect(False, message)
            return False
        self.validated[group] = self.validated.get(group, 0) + 1
        return True

    def observe_run(self, run: Mapping[str, Any]) -> None:
        run_id, status = run.get("id"), run.get("status")
        if isinstance(run_id, str) and isinstance(status, str):
            if run_id not in self.sequences:
                current = self.recorder.current
                self.run_checks[run_id] = current.id if current is not None else ""
            self.sequences.setdefault(run_id, []).append(status)

    def runs_by_check(self) -> dict[str, list[tuple[str, list[str]]]]:
        """Check id → (run id, statuses observed) of the runs it created first, in order."""
        runs: dict[str, list[tuple[str, list[str]]]] = {}
        for run_id, statuses in self.sequences.items():
            runs.setdefault(self.run_checks.get(run_id, ""), []).append((run_id, list(statuses)))
        return runs

    def sequence(self, run_id: str) -> list[str]:
        return list(self.sequences.get(run_id, []))

    def sequence_problems(self, run_id: str) -> list[str]:
        """What is wrong with the statuses observed for ``run_id`` (sampled by polling)."""
        statuses = self.sequence(run_id)
        return [
            f"{run_id} went {' › '.join(_folded(statuses))}: {problem.message}"
            for problem in lifecycle.check_sequence(statuses, sampled=True)
        ]

    # -- runs ---------------------------------------------------------------------------------

    def retrieve_run(
        self, thread_id: str, run_id: str, label: str = "runs.retrieve"
    ) -> tuple[JSON, Answer]:
        answer = self.call(
            label,
            self.client.beta.threads.runs.with_raw_response.retrieve,
            run_id,
            thread_id=thread_id,
        )
        return self.ok(answer, "run"), answer

    def poll(
        self,
        thread_id: str,
        run_id: str,
        *,
        until: frozenset[str] = lifecycle.POLL_STOP_STATUSES,
        label: str = "runs.retrieve",
    ) -> JSON:
        """Retrieve the run until its status is in ``until``; honours ``openai-poll-after-ms``."""
        deadline = time.monotonic() + self.max_wait
        while True:
            run, answer = self.retrieve_run(thread_id, run_id, label)
            status = run.get("status")
            if status in until:
                return run
            if status in lifecycle.TERMINAL_STATUSES:
                raise CheckFailed(f"{run_id} ended {status!r}, expected one of {sorted(until)}")
            if time.monotonic() > deadline:
                raise CheckFailed(f"{run_id} is still {status!r} after {self.max_wait:g} s")
            time.sleep(_poll_delay(answer.headers))

    def iter_pages(
        self,
        label: str,
        method: Callable[..., LegacyAPIResponse[Any]],
        *args: Any,
        item_kind: str,
        limit: int,
        order: str,
        **kwargs: Any,
    ) -> Iterator[JSON]:
        """Walk a list with ``limit`` and ``order``, following ``after``: each page."""
        token: str | None = None
        for _ in range(100):
            extra = {"after": token} if token else {}
            page = self.ok(
                self.call(label, method, *args, limit=limit, order=order, **extra, **kwargs),
                "list",
                item_kind=item_kind,
            )
            yield page
            data = page.get("data") or []
            if not page.get("has_more") or not data:
                return
            token = str(data[-1].get("id"))

    # -- cleanup ------------------------------------------------------------------------------

    def created(self, kind: str, object_id: str) -> None:
        lists = {
            "assistant": self.assistants,
            "file": self.files,
            "vector_store": self.vector_stores,
        }
        lists.get(kind, self.threads).append(object_id)

    def cleanup(self) -> None:
        """Delete what the battery created, best effort."""
        beta = self.client.beta
        for thread_id in self.threads:
            if thread_id not in self.deleted:
                self._quietly(beta.threads.with_raw_response.delete, thread_id)
        for assistant_id in self.assistants:
            if assistant_id not in self.deleted:
                self._quietly(beta.assistants.with_raw_response.delete, assistant_id)
        for store_id in self.vector_stores:
            if store_id not in self.deleted:
                self._quietly(self.client.vector_stores.with_raw_response.delete, store_id)
        for file_id in self.files:
            if file_id not in self.deleted:
                self._quietly(self.client.files.with_raw_response.delete, file_id)

    def _quietly(self, method: Callable[..., LegacyAPIResponse[Any]], object_id: str) -> None:
        self.requests += 1
        with suppress(openai.OpenAIError, httpx2.HTTPError):
            method(object_id)
        self.deleted.add(object_id)


def describe(error: SchemaValidationError, where: str = "response") -> str:
    """``response misses required field 'expires_at'`` and the like."""
    found = _REQUIRED.search(error.detail)
    path = error.path
    if found:
        name = found.group(1)
        for suffix in (f".{name}", name, f"[{json.dumps(name)}]"):
            if path.endswith(suffix):
                path = path[: -len(suffix)]
                break
        inside = f" at {path}" if path else ""
        return f"{where}{inside} misses required field '{name}'"
    inside = f" at {path}" if path else ""
    return f"{where}{inside} breaks the {error.kind} schema: {error.detail}"


def _group(kind: str) -> str:
    if kind in _DELETED_KINDS:
        return "deleted"
    if kind in ("error", "error_object"):
        return "error"
    return kind


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _summary(body: Any) -> str:
    if isinstance(body, dict):
        return (
            f"{body.get('object', 'object')} {body.get('id', '')} {body.get('status', '')}".strip()
        )
    return repr(body)[:120]


def _folded(statuses: list[str]) -> list[str]:
    result: list[str] = []
    for status in statuses:
        if not result or result[-1] != status:
            result.append(status)
    return result


def _poll_delay(headers: Mapping[str, str]) -> float:
    value = headers.get("openai-poll-after-ms")
    try:
        ms = int(value) if value is not None else 250
    except ValueError:
        ms = 250
    return min(max(ms, 0), 2000) / 1000
