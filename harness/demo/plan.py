"""What the demo sends for a scenario: its tools, one question per scripted run, its endings."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from harness import lifecycle
from harness.scenario.model import OutputExpectation, RunScript, Scenario, StepSpec
from harness.schemas.instances import example_instance

__all__ = ["DemoPlan", "RunPlan", "plan_for", "tool_output"]

WEATHER_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather of a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}
"""The demo's own tool when the scenario names none (its calls bind to declared tools)."""

_DEFAULT_CANCEL = ("cancelling", "cancelled")


@dataclass(frozen=True)
class RunPlan:
    """One run the demo creates, for one run script of the scenario."""

    number: int
    """1-based, in the order the scenario lists its scripts."""
    script: RunScript | None
    """``None``: no script, the server's default behaviour."""
    question: str
    assistant_id: str | None = None
    """A seeded assistant the script matches; ``None``: the demo's own assistant."""
    thread_id: str | None = None
    """A seeded thread the script matches; ``None``: a new thread."""
    metadata: dict[str, str] = field(default_factory=dict)
    cancel: bool = False
    """Ask to cancel: the script's own ``on_cancel`` is what it is about."""
    endings: frozenset[str] = frozenset()
    """The statuses the run may end in as scripted; empty accepts any terminal status.
    A tool call with ``expires_after_s`` may expire as well as be answered in time."""

    def tool_rounds(self) -> list[StepSpec]:
        """The script's ``requires_action`` steps, in the order the run meets them."""
        if self.script is None:
            return []
        steps = [*self.script.steps, *(self.script.on_cancel if self.cancel else ())]
        return [step for step in steps if step.status == "requires_action"]


@dataclass(frozen=True)
class DemoPlan:
    tools: tuple[dict[str, Any], ...]
    """The function tools of the demo's own assistant."""
    runs: tuple[RunPlan, ...]


def plan_for(scenario: Scenario | None) -> DemoPlan:
    """The demo of ``scenario``: every run script driven once, in order."""
    tools = _tools(scenario)
    names = {tool["function"]["name"] for tool in tools}
    default_question = "What is the weather in Paris?" if "get_weather" in names else "Hello!"
    if scenario is None or not scenario.runs:
        script = scenario.default_run if scenario is not None else None
        endings = _endings(script.steps) if script is not None else frozenset({"completed"})
        return DemoPlan(tools, (RunPlan(1, script, default_question, endings=endings),))
    seeded_assistants = {assistant.id for assistant in scenario.assistants}
    seeded_threads = {thread.id for thread in scenario.threads}
    runs = []
    for number, script in enumerate(scenario.runs, 1):
        match = script.match
        cancel = _custom_cancellation(script)
        question = default_question
        assistant_id = match.assistant_id if match.assistant_id in seeded_assistants else None
        if match.content is not None:
            question = str(example_instance({"type": "string", "pattern": match.content}))
        runs.append(
            RunPlan(
                number,
                script,
                question,
                assistant_id=assistant_id,
                thread_id=match.thread_id if match.thread_id in seeded_threads else None,
                metadata=dict(match.metadata),
                cancel=cancel,
                endings=_endings((*script.steps, *script.on_cancel) if cancel else script.steps),
            )
        )
    return DemoPlan(tools, tuple(runs))


def tool_output(name: str, call_id: str, arguments: str, step: StepSpec | None) -> str:
    """An output for one call that meets the step's expectations for it (schema, pattern)."""
    expectation = _expectation(step, name, call_id)
    if expectation is not None and expectation.output_schema is not None:
        return json.dumps(example_instance(expectation.output_schema))
    if expectation is not None and expectation.output_matches is not None:
        return str(example_instance({"type": "string", "pattern": expectation.output_matches}))
    try:
        parsed = json.loads(arguments or "{}")
    except ValueError:
        parsed = arguments
    return json.dumps({"tool": name, "arguments": parsed, "result": "ok"})


def _tools(scenario: Scenario | None) -> tuple[dict[str, Any], ...]:
    """A function tool for every function the scenario's scripts call by name."""
    names: list[str] = []
    scripts = [] if scenario is None else [*scenario.runs, scenario.default_run]
    for script in scripts:
        if script is None:
            continue
        for step in (*script.steps, *script.on_cancel):
            for call in step.tool_calls:
                if call.name is not None and call.name not in names:
                    names.append(call.name)
    if not names:
        return (WEATHER_TOOL,)
    return tuple(
        WEATHER_TOOL
        if name == "get_weather"
        else {"type": "function", "function": {"name": name, "parameters": {"type": "object"}}}
        for name in names
    )


def _custom_cancellation(script: RunScript) -> bool:
    statuses = tuple(step.status for step in script.on_cancel)
    return statuses != _DEFAULT_CANCEL or any(step.activity for step in script.on_cancel)


def _endings(steps: tuple[StepSpec, ...]) -> frozenset[str]:
    last = steps[-1].status if steps else None
    if last is None or not lifecycle.is_terminal(last):
        return frozenset()
    expiring = any(step.expires_after_s is not None for step in steps)
    return frozenset({last, "expired"} if expiring else {last})


def _expectation(step: StepSpec | None, name: str, call_id: str) -> OutputExpectation | None:
    if step is None:
        return None
    for expectation in step.expect_outputs:
        if expectation.tool in (None, name, call_id):
            return expectation
    return None
