"""Check that a scenario converted from a recording tells the recording's story."""

from __future__ import annotations

from pathlib import Path

from harness.cassettes import Cassette, replay_app
from harness.cassettes.redrive import Story, redrive, story_of
from harness.core import AssistantsAPI, ServerConfig
from harness.scenario import load_scenario
from harness.server import FakeServer
from harness.server.runner import AppServer
from harness.surfaces import OPENAI

__all__ = ["compare_with_recording", "played_and_replayed"]


def played_and_replayed(cassette: Cassette, scenario_path: Path) -> tuple[Story, Story]:
    """(the replay's story, the fake server's story) for the recording's requests."""
    with AppServer(replay_app(cassette)) as replay:
        replayed = redrive(cassette.interactions, replay.url)
    # Old recordings carry v1-only parameters: accept unknown ones, keep every state check.
    api = AssistantsAPI(ServerConfig(strict=False), load_scenario(scenario_path))
    with FakeServer(api) as fake:
        played = redrive(cassette.interactions, fake.url, surface=OPENAI)
    return (
        story_of((e.body, e.events) for e in replayed),
        story_of((e.body, e.events) for e in played),
    )


def compare_with_recording(cassette: Cassette, scenario_path: Path) -> list[str]:
    """The differences between the two stories; empty when they agree."""
    replayed, played = played_and_replayed(cassette, scenario_path)
    differences = []
    for label, left, right in (
        ("run statuses", replayed.statuses, played.statuses),
        ("assistant texts", replayed.texts, played.texts),
        ("stream events", replayed.stream_events, played.stream_events),
    ):
        if left != right:
            differences.append(f"{label} differ:\n  recording: {left}\n  scenario:  {right}")
    return differences
