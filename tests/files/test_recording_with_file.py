"""BodhiApp's with_file recording (vector store, upload, file_search, a cited answer) converts to
a scenario that the fake plays with the same story, citation included."""

from __future__ import annotations

from pathlib import Path

from harness import AssistantsAPI, FakeServer, ServerConfig
from harness.cassettes import import_file
from harness.cassettes.convert import convert_cassette
from harness.cassettes.redrive import redrive
from harness.cassettes.verify import compare_with_recording
from harness.scenario import load_scenario
from tests.recordings import recording_files

WITH_FILE = next(path for path in recording_files() if "example_with_file" in path.name)


def test_converts_with_file_search_and_citation(tmp_path: Path) -> None:
    cassette = import_file(WITH_FILE)
    target = tmp_path / "with_file.yaml"
    target.write_text(convert_cassette(cassette, name="with-file"))
    scenario = load_scenario(target)
    (search, answer) = scenario.runs[0].steps[-1].activity
    assert search.results[0].file == "assistants-guide.md"  # type: ignore[union-attr]
    assert answer.citations[0].text == "【4:0†source】"  # type: ignore[union-attr]
    assert compare_with_recording(cassette, target) == []

    api = AssistantsAPI(ServerConfig(strict=False, validate_responses=True), scenario)
    with FakeServer(api) as fake:
        exchanges = redrive(cassette.interactions, fake.url)
    assert all(exchange.status == 200 for exchange in exchanges)
    uploaded = next(e.body for e in exchanges if e.path == "/v1/files")
    assert uploaded["filename"] == "assistants-guide.md"
    assert uploaded["bytes"] == 19836  # the recorded size: the upload was sent as recorded
    listed = next(e.body for e in exchanges if e.path.endswith("/messages"))
    block = listed["data"][0]["content"][0]["text"]
    (note,) = block["annotations"]
    assert note["file_citation"]["file_id"] == uploaded["id"]
    assert block["value"][note["start_index"] : note["end_index"]] == "【4:0†source】"
    assert (note["start_index"], note["end_index"]) == (240, 252)  # as recorded
    assert api.state.journal.violations == []
