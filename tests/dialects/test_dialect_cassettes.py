"""Cassettes of every dialect: recorded through the proxy, validated with that wire's schemas,
and replayed to the real SDKs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openai
import pytest
import yaml

appbuilder = pytest.importorskip("appbuilder")
from appbuilder.core.assistant.type import thread_type  # noqa: E402

from harness import FakeServer  # noqa: E402
from harness.cassettes import load_cassette, recording_proxy_app, replay_app  # noqa: E402
from harness.cassettes.checks import cassette_problems  # noqa: E402
from harness.dialects.recorded import CASSETTE_SURFACES  # noqa: E402
from harness.server.runner import AppServer  # noqa: E402
from harness.surfaces import operation_of  # noqa: E402


def _surface_of(method: str, uri: str) -> tuple[str, str, str] | None:
    """``(surface, wire, operation path)`` of a recorded request, or None."""
    found = operation_of(method, uri, CASSETTE_SURFACES)
    return None if found is None else (found.surface.name, found.surface.wire, found.path)


def _surfaces(cassette: Any) -> set[str]:
    return {_surface_of(i.request.method, i.request.uri)[0] for i in cassette}  # type: ignore[index]


def _appbuilder_flow() -> tuple[str, str]:
    """A polled run and a streamed run; the two answers' texts."""
    assistant = appbuilder.assistant.assistants.create(name="rec", description="", instructions="x")
    thread = appbuilder.assistant.threads.create(
        messages=[thread_type.AssistantMessage(content="hello")]
    )
    run = appbuilder.assistant.threads.runs.run(thread_id=thread.id, assistant_id=assistant.id)
    events = list(
        appbuilder.assistant.threads.runs.stream_run(thread_id=thread.id, assistant_id=assistant.id)
    )
    streamed = events[-1].details.run_object.final_answer.message.content[0].text.value
    return run.final_answer.message.content[0].text.value, streamed


