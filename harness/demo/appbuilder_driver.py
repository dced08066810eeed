"""Send a :class:`~harness.demo.plan.DemoPlan` with appbuilder-sdk and record how each run ended.

appbuilder-sdk reads its server from the environment on every call (``GATEWAY_URL``,
``APPBUILDER_TOKEN``): :func:`pointed_at` points it at the fake for a while. Its ``runs.run``
answers only when the run stops for the client or ends, so a cancellation the plan asks for
reaches a run waiting for tool outputs, or none (the run has ended by then).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from harness.demo.driver import MAX_REQUESTS_PER_RUN, RunOutcome
from harness.demo.plan import DemoPlan, RunPlan, tool_output
from harness.lifecycle import TERMINAL_STATUSES

__all__ = ["drive", "pointed_at", "say_messages"]

_ASSISTANT_NAME = "harness-demo"
"""AppBuilder's names allow letters, digits, ``_`` and ``-`` only."""


@contextmanager
def pointed_at(url: str, token: str = "harness-demo") -> Iterator[None]:
    """appbuilder-sdk pointed at ``url`` inside the block, its error log quiet (the demo tells
    each error itself); the environment and the SDK's logger as they were after."""
    names = ("GATEWAY_URL", "APPBUILDER_TOKEN")
    saved = {name: os.environ.get(name) for name in names}
    sdk_log = logging.getLogger("appbuilder")
    was_disabled = sdk_log.disabled
    os.environ["GATEWAY_URL"], os.environ["APPBUILDER_TOKEN"] = url, token
    sdk_log.disabled = True
    try:
        yield
    finally:
        sdk_log.disabled = was_disabled
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def drive(plan: DemoPlan, say: Callable[[str], None]) -> list[RunOutcome]:
    """Drive every planned run to its end; what happens is told through ``say``."""
    import appbuilder
    from appbuilder.core._exception import BaseRPCException

    own_assistant: str | None = None
    outcomes: list[RunOutcome] = []
    for run_plan in plan.runs:
        assistant_id = run_plan.assistant_id
        if assistant_id is None:
            if own_assistant is None:
                own_assistant = appbuilder.assistant.assistants.create(
                    name=_ASSISTANT_NAME,
                    description="",
                    instructions="",
                    tools=_wire_tools(plan.tools),
                ).id
                names = ", ".join(tool["function"]["name"] for tool in plan.tools)
                say(f"  assistant {own_assistant} with tools: {names}")
            assistant_id = own_assistant
        try:
            outcomes.append(_drive_one(run_plan, assistant_id, say))
        except BaseRPCException as error:
            outcomes.append(RunOutcome(run_plan, None, None, None, f"the API answered: {error}"))
    return outcomes


def say_messages(thread_id: str, say: Callable[[str], None]) -> None:
    """Every text of the thread, oldest first."""
    import appbuilder

    page = appbuilder.assistant.threads.messages.list(thread_id=thread_id, order="asc")
    for message in page.data:
        role = getattr(message.role, "value", message.role)
        for block in message.content or ():
            if block.type == "text":
                say(f"  {role}: {block.text.value}")


def _drive_one(plan: RunPlan, assistant_id: str, say: Callable[[str], None]) -> RunOutcome:
    import appbuilder
    from appbuilder.core._exception import BadRequestException
    from appbuilder.core.assistant.type import thread_type

    threads = appbuilder.assistant.threads
    if plan.thread_id is not None:
        thread_id = plan.thread_id
        threads.messages.create(thread_id=thread_id, content=plan.question)
    else:
        first = thread_type.AssistantMessage(content=plan.question)
        thread_id = threads.create(messages=[first]).id
    say(f"run {plan.number}: thread {thread_id}: user asks {plan.question!r}")
    run = threads.runs.run(
        assistant_id=assistant_id, thread_id=thread_id, metadata=dict(plan.metadata)
    )
    say(f"  run {run.id}: {run.status}")
    if plan.cancel and run.status in TERMINAL_STATUSES:
        say(f"  run {run.id}: nothing to cancel (runs.run answered once the run had ended)")
    elif plan.cancel:
        run = threads.runs.cancel(run_id=run.id, thread_id=thread_id)
        say(f"  run {run.id}: {run.status} (cancel requested: the scenario scripts what follows)")
    rounds = plan.tool_rounds()
    shown = run.status
    for _ in range(MAX_REQUESTS_PER_RUN):
        if run.status in TERMINAL_STATUSES:
            return RunOutcome(plan, thread_id, run.id, run.status, _detail(run))
        action = run.required_action
        if run.status == "requires_action" and action is not None and action.submit_tool_outputs:
            step = rounds.pop(0) if rounds else None
            outputs: list[Any] = []
            for call in action.submit_tool_outputs.tool_calls or ():
                output = tool_output(call.function.name, call.id, call.function.arguments, step)
                say(f"    tool call {call.function.name}({call.function.arguments}) → {output}")
                outputs.append(thread_type.ToolOutput(tool_call_id=call.id, output=output))
            try:
                run = threads.runs.submit_tool_outputs(
                    run_id=run.id, thread_id=thread_id, tool_outputs=outputs
                )
                say(f"  run {run.id}: {run.status} (tool outputs submitted)")
            except BadRequestException as error:
                say(f"    the outputs were refused: {error}")
                run = threads.runs.query(thread_id=thread_id, run_id=run.id)
            shown = run.status
            continue
        run = threads.runs.query(thread_id=thread_id, run_id=run.id)
        if run.status != shown:
            say(f"  run {run.id}: {run.status}")
            shown = run.status
    if run.status in TERMINAL_STATUSES:  # the last request's answer
        return RunOutcome(plan, thread_id, run.id, run.status, _detail(run))
    detail = f"still {run.status} after {MAX_REQUESTS_PER_RUN} requests"
    return RunOutcome(plan, thread_id, run.id, None, detail)


def _wire_tools(tools: tuple[dict[str, Any], ...]) -> list[dict[str, Any]]:
    """The plan's function tools as AppBuilder's ``AssistantTool``: a description is required."""
    wire: list[dict[str, Any]] = []
    for tool in tools:
        function = dict(tool["function"])
        function.setdefault("description", "")
        wire.append({"type": "function", "function": function})
    return wire


def _detail(run: Any) -> str:
    if run.last_error is not None and (run.last_error.type or run.last_error.message):
        return f"last_error {run.last_error.type}: {run.last_error.message}"
    return ""
