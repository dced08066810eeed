"""The cassettes and converted scenarios kept in the repository stay valid and replayable."""

from __future__ import annotations

from pathlib import Path

import openai
import pytest

from harness._plugin.servers import HarnessServer
from harness.cassettes import import_file, load_cassette
from harness.cassettes.checks import cassette_problems
from harness.cassettes.verify import compare_with_recording

ROOT = Path(__file__).resolve().parents[2]
IMPORTED = sorted((ROOT / "cassettes" / "recordings").glob("*.yaml"))


@pytest.mark.harness_scenario("builtin:tool-call-then-completed")
@pytest.mark.harness_cassette
def test_a_recorded_session_replays_without_the_server(
    harness_client: openai.OpenAI, harness_server: HarnessServer
) -> None:
    """Recorded once with --harness-record-mode=once; CI replays it from the cassette."""
    assistant = harness_client.beta.assistants.create(model="gpt-4o")
    thread = harness_client.beta.threads.create(messages=[{"role": "user", "content": "Weather?"}])
    run = harness_client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=1
    )
    assert run.required_action is not None
    call = run.required_action.submit_tool_outputs.tool_calls[0]
    run = harness_client.beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=run.id,
        thread_id=thread.id,
        tool_outputs=[{"tool_call_id": call.id, "output": "18"}],
        poll_interval_ms=1,
    )
    assert run.status == "completed"
    reply = harness_client.beta.threads.messages.list(thread.id).data[0]
    assert reply.content[0].text.value == "It is 18 °C in Paris right now."  # type: ignore[union-attr]
    if harness_server.settings.record_mode == "none":
        assert harness_server.requests == []  # the cassette answered everything


def test_the_recorded_cassette_is_scrubbed_and_valid() -> None:
    path = (
        ROOT
        / "cassettes"
        / "test_committed_cassettes"
        / ("test_a_recorded_session_replays_without_the_server.yaml")
    )
    text = path.read_text()
    assert "sk-harness-test" not in text
    assert [p for p in cassette_problems(load_cassette(path)) if p.severity == "error"] == []


@pytest.mark.parametrize("path", IMPORTED, ids=[p.stem for p in IMPORTED])
def test_imported_recordings_validate_and_match_their_scenarios(path: Path) -> None:
    assert len(IMPORTED) >= 2
    cassette = import_file(path)
    assert [p for p in cassette_problems(cassette) if p.severity == "error"] == []
    scenario = ROOT / "specs" / "scenarios" / f"recorded-{path.stem}.yaml"
    assert compare_with_recording(cassette, scenario) == []
