"""The demo's :class:`~harness.demo.driver.DemoClient` over the openai SDK (``OpenAI`` or
``AzureOpenAI``: the same calls on both wires)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from harness.demo.driver import OutputsRefused, RunView, ToolCallView
from harness.demo.plan import RunPlan

if TYPE_CHECKING:
    import openai

__all__ = ["OpenAIClient"]


class OpenAIClient:
    def __init__(self, client: openai.OpenAI) -> None:
        import openai

        self.client = client
        self.api_errors: tuple[type[BaseException], ...] = (openai.APIError,)

    def create_assistant(self, tools: Sequence[dict[str, Any]]) -> str:
        assistant = self.client.beta.assistants.create(
            model="gpt-4o",
            name="harness demo",
            tools=list(tools),  # type: ignore[arg-type]
        )
        return assistant.id

    def start(self, plan: RunPlan, assistant_id: str) -> tuple[str, RunView]:
        threads = self.client.beta.threads
        thread_id = plan.thread_id or threads.create().id
        threads.messages.create(thread_id, role="user", content=plan.question)
        run = threads.runs.create(
            thread_id=thread_id, assistant_id=assistant_id, metadata=plan.metadata or None
        )
        return thread_id, _view(run)

    def cancel(self, thread_id: str, run_id: str) -> RunView:
        return _view(self.client.beta.threads.runs.cancel(run_id, thread_id=thread_id))

    def submit(self, thread_id: str, run_id: str, outputs: list[tuple[str, str]]) -> RunView:
        import openai

        given = [{"tool_call_id": call_id, "output": output} for call_id, output in outputs]
        try:
            run = self.client.beta.threads.runs.submit_tool_outputs(
                run_id,
                thread_id=thread_id,
                tool_outputs=given,  # type: ignore[arg-type]
            )
        except openai.BadRequestError as error:
            raise OutputsRefused(error.message) from None
        return _view(run)

    def retrieve(self, thread_id: str, run_id: str) -> RunView:
        return _view(self.client.beta.threads.runs.retrieve(run_id, thread_id=thread_id))

    def texts(self, thread_id: str) -> list[tuple[str, str]]:
        return [
            (message.role, block.text.value)
            for message in self.client.beta.threads.messages.list(thread_id, order="asc")
            for block in message.content
            if block.type == "text"
        ]


def _view(run: Any) -> RunView:
    calls: tuple[ToolCallView, ...] = ()
    if run.required_action is not None:
        calls = tuple(
            ToolCallView(call.id, call.function.name, call.function.arguments)
            for call in run.required_action.submit_tool_outputs.tool_calls
        )
    detail = ""
    if run.last_error is not None:
        detail = f"last_error {run.last_error.code}: {run.last_error.message}"
    elif run.incomplete_details is not None:
        detail = f"incomplete: {run.incomplete_details.reason}"
    return RunView(run.id, run.status, calls, detail)
