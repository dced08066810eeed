"""Every real recording imports, validates, replays through the SDK, and converts to a scenario
that the fake server plays with the same story."""

from __future__ import annotations

from pathlib import Path

import openai
import pytest

from harness import AssistantsAPI, FakeServer, ServerConfig
from harness.cassettes import Cassette, import_file, load_cassette, replay_app, save_cassette
from harness.cassettes.checks import cassette_problems
from harness.cassettes.convert import convert_cassette, recorded_runs
from harness.cassettes.verify import compare_with_recording
from harness.cli import main
from harness.lifecycle import POLL_STOP_STATUSES
from harness.scenario import load_scenario
from harness.server import AppServer
from tests.declared_tools import SHOP_TOOLS
from tests.recordings import recording_files

FILES = recording_files()
IDS = [path.name.split("__")[-1][:60] for path in FILES]


def _runs_with_thread(cassette: Cassette) -> list[tuple[str, str, str, bool]]:
    """(thread id, run id, last recorded status, streamed) of every run."""
    return [
        (run.snapshots[0]["thread_id"], run.id, run.statuses[-1], run.streamed)
        for run in recorded_runs(cassette.interactions)
    ]


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_imports_and_validates(path: Path) -> None:
    cassette = import_file(path)
    assert len(cassette) > 0
    errors = [p for p in cassette_problems(cassette) if p.severity == "error"]
    assert errors == []


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_converts_to_a_scenario_with_the_same_story(path: Path, tmp_path: Path) -> None:
    cassette = import_file(path)
    target = tmp_path / "converted.yaml"
    target.write_text(convert_cassette(cassette, name="converted"))
    scenario = load_scenario(target)
    assert len(scenario.runs) == len(recorded_runs(cassette.interactions))
    assert compare_with_recording(cassette, target) == []


POLLED = [
    (path, run)
    for path in FILES
    for run in _runs_with_thread(import_file(path))
    if not run[3] and len([r for r in _runs_with_thread(import_file(path))]) and run[2] != "queued"
]


@pytest.mark.parametrize(
    ("path", "run"), POLLED, ids=[p.name.split("__")[-1][:50] for p, _ in POLLED]
)
def test_polled_replay_through_the_sdk_polling_faster(
    path: Path, run: tuple[str, str, str, bool]
) -> None:
    thread_id, run_id, final, _ = run
    with AppServer(replay_app(import_file(path))) as replay:
        client = openai.OpenAI(base_url=replay.url + "/v1", api_key="sk-x", max_retries=0)
        # Poll every millisecond, far more often than the recorded client did: the sequence
        # advances per request and then keeps its last answer, so polling ends and agrees.
        polled = client.beta.threads.runs.poll(run_id, thread_id=thread_id, poll_interval_ms=1)
        again = client.beta.threads.runs.retrieve(run_id, thread_id=thread_id)
    recorded = next(r for r in recorded_runs(import_file(path).interactions) if r.id == run_id)
    stops = [s for s in recorded.statuses[1:] if s in POLL_STOP_STATUSES]
    assert polled.status == (stops[0] if stops else final)
    assert again.status in recorded.statuses


STREAMED = [
    (path, interaction_index)
    for path in FILES
    for interaction_index, interaction in enumerate(import_file(path).interactions)
    if interaction.response.is_sse and interaction.request.method == "POST"
]


@pytest.mark.parametrize(
    ("path", "index"), STREAMED, ids=[f"{p.name.split('__')[-1][:45]}#{i}" for p, i in STREAMED]
)
def test_streamed_replay_through_the_sdk(path: Path, index: int) -> None:
    cassette = import_file(path)
    recorded = cassette.interactions[index]
    body = dict(recorded.request.json())
    thread_id = recorded.request.path.split("/")[3]
    expected = [event for event, _ in recorded.response.sse_events() if event != "done"]
    with AppServer(replay_app(cassette)) as replay:
        client = openai.OpenAI(base_url=replay.url + "/v1", api_key="sk-x", max_retries=0)
        stream = client.beta.threads.runs.create(
            thread_id=thread_id,
            assistant_id=body.pop("assistant_id"),
            stream=body.pop("stream"),
            extra_body=body or None,
            extra_query=dict(recorded.request.query) or None,
        )
        seen = [event.event for event in stream]
    assert seen == expected


