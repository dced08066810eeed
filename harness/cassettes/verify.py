"""Check that a scenario converted from a recording tells the recording's story.

The recording's requests are sent again twice: to a replay of the recording, and to a fake
server playing the scenario (speaking each dialect the recording used). Both sets of answers
are read on the Assistants wire (:mod:`harness.cassettes._wires`) and told as a
:class:`~harness.cassettes.redrive.Story`; the scenario passes when the stories agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from harness.cassettes import Cassette, replay_app
from harness.cassettes._wires import dialect_operation, on_assistants_wire, told_as_assistants
from harness.cassettes.convert import recorded_runs
from harness.cassettes.redrive import DrivenExchange, Story, redrive, story_of
from harness.core import AssistantsAPI, ServerConfig
from harness.dialects.exchange import RecordedExchange
from harness.scenario import load_scenario
from harness.server import FakeServer
from harness.server.runner import AppServer
from harness.surfaces import OPENAI

__all__ = ["compare_with_recording", "played_and_replayed"]


def _wires(cassette: Cassette) -> list[str]:
    """The dialect wires (AppBuilder's) the recording's requests are on."""
    found = (dialect_operation(interaction.request) for interaction in cassette)
    return list(dict.fromkeys(wire for wire, _ in filter(None, found)))


def _story(exchanges: Sequence[DrivenExchange]) -> Story:
    """The story of the answers, each dialect's read as the Assistants exchanges they amount to."""
    wired: list[tuple[str, RecordedExchange] | None] = []
    for exchange in exchanges:
        request = exchange.recorded.request
        found = dialect_operation(request)
        if found is None:
            wired.append(None)
            continue
        wire, path = found
        events = tuple(exchange.events) if exchange.events else None
        live = RecordedExchange(
            exchange.method, path, request.json(), exchange.status, exchange.body, events
        )
        wired.append((wire, live))
    answers: list[tuple[object, list[tuple[str, object]]]] = []
    for exchange, told in zip(exchanges, told_as_assistants(wired), strict=True):
        if told is None:
            answers.append((exchange.body, list(exchange.events)))
        else:
            answers.extend((item.response, list(item.events or ())) for item in told)
    return story_of(answers)


def played_and_replayed(cassette: Cassette, scenario_path: Path) -> tuple[Story, Story]:
    """(the replay's story, the fake server's story) for the recording's requests."""
    with AppServer(replay_app(cassette)) as replay:
        replayed = redrive(cassette.interactions, replay.url)
    # Old recordings carry v1-only parameters: accept unknown ones, keep every state check.
    api = AssistantsAPI(ServerConfig(strict=False), load_scenario(scenario_path))
    with FakeServer(api, dialect=_wires(cassette) or "openai") as fake:
        played = redrive(cassette.interactions, fake.url, surface=OPENAI)
    return _story(replayed), _story(played)


def compare_with_recording(cassette: Cassette, scenario_path: Path) -> list[str]:
    """The differences between the two stories; empty when they agree."""
    replayed, played = played_and_replayed(cassette, scenario_path)
    differences = []
    if recorded_runs(on_assistants_wire(cassette.interactions)) and not replayed.statuses:
        differences.append("the recording's runs could not be sent again (no known surface)")
    for label, left, right in (
        ("run statuses", replayed.statuses, played.statuses),
        ("assistant texts", replayed.texts, played.texts),
        ("stream events", replayed.stream_events, played.stream_events),
    ):
        if left != right:
            differences.append(f"{label} differ:\n  recording: {left}\n  scenario:  {right}")
    return differences
