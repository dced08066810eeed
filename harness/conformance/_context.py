"""What a probe works with: the session, its checks, and fixtures shared between probes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from harness import lifecycle
from harness.conformance._checks import Check, CheckFailed, CheckSpec, ProbeStopped, Recorder
from harness.conformance._session import JSON, Session

__all__ = [
    "FUNCTION_NAME",
    "UNKNOWN",
    "Context",
    "Probe",
    "Shared",
    "expect_fields",
    "expect_prefix",
    "first_status_ok",
    "forced_choice",
    "function_tool",
    "ids_of",
    "object_id",
    "sequence_ok",
    "text_of",
]

FUNCTION_NAME = "get_weather"


def function_tool() -> dict[str, Any]:
    """The ``get_weather`` function tool the battery's assistants carry (a fresh copy)."""
    return {
        "type": "function",
        "function": {
            "name": FUNCTION_NAME,
            "description": "The current weather in a city.",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
        },
    }


def forced_choice() -> dict[str, Any]:
    """``tool_choice`` forcing a ``get_weather`` call (a fresh copy)."""
    return {"type": "function", "function": {"name": FUNCTION_NAME}}


UNKNOWN = "harnessConformanceNoSuch"
"""24 characters, like a real id's tail; no server has an object with it."""


@dataclass(frozen=True)
class Probe:
    """A group of checks run by one function, in order."""

    name: str
    checks: tuple[CheckSpec, ...]
    run: Callable[[Context], None]


@dataclass
class Shared:
    """Fixtures made once per battery, on first use."""

    assistant_id: str | None = None
    completed: tuple[str, str] | None = None
    broken: dict[str, str] = field(default_factory=dict)
    """Fixture name → why it could not be made (so it is not retried)."""


@dataclass
class Context:
    """A probe's view: the session, its checks and the shared fixtures."""

    session: Session
    recorder: Recorder
    shared: Shared
    model: str = "gpt-4o"

    def check(self, check_id: str) -> AbstractContextManager[Check]:
        return self.recorder.check(check_id)

    @property
    def beta(self) -> Any:
        """``client.beta`` of the SDK client (typed loosely: the methods are called raw)."""
        return self.session.client.beta

    # -- fixtures ---------------------------------------------------------------------------

    def _fixture(self, name: str, make: Callable[[], Any]) -> Any:
        if name in self.shared.broken:
            raise ProbeStopped("setup", self.shared.broken[name])
        try:
            return make()
        except CheckFailed as failure:
            reason = f"could not make the {name} fixture: {failure.message}"
            self.shared.broken[name] = reason
            raise ProbeStopped("setup", reason) from None

    def assistant(self) -> str:
        """The battery's assistant (with the ``get_weather`` function tool)."""
        if self.shared.assistant_id is None:
            self.shared.assistant_id = self._fixture("assistant", self._make_assistant)
        return self.shared.assistant_id

    def _make_assistant(self) -> str:
        s = self.session
        answer = s.call(
            "assistants.create",
            self.beta.assistants.with_raw_response.create,
            model=self.model,
            name="harness-conformance",
            instructions="Answer in one short sentence.",
            tools=[function_tool()],
        )
        body = s.ok(answer, "assistant")
        assistant_id = object_id(body, "assistants.create")
        s.created("assistant", assistant_id)
        return assistant_id

    def thread(self, text: str | None = None) -> str:
        """A new thread (deleted at the end), with one user message when ``text`` is given."""
        return str(self._fixture("thread", lambda: self.make_thread(text)))

    def make_thread(self, text: str | None = None, label: str = "threads.create") -> str:
        s = self.session
        messages = [{"role": "user", "content": text}] if text else []
        body = s.ok(
            s.call(label, self.beta.threads.with_raw_response.create, messages=messages), "thread"
        )
        thread_id = object_id(body, label)
        s.created("thread", thread_id)
        return thread_id

    def completed_run(self) -> tuple[str, str]:
        """``(thread_id, run_id)`` of a run that completed with a reply."""
        if self.shared.completed is None:
            self.shared.completed = self._fixture("completed run", self._make_completed_run)
        return self.shared.completed

    def _make_completed_run(self) -> tuple[str, str]:
        thread_id = self.make_thread("Say hello.")
        run = self.create_run(thread_id)
        final = self.session.poll(thread_id, object_id(run, "runs.create"))
        if final.get("status") != "completed":
            raise CheckFailed(f"the run ended {final.get('status')!r}, not 'completed'")
        return thread_id, str(final["id"])

    def remember_completed(self, thread_id: str, run_id: str) -> None:
        if self.shared.completed is None:
            self.shared.completed = (thread_id, run_id)

    # -- common steps -----------------------------------------------------------------------

    def create_run(
        self, thread_id: str, *, forced: bool = False, label: str = "runs.create"
    ) -> JSON:
        """Create a run (forcing the ``get_weather`` call when ``forced``); the run object."""
        s = self.session
        extra: dict[str, Any] = {"tool_choice": forced_choice()} if forced else {}
        answer = s.call(
            label,
            self.beta.threads.runs.with_raw_response.create,
            thread_id,
            assistant_id=self.assistant(),
            **extra,
        )
        return s.ok(answer, "run")

    def run_waiting_for_tools(
        self, text: str = "What is the weather in Paris?"
    ) -> tuple[str, JSON]:
        """A thread and a forced-tool run polled to ``requires_action``."""
        thread_id = self.make_thread(text)
        run = self.create_run(thread_id, forced=True)
        run = self.session.poll(thread_id, object_id(run, "runs.create"))
        if run.get("status") != "requires_action":
            raise CheckFailed(
                f"a run forced to call {FUNCTION_NAME} (tool_choice) ended {run.get('status')!r} "
                "instead of stopping at 'requires_action'"
            )
        return thread_id, run

    def message_text(self, thread_id: str, message_id: str) -> str:
        s = self.session
        answer = s.call(
            "messages.retrieve",
            self.beta.threads.messages.with_raw_response.retrieve,
            message_id,
            thread_id=thread_id,
        )
        return text_of(s.ok(answer, "message"))