def test_streaming_recordings_are_reproduced_event_for_event(tmp_path: Path) -> None:
    """The fake server, playing converted scenarios, emits the recorded event names in order."""
    checked = 0
    for path in {p for p, _ in STREAMED}:
        cassette = import_file(path)
        target = tmp_path / f"{path.stem}.yaml"
        target.write_text(convert_cassette(cassette, name="s"))
        assert compare_with_recording(cassette, target) == []
        checked += 1
    assert checked >= 10


# -- round trips: record against the fake server, replay, compare --------------------------------


def _session(client: openai.OpenAI) -> list[str]:
    """A small tool-call session; returns what the client saw."""
    assistant = client.beta.assistants.create(model="gpt-4o", tools=SHOP_TOOLS)  # type: ignore[arg-type]
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Weather?"}])
    run = client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=1
    )
    seen = [run.status]
    assert run.required_action is not None
    call = run.required_action.submit_tool_outputs.tool_calls[0]
    run = client.beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=run.id,
        thread_id=thread.id,
        tool_outputs=[{"tool_call_id": call.id, "output": "18"}],
        poll_interval_ms=1,
    )
    seen.append(run.status)
    texts = [m.content[0].text.value for m in client.beta.threads.messages.list(thread.id)]  # type: ignore[union-attr]
    return seen + texts


@pytest.fixture
def tool_server() -> FakeServer:
    api = AssistantsAPI(ServerConfig(), load_scenario("builtin:tool-call-then-completed"))
    return FakeServer(api)


def test_round_trip_through_the_recording_proxy(tool_server: FakeServer, tmp_path: Path) -> None:
    from harness.cassettes import recording_proxy_app

    cassette_path = tmp_path / "proxy.yaml"
    secret = "sk-proj-" + "A1b2C3d4" * 6
    with tool_server, AppServer(recording_proxy_app(tool_server.url, cassette_path)) as proxy:
        live = _session(openai.OpenAI(base_url=proxy.url + "/v1", api_key=secret, max_retries=0))
    assert secret not in cassette_path.read_text()
    with AppServer(replay_app(load_cassette(cassette_path))) as replay:
        replayed = _session(openai.OpenAI(base_url=replay.url + "/v1", api_key="sk-other"))
    assert (
        live
        == replayed
        == [
            "requires_action",
            "completed",
            "Here is the answer, from what the tool returned.",
            "Weather?",
        ]
    )


def test_round_trip_through_vcrpy_in_process(tool_server: FakeServer, tmp_path: Path) -> None:
    from harness.cassettes import use_cassette

    cassette_path = tmp_path / "vcr.yaml"
    secret = "sk-proj-" + "Z9y8X7w6" * 6
    with tool_server, use_cassette(cassette_path, record_mode="once"):
        live = _session(openai.OpenAI(base_url=tool_server.base_url, api_key=secret))
    text = cassette_path.read_text()
    assert secret not in text
    assert "interactions:" in text
    # The server is gone: only the cassette can answer now.
    with use_cassette(cassette_path, record_mode="none"):
        replayed = _session(openai.OpenAI(base_url=tool_server.base_url, api_key="sk-other"))
    assert live == replayed


def test_cli_import_validate_convert_round(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = next(p for p in FILES if p.name.endswith("FunctionToolsWork.json"))
    cassette_path = tmp_path / "imported.yaml"
    assert main(["import", str(source), "-o", str(cassette_path)]) == 0
    assert len(load_cassette(cassette_path)) == len(import_file(source))
    assert main(["validate", str(cassette_path)]) == 0
    scenario = tmp_path / "scenarios" / "tools.yaml"
    assert main(["convert", str(cassette_path), "-o", str(scenario), "--verify"]) == 0
    assert "plays the same story as the recording" in capsys.readouterr().out
    assert main(["validate", str(scenario)]) == 0


def test_validate_reports_a_broken_cassette(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = next(p for p in FILES if p.name.endswith("FunctionToolsWork.json"))
    cassette = import_file(source)
    broken = tmp_path / "broken.yaml"
    save_cassette(cassette, broken)
    text = broken.read_text().replace(
        '"status":"requires_action"', '"status":"requires_attention"', 1
    )
    broken.write_text(text)
    assert main(["validate", str(broken)]) == 1
    err = capsys.readouterr().err
    assert "requires_attention" in err
    assert "interactions[" in err
