"""Send a :class:`~harness.demo.plan.DemoPlan` through one wire's SDK; record how each run ended.

The loop is the same on every wire: create the demo's assistant (unless the scenario seeds one),
ask each run's question, cancel where the plan says, answer each tool call with the output the
scenario expects, follow the run to its end. What differs is only how each SDK says it, behind
:class:`DemoClient` (:mod:`harness.demo.openai_client`, :mod:`harness.demo.appbuilder_client`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from harness.demo.plan import DemoPlan, RunPlan, tool_output
from harness.lifecycle import TERMINAL_STATUSES

__all__ = [
    "MAX_REQUESTS_PER_RUN",
    "DemoClient",
    "OutputsRefused",
    "RunOutcome",
    "RunView",
    "ToolCallView",
    "drive",
    "say_messages",
]

MAX_REQUESTS_PER_RUN = 500
"""A run still going after this many requests is reported as never ending, not waited for."""

Say = Callable[[str], None]


@dataclass(frozen=True)
class RunOutcome:
    plan: RunPlan
    thread_id: str | None
    run_id: str | None
    status: str | None
    """The status the run ended in; ``None`` when it never got there."""
    detail: str = ""
    """Why it ended so: ``last_error``, incomplete reason, or what went wrong on the way."""

    @property
    def as_scripted(self) -> bool:
        """Whether the run reached the ending its script scripts."""
        if self.status is None:
            return False
        return self.status in (self.plan.endings or TERMINAL_STATUSES)


@dataclass(frozen=True)
class ToolCallView:
    id: str
    name: str
    arguments: str


@dataclass(frozen=True)
class RunView:
    """A run as an SDK answered it, in the few terms the demo reads."""

    id: str
    status: str
    calls: tuple[ToolCallView, ...] = ()
    """The function calls it waits for (``requires_action``)."""
    detail: str = ""
    """``last_error`` or the incomplete reason, for the summary."""


class OutputsRefused(Exception):
    """The server refused the tool outputs (the message is its reason)."""


class DemoClient(Protocol):
    """One wire's SDK, as the demo drives it."""

    api_errors: tuple[type[BaseException], ...]
    """The SDK's errors for an API answer: a run they stop is reported with the reason."""

    def create_assistant(self, tools: Sequence[dict[str, Any]]) -> str: ...

    def start(self, plan: RunPlan, assistant_id: str) -> tuple[str, RunView]:
        """The thread (the plan's seeded one, or a new one) with the question, and its run."""
        ...

    def cancel(self, thread_id: str, run_id: str) -> RunView: ...

    def submit(self, thread_id: str, run_id: str, outputs: list[tuple[str, str]]) -> RunView:
        """``(tool_call_id, output)`` pairs; raises :class:`OutputsRefused`."""
        ...

    def retrieve(self, thread_id: str, run_id: str) -> RunView: ...

    def texts(self, thread_id: str) -> list[tuple[str, str]]:
        """``(role, text)`` of every text block of the thread, oldest first."""
        ...


def drive(client: DemoClient, plan: DemoPlan, say: Say) -> list[RunOutcome]:
    """Drive every planned run to its end; what happens is told through ``say``."""
    own_assistant: str | None = None
    outcomes: list[RunOutcome] = []
    for run_plan in plan.runs:
        assistant_id = run_plan.assistant_id
        if assistant_id is None:
            if own_assistant is None:
                own_assistant = client.create_assistant(plan.tools)
                names = ", ".join(tool["function"]["name"] for tool in plan.tools)
                say(f"  assistant {own_assistant} with tools: {names}")
            assistant_id = own_assistant
        try:
            outcomes.append(_drive_one(client, run_plan, assistant_id, say))
        except client.api_errors as error:
            outcomes.append(RunOutcome(run_plan, None, None, None, f"the API answered: {error}"))
    return outcomes


def say_messages(client: DemoClient, thread_id: str, say: Say) -> None:
    """Every text of the thread, oldest first."""
    for role, text in client.texts(thread_id):
        say(f"  {role}: {text}")


def _drive_one(client: DemoClient, plan: RunPlan, assistant_id: str, say: Say) -> RunOutcome:
    thread_id, run = client.start(plan, assistant_id)
    say(f"run {plan.number}: thread {thread_id}: user asks {plan.question!r}")
    say(f"  run {run.id}: {run.status}")
    if plan.cancel and run.status in TERMINAL_STATUSES:
        # AppBuilder's runs.run answers once the run stopped: it may have ended already.
        say(f"  run {run.id}: nothing to cancel (the run had ended when it was answered)")
    elif plan.cancel:
        run = client.cancel(thread_id, run.id)
        say(f"  run {run.id}: {run.status} (cancel requested: the scenario scripts what follows)")
    rounds = plan.tool_rounds()
    shown = run.status
    for _ in range(MAX_REQUESTS_PER_RUN):
        if run.status in TERMINAL_STATUSES:
            return RunOutcome(plan, thread_id, run.id, run.status, run.detail)
        if run.status == "requires_action" and run.calls:
            step = rounds.pop(0) if rounds else None
            outputs: list[tuple[str, str]] = []
            for call in run.calls:
                output = tool_output(call.name, call.id, call.arguments, step)
                say(f"    tool call {call.name}({call.arguments}) → {output}")
                outputs.append((call.id, output))
            try:
                run = client.submit(thread_id, run.id, outputs)
                say(f"  run {run.id}: {run.status} (tool outputs submitted)")
            except OutputsRefused as error:
                say(f"    the outputs were refused: {error}")
                run = client.retrieve(thread_id, run.id)
            shown = run.status
            continue
        run = client.retrieve(thread_id, run.id)
        if run.status != shown:
            say(f"  run {run.id}: {run.status}")
            shown = run.status
    if run.status in TERMINAL_STATUSES:  # the last request's answer
        return RunOutcome(plan, thread_id, run.id, run.status, run.detail)
    detail = f"still {run.status} after {MAX_REQUESTS_PER_RUN} requests"
    return RunOutcome(plan, thread_id, run.id, None, detail)