def test_appbuilder_records_validates_and_replays(
    appbuilder_server: FakeServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "appbuilder.yaml"
    with AppServer(recording_proxy_app(appbuilder_server.url, path)) as proxy:
        monkeypatch.setenv("GATEWAY_URL", proxy.url)
        recorded = _appbuilder_flow()
    cassette = load_cassette(path)
    assert _surfaces(cassette) == {"appbuilder"}
    assert cassette_problems(cassette) == []
    assert "your_appbuilder_token" not in path.read_text()

    with AppServer(replay_app(cassette)) as replay:
        monkeypatch.setenv("GATEWAY_URL", replay.url)
        assert _appbuilder_flow() == recorded

    # It converts into a scenario that tells the same story when its requests are sent again.
    from harness.cli import main

    scenario = tmp_path / "converted.yaml"
    assert main(["convert", str(path), "-o", str(scenario), "--verify"]) == 0
    assert "plays the same story" in capsys.readouterr().out
    assert [len(run["steps"]) > 0 for run in yaml.safe_load(scenario.read_text())["runs"]] == [
        True,
        True,
    ]

    # The AppBuilder schemas judge the recording: a null timestamp is named where it is.
    broken = _with_body(cassette, "/v2/threads", lambda body: {**body, "created_at": None})
    problems = cassette_problems(broken)
    assert [p.where for p in problems] == ["interactions[1].response"]
    assert "created_at" in problems[0].message


def _with_body(cassette: Any, path: str, change: Any) -> Any:
    from dataclasses import replace

    interactions = []
    for interaction in cassette:
        if interaction.request.path == path:
            body = change(json.loads(interaction.response.content))
            response = replace(interaction.response, body=json.dumps(body))
            interaction = replace(interaction, response=response)
        interactions.append(interaction)
    return type(cassette)(interactions)


def test_azure_openai_records_validates_and_replays(tmp_path: Path) -> None:
    path = tmp_path / "azure.yaml"

    def flow(endpoint: str) -> str:
        client = openai.AzureOpenAI(
            azure_endpoint=endpoint, api_key="azure-key", api_version="2024-05-01-preview"
        )
        assistant = client.beta.assistants.create(model="gpt-4o")
        thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
        run = client.beta.threads.runs.create_and_poll(
            thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=0
        )
        return run.status

    with (
        FakeServer(dialect="azure") as server,
        AppServer(recording_proxy_app(server.url, path)) as proxy,
    ):
        assert flow(proxy.url) == "completed"
    cassette = load_cassette(path)
    assert _surfaces(cassette) == {"azure-openai"}
    assert cassette_problems(cassette) == []
    assert "azure-key" not in path.read_text()
    with AppServer(replay_app(cassette)) as replay:
        assert flow(replay.url) == "completed"
    broken = _with_body(
        cassette, "/openai/assistants", lambda body: {**body, "created_at": "yesterday"}
    )
    assert len(cassette_problems(broken)) == 1


def test_surfaces_name_each_wire() -> None:
    assert _surface_of("GET", "/v1/threads") == ("openai", "assistants", "/threads")
    assert _surface_of("POST", "/api/projects/p/threads/t/runs?api-version=v1") == (
        "azure-foundry",
        "assistants",
        "/threads/t/runs",
    )
    assert _surface_of("POST", "http://h/prefix/v2/threads/runs/steps/list/") == (
        "appbuilder",
        "appbuilder",
        "/v2/threads/runs/steps/list",
    )
    assert _surface_of("POST", "/v2/unknown") is None
    assert _surface_of("POST", "/v2/threads/runs/steps/lists") is None
    assert _surface_of("GET", "/__harness/journal") is None


def test_a_surface_of_an_unknown_wire_is_listed_unchecked() -> None:
    from harness.cassettes import Cassette, Interaction, Request, Response
    from harness.cassettes.checks import check_cassette
    from harness.surfaces import Surface

    other = Surface(name="other", title="Other", prefix="", operations=("/x/do",), wire="other")
    answer = Response(200, headers={"content-type": "application/json"}, body=b"{}")
    cassette = Cassette([Interaction(Request("POST", "http://h/x/do"), answer)])
    report = check_cassette(cassette, surfaces=(other,))
    assert report.checked == 0
    assert [u.reason for u in report.unchecked] == ["no check knows the 'other' wire"]


def test_an_azure_recording_converts_to_a_scenario(tmp_path: Path) -> None:
    from harness.cassettes.convert import scenario_document
    from harness.scenario import load_scenario

    path = tmp_path / "azure-tools.yaml"
    tool = {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    }
    with (
        FakeServer(dialect="azure") as server,
        AppServer(recording_proxy_app(server.url, path)) as proxy,
    ):
        server.api.load_scenario(load_scenario("builtin:tool-call-then-completed"))
        client = openai.AzureOpenAI(
            azure_endpoint=proxy.url, api_key="k", api_version="2024-05-01-preview"
        )
        assistant = client.beta.assistants.create(model="gpt-4o", tools=[tool])  # type: ignore[list-item]
        thread = client.beta.threads.create(messages=[{"role": "user", "content": "Paris?"}])
        run = client.beta.threads.runs.create_and_poll(
            thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=0
        )
        assert run.required_action is not None
        call = run.required_action.submit_tool_outputs.tool_calls[0]
        run = client.beta.threads.runs.submit_tool_outputs_and_poll(
            run_id=run.id,
            thread_id=thread.id,
            tool_outputs=[{"tool_call_id": call.id, "output": "18"}],
            poll_interval_ms=0,
        )
        assert run.status == "completed"
    document = scenario_document(load_cassette(path), name="azure-tools")
    steps = document["runs"][0]["steps"]
    statuses = [step if isinstance(step, str) else step["status"] for step in steps]
    assert "requires_action" in statuses
    assert statuses[-1] == "completed"
    action = next(s for s in steps if isinstance(s, dict) and s["status"] == "requires_action")
    assert action["tool_calls"][0]["name"] == "get_weather"
