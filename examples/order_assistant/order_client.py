"""An order-total assistant: the client code under test. It knows nothing of harness.

The assistant answers questions about orders and calls ``calculate_order_total`` to price
them. :meth:`OrderAssistant.ask` drives one run to its end: it polls at the pace the server
asks for, answers tool calls, and stops at every terminal status, not only ``completed``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import openai

PRICES: Mapping[str, Decimal] = {
    "widget": Decimal("2.50"),
    "gadget": Decimal("12.00"),
    "gizmo": Decimal("7.25"),
}
"""Unit price of each item type, in USD."""

TERMINAL = frozenset({"completed", "failed", "cancelled", "expired", "incomplete"})
"""Statuses a run never leaves: polling must stop at every one of them."""

CALCULATE_ORDER_TOTAL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "calculate_order_total",
        "description": "Total price of an order, in USD.",
        "parameters": {
            "type": "object",
            "properties": {
                "items": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "item_type": {"type": "string", "enum": sorted(PRICES)},
                            "quantity": {"type": "integer", "minimum": 1},
                        },
                        "required": ["item_type", "quantity"],
                    },
                }
            },
            "required": ["items"],
        },
    },
}


class OrderError(ValueError):
    """An order the tool cannot price."""


def calculate_order_total(items: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """``{"total": "19.50", "currency": "USD"}`` for a list of ``{item_type, quantity}``."""
    total = Decimal("0")
    for item in items:
        item_type, quantity = item.get("item_type"), item.get("quantity")
        if not isinstance(item_type, str) or item_type not in PRICES:
            known = ", ".join(sorted(PRICES))
            raise OrderError(f"unknown item_type {item_type!r}; we sell: {known}")
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
            raise OrderError(f"quantity of {item_type} must be a positive integer")
        total += PRICES[item_type] * quantity
    return {"total": f"{total:.2f}", "currency": "USD"}


def run_tool(name: str, arguments: str) -> str:
    """The output of one tool call, as JSON text; problems go back to the model as errors."""
    if name != "calculate_order_total":
        return json.dumps({"error": f"unknown tool {name!r}"})
    try:
        parsed = json.loads(arguments or "{}")
        return json.dumps(calculate_order_total(parsed["items"]))
    except (OrderError, KeyError, TypeError, ValueError, AttributeError) as error:
        return json.dumps({"error": str(error)})


@dataclass(frozen=True)
class Answer:
    """How a question ended."""

    status: str
    """The run's final status."""
    text: str
    """What the assistant wrote (possibly cut short; empty when it wrote nothing)."""
    run_id: str
    thread_id: str
    problem: str | None = None
    """Why there is no full answer: ``last_error`` code, incomplete reason, ``expired``…"""

    @property
    def ok(self) -> bool:
        return self.status == "completed"


class OrderAssistant:
    """Ask the order assistant questions; each question is one thread and one run."""

    def __init__(
        self,
        client: openai.OpenAI,
        *,
        model: str = "gpt-4o",
        max_wait_s: float = 120.0,
        default_poll_s: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.model = model
        self.max_wait_s = max_wait_s
        self.default_poll_s = default_poll_s
        self._sleep = sleep
        self._clock = clock
        self.assistant_id: str | None = None

    def setup(self) -> str:
        """Create the assistant (once)."""
        if self.assistant_id is None:
            assistant = self.client.beta.assistants.create(
                model=self.model,
                name="Order assistant",
                instructions="Price orders with calculate_order_total; never guess a price.",
                tools=[CALCULATE_ORDER_TOTAL],  # type: ignore[list-item]
            )
            self.assistant_id = assistant.id
        return self.assistant_id

    def ask(self, question: str) -> Answer:
        """Ask one question and wait for the run to end, answering its tool calls."""
        assistant_id = self.setup()
        thread = self.client.beta.threads.create(messages=[{"role": "user", "content": question}])
        run = self.client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant_id)
        return self._finish(thread.id, run)

    # -- the run's lifecycle ------------------------------------------------------------------

    def _finish(self, thread_id: str, run: Any) -> Answer:
        deadline = self._clock() + self.max_wait_s
        wait = 0.0
        while True:
            if run.status in TERMINAL:
                return self._answer(thread_id, run)
            if run.status == "requires_action":
                run = self._submit(thread_id, run)
                wait = 0.0
                continue
            if self._clock() >= deadline:
                return self._give_up(thread_id, run)
            if wait:
                self._sleep(wait)
            run, wait = self._retrieve(thread_id, run.id)

    def _retrieve(self, thread_id: str, run_id: str) -> tuple[Any, float]:
        """The run, and how long the server asks us to wait before the next poll."""
        raw = self.client.beta.threads.runs.with_raw_response.retrieve(run_id, thread_id=thread_id)
        poll_after = raw.headers.get("openai-poll-after-ms")
        wait = int(poll_after) / 1000 if poll_after else self.default_poll_s
        return raw.parse(), wait

    def _submit(self, thread_id: str, run: Any) -> Any:
        calls = run.required_action.submit_tool_outputs.tool_calls
        try:
            return self.client.beta.threads.runs.submit_tool_outputs(
                run.id,
                thread_id=thread_id,
                tool_outputs=[
                    {
                        "tool_call_id": call.id,
                        "output": run_tool(call.function.name, call.function.arguments),
                    }
                    for call in calls
                ],
            )
        except openai.BadRequestError:
            # The run may have moved on without us (it expired, or was cancelled): look.
            latest = self.client.beta.threads.runs.retrieve(run.id, thread_id=thread_id)
            if latest.status == "requires_action":
                raise
            return latest

    def _give_up(self, thread_id: str, run: Any) -> Answer:
        """Cancel a run that takes too long, and report how it ended."""
        if run.status != "cancelling":
            run = self.client.beta.threads.runs.cancel(run.id, thread_id=thread_id)
        while run.status not in TERMINAL:
            run, wait = self._retrieve(thread_id, run.id)
            if run.status not in TERMINAL:
                self._sleep(wait)
        answer = self._answer(thread_id, run)
        return Answer(
            answer.status,
            answer.text,
            answer.run_id,
            thread_id,
            f"gave up after {self.max_wait_s:g} s",
        )

    def _answer(self, thread_id: str, run: Any) -> Answer:
        messages = self.client.beta.threads.messages.list(thread_id, run_id=run.id, order="asc")
        text = "\n".join(
            block.text.value
            for message in messages.data
            if message.role == "assistant"
            for block in message.content
            if block.type == "text"
        )
        problem: str | None = None
        if run.status == "failed" and run.last_error is not None:
            problem = f"{run.last_error.code}: {run.last_error.message}"
        elif run.status == "incomplete" and run.incomplete_details is not None:
            problem = f"incomplete: {run.incomplete_details.reason}"
        elif run.status in ("cancelled", "expired"):
            problem = run.status
        return Answer(run.status, text, run.id, thread_id, problem)
