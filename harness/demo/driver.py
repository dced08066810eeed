"""Send a :class:`~harness.demo.plan.DemoPlan` with the openai SDK and record how each run ended."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from harness.demo.plan import DemoPlan, RunPlan, tool_output
from harness.lifecycle import TERMINAL_STATUSES

if TYPE_CHECKING:
    import openai

__all__ = ["MAX_REQUESTS_PER_RUN", "RunOutcome", "drive"]

MAX_REQUESTS_PER_RUN = 500
"""A run still going after this many requests is reported as never ending, not waited for."""


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


def drive(client: openai.OpenAI, plan: DemoPlan, say: Callable[[str], None]) -> list[RunOutcome]:
    """Drive every planned run to its end; what happens is told through ``say``."""
    import openai

    own_assistant: str | None = None
    outcomes: list[RunOutcome] = []
    for run_plan in plan.runs:
        assistant_id = run_plan.assistant_id
        if assistant_id is None:
            if own_assistant is None:
                own_assistant = client.beta.assistants.create(
                    model="gpt-4o",
                    name="harness demo",
                    tools=list(plan.tools),  # type: ignore[arg-type]
                ).id
                names = ", ".join(tool["function"]["name"] for tool in plan.tools)
                say(f"  assistant {own_assistant} with tools: {names}")
            assistant_id = own_assistant
        try:
            outcomes.append(_drive_one(client, run_plan, assistant_id, say))
        except openai.APIError as error:
            outcomes.append(RunOutcome(run_plan, None, None, None, f"the API answered: {error}"))
    return outcomes


def _drive_one(
    client: openai.OpenAI, plan: RunPlan, assistant_id: str, say: Callable[[str], None]
) -> RunOutcome:
    import openai

    thread_id = plan.thread_id or client.beta.threads.create().id
    client.beta.threads.messages.create(thread_id, role="user", content=plan.question)
    say(f"run {plan.number}: thread {thread_id}: user asks {plan.question!r}")
    run = client.beta.threads.runs.create(
        thread_id=thread_id, assistant_id=assistant_id, metadata=plan.metadata or None
    )
    say(f"  run {run.id}: {run.status}")
    if plan.cancel:
        run = client.beta.threads.runs.cancel(run.id, thread_id=thread_id)
        say(f"  run {run.id}: {run.status} (cancel requested: the scenario scripts what follows)")
    rounds = plan.tool_rounds()
    shown = run.status
    for _ in range(MAX_REQUESTS_PER_RUN):
        if run.status in TERMINAL_STATUSES:
            return RunOutcome(plan, thread_id, run.id, run.status, _detail(run))
        if run.status == "requires_action" and run.required_action is not None:
            step = rounds.pop(0) if rounds else None
            outputs: list[Any] = []
            for call in run.required_action.submit_tool_outputs.tool_calls:
                output = tool_output(call.function.name, call.id, call.function.arguments, step)
                say(f"    tool call {call.function.name}({call.function.arguments}) → {output}")
                outputs.append({"tool_call_id": call.id, "output": output})
            try:
                run = client.beta.threads.runs.submit_tool_outputs(
                    run.id, thread_id=thread_id, tool_outputs=outputs
                )
                say(f"  run {run.id}: {run.status} (tool outputs submitted)")
            except openai.BadRequestError as error:
                say(f"    the outputs were refused: {error.message}")
                run = client.beta.threads.runs.retrieve(run.id, thread_id=thread_id)
            shown = run.status
            continue
        run = client.beta.threads.runs.retrieve(run.id, thread_id=thread_id)
        if run.status != shown:
            say(f"  run {run.id}: {run.status}")
            shown = run.status
    if run.status in TERMINAL_STATUSES:  # the last request's answer
        return RunOutcome(plan, thread_id, run.id, run.status, _detail(run))
    detail = f"still {run.status} after {MAX_REQUESTS_PER_RUN} requests"
    return RunOutcome(plan, thread_id, run.id, None, detail)


def _detail(run: Any) -> str:
    if run.last_error is not None:
        return f"last_error {run.last_error.code}: {run.last_error.message}"
    if run.incomplete_details is not None:
        return f"incomplete: {run.incomplete_details.reason}"
    return ""
