"""The demo's :class:`~harness.demo.driver.DemoClient` over appbuilder-sdk.

appbuilder-sdk reads its server from the environment on every call (``GATEWAY_URL``,
``APPBUILDER_TOKEN``): :func:`pointed_at` points it at the fake for a while. Its ``runs.run``
answers only when the run stops for the client or ends, so a cancellation the plan asks for
reaches a run waiting for tool outputs, or none (the run has ended by then).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from harness.demo.driver import OutputsRefused, RunView, ToolCallView
from harness.demo.plan import RunPlan

__all__ = ["AppBuilderClient", "pointed_at"]

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


class AppBuilderClient:
    def __init__(self) -> None:
        import appbuilder
        from appbuilder.core._exception import BaseRPCException

        self.sdk = appbuilder.assistant
        self.api_errors: tuple[type[BaseException], ...] = (BaseRPCException,)

    def create_assistant(self, tools: Sequence[dict[str, Any]]) -> str:
        assistant = self.sdk.assistants.create(
            name=_ASSISTANT_NAME, description="", instructions="", tools=_wire_tools(tools)
        )
        return str(assistant.id)

    def start(self, plan: RunPlan, assistant_id: str) -> tuple[str, RunView]:
        from appbuilder.core.assistant.type import thread_type

        threads = self.sdk.threads
        if plan.thread_id is not None:
            thread_id = plan.thread_id
            threads.messages.create(thread_id=thread_id, content=plan.question)
        else:
            first = thread_type.AssistantMessage(content=plan.question)
            thread_id = threads.create(messages=[first]).id
        run = threads.runs.run(
            assistant_id=assistant_id, thread_id=thread_id, metadata=dict(plan.metadata)
        )
        return thread_id, _view(run)

    def cancel(self, thread_id: str, run_id: str) -> RunView:
        return _view(self.sdk.threads.runs.cancel(run_id=run_id, thread_id=thread_id))

    def submit(self, thread_id: str, run_id: str, outputs: list[tuple[str, str]]) -> RunView:
        from appbuilder.core._exception import BadRequestException
        from appbuilder.core.assistant.type import thread_type

        given = [thread_type.ToolOutput(tool_call_id=call, output=out) for call, out in outputs]
        try:
            run = self.sdk.threads.runs.submit_tool_outputs(
                run_id=run_id, thread_id=thread_id, tool_outputs=given
            )
        except BadRequestException as error:
            raise OutputsRefused(str(error)) from None
        return _view(run)

    def retrieve(self, thread_id: str, run_id: str) -> RunView:
        return _view(self.sdk.threads.runs.query(thread_id=thread_id, run_id=run_id))

    def texts(self, thread_id: str) -> list[tuple[str, str]]:
        page = self.sdk.threads.messages.list(thread_id=thread_id, order="asc")
        return [
            (str(getattr(message.role, "value", message.role)), block.text.value)
            for message in page.data
            for block in message.content or ()
            if block.type == "text"
        ]


def _view(run: Any) -> RunView:
    action = run.required_action
    calls: tuple[ToolCallView, ...] = ()
    if run.status == "requires_action" and action is not None and action.submit_tool_outputs:
        calls = tuple(
            ToolCallView(call.id, call.function.name, call.function.arguments)
            for call in action.submit_tool_outputs.tool_calls or ()
        )
    detail = ""
    if run.last_error is not None and (run.last_error.type or run.last_error.message):
        detail = f"last_error {run.last_error.type}: {run.last_error.message}"
    return RunView(run.id, run.status, calls, detail)


def _wire_tools(tools: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The plan's function tools as AppBuilder's ``AssistantTool``: a description is required."""
    wire: list[dict[str, Any]] = []
    for tool in tools:
        function = dict(tool["function"])
        function.setdefault("description", "")
        wire.append({"type": "function", "function": function})
    return wire
