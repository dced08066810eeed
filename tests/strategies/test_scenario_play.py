"""Generated scenarios, played by the fake server, show a polling client exactly their script."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings

from harness import AssistantsAPI, ServerConfig, lifecycle, schemas
from harness.core import ApiRequest
from harness.core.journal import format_timeline
from harness.scenario.model import RunScript, Scenario
from harness.strategies import SCENARIO_ASSISTANT_ID, polled_statuses, scenarios

HEADERS = {
    "authorization": "Bearer sk-test",
    "openai-beta": "assistants=v2",
    "content-type": "application/json",
}


def _call(api: AssistantsAPI, method: str, path: str, body: Any = None) -> dict[str, Any]:
    raw = b"" if body is None else json.dumps(body).encode()
    response = api.handle(ApiRequest(method, path, (), HEADERS, raw))
    assert response.status == 200, (method, path, response.body)
    kind = schemas.kind_of(response.body)
    assert kind is not None
    schemas.validate(kind, response.body)
    result: dict[str, Any] = response.body
    return result


def _play(api: AssistantsAPI, script: RunScript) -> tuple[str, list[str]]:
    """Create a run, poll it, answer each tool call; the statuses the client was shown."""
    thread = _call(api, "POST", "/threads", {"messages": [{"role": "user", "content": "go"}]})
    path = f"/threads/{thread['id']}/runs"
    run = _call(api, "POST", path, {"assistant_id": SCENARIO_ASSISTANT_ID})
    shown = [run["status"]]
    for _ in range(200):
        if lifecycle.is_terminal(run["status"]):
            break
        if run["status"] == "requires_action":
            calls = run["required_action"]["submit_tool_outputs"]["tool_calls"]
            outputs = [{"tool_call_id": call["id"], "output": "ok"} for call in calls]
            run = _call(
                api, "POST", f"{path}/{run['id']}/submit_tool_outputs", {"tool_outputs": outputs}
            )
        else:
            run = _call(api, "GET", f"{path}/{run['id']}")
        shown.append(run["status"])
    return run["id"], shown


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(max_runs=3, max_length=10, max_polls=3))
def test_played_scenario_shows_exactly_the_script(scenario: Scenario) -> None:
    api = AssistantsAPI(ServerConfig(validate_responses=True), scenario)
    for script in scenario.runs:
        run_id, shown = _play(api, script)
        assert shown == polled_statuses(script), script.name
        assert api.state.journal.timeline(run_id) == format_timeline(shown)
        assert lifecycle.check_sequence(shown) == []
    assert api.state.scripts.unused() == []
    assert api.state.journal.violations == []