def object_id(body: Mapping[str, Any], label: str) -> str:
    """``body['id']``, or the check fails saying it is missing."""
    value = body.get("id")
    if not isinstance(value, str) or not value:
        raise CheckFailed(f"{label}: the answer has no 'id'")
    return value


def text_of(message: Mapping[str, Any]) -> str:
    """The text of a message object's text blocks."""
    parts: list[str] = []
    for block in message.get("content") or []:
        if isinstance(block, dict) and block.get("type") == "text":
            parts.append(str((block.get("text") or {}).get("value", "")))
    return "".join(parts)


def expect_fields(
    check: Check, label: str, body: Mapping[str, Any], wanted: Mapping[str, Any]
) -> None:
    """Each ``wanted`` field must have that value in ``body``."""
    for key, value in wanted.items():
        check.expect(
            body.get(key) == value, f"{label}: '{key}' is {body.get(key)!r}, expected {value!r}"
        )


def expect_prefix(check: Check, label: str, value: str, prefix: str) -> None:
    check.expect(value.startswith(prefix), f"{label}: id {value!r} does not start with {prefix!r}")


def sequence_ok(check: Check, session: Session, run_id: str) -> None:
    """The run's observed statuses must follow the lifecycle."""
    for problem in session.sequence_problems(run_id):
        check.expect(False, problem)


def first_status_ok(check: Check, label: str, run: Mapping[str, Any]) -> None:
    """A new run starts ``queued``."""
    status = str(run.get("status"))
    for problem in lifecycle.check_sequence([status], sampled=False):
        check.expect(False, f"{label}: {problem.message}")


def ids_of(page: Mapping[str, Any]) -> list[str]:
    return [str(item.get("id")) for item in page.get("data") or [] if isinstance(item, dict)]
