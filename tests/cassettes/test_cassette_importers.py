"""Every real recording imports; HAR files too; unknown and malformed input fail clearly."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import openai
import pytest

from harness.cassettes import import_file, load_cassette, replay_app, save_cassette
from harness.cassettes._importers import detect_format
from harness.cli import main
from harness.errors import CassetteError
from harness.server import AppServer
from tests.recordings import recording_files

RECORDINGS = recording_files()


def test_the_recordings_are_there() -> None:
    assert len(RECORDINGS) >= 30
    assert {p.parent.name for p in RECORDINGS} == {"vcrpy", "ruby-vcr", "dotnet-test-proxy"}


@pytest.mark.parametrize("path", RECORDINGS, ids=lambda p: f"{p.parent.name}/{p.name[:60]}")
def test_every_recording_imports_with_decoded_bodies(path: Path) -> None:
    cassette = import_file(path)
    assert len(cassette) > 0
    for interaction in cassette:
        request, response = interaction.request, interaction.response
        assert request.method in {"GET", "POST", "DELETE"}
        assert request.uri.startswith("https://api.openai.com/v1/")
        assert 200 <= response.status < 600
        assert response.header("content-encoding") is None
        assert not isinstance(response.body, bytes), "undecoded bytes left"
        assert not response.content.startswith(b"\x1f\x8b"), "gzip left"
        if response.content_type == "application/json":
            assert response.json() is not None, "JSON body does not parse"
        if response.is_sse:
            events = response.sse_events()
            assert events[-1] == ("done", "[DONE]")
            assert all(json.loads(data) for name, data in events[:-1])
        if request.content_type == "application/json" and request.body:
            assert request.json() is not None


def test_formats_are_detected_by_shape() -> None:
    found = {detect_format(json.loads(p.read_text())) for p in RECORDINGS if p.suffix == ".json"}
    assert found == {"dotnet-test-proxy"}
    ruby = import_file(next(p for p in RECORDINGS if p.parent.name == "ruby-vcr"))
    assert ruby.interactions[0].request.method == "POST"  # Ruby writes "post"


def test_dotnet_sse_lines_become_one_stream() -> None:
    path = next(p for p in RECORDINGS if "StreamingRunWorks" in p.name)
    streamed = import_file(path).interactions[-1].response
    assert streamed.is_sse
    names = [name for name, _ in streamed.sse_events()]
    assert names[0] == "thread.run.created"
    assert names[-2:] == ["thread.run.completed", "done"]
    request = import_file(path).interactions[-1].request
    assert request.json() == {
        "assistant_id": "asst_0VLdyfoSMFV4tQpzWUT2ywhg",
        "additional_messages": [],
        "stream": True,
    }


def test_imported_recordings_save_as_vcrpy_cassettes(tmp_path: Path) -> None:
    for path in RECORDINGS[::5]:
        cassette = import_file(path)
        again = load_cassette(save_cassette(cassette, tmp_path / "c.yaml"))
        assert [i.response.status for i in again] == [i.response.status for i in cassette]


def test_har_files_import(tmp_path: Path) -> None:
    run = {"id": "run_1", "object": "thread.run", "status": "completed"}
    har = {
        "log": {
            "version": "1.2",
            "creator": {"name": "test", "version": "1"},
            "entries": [
                {
                    "request": {
                        "method": "POST",
                        "url": "https://api.openai.com/v1/threads/t/runs",
                        "headers": [{"name": "Content-Type", "value": "application/json"}],
                        "postData": {
                            "mimeType": "application/json",
                            "text": '{"assistant_id":"a"}',
                        },
                    },
                    "response": {
                        "status": 200,
                        "statusText": "OK",
                        "headers": [
                            {"name": "Content-Type", "value": "application/json"},
                            {"name": "Content-Encoding", "value": "br"},  # text stored decoded
                        ],
                        "content": {"mimeType": "application/json", "text": json.dumps(run)},
                    },
                },
                {
                    "request": {
                        "method": "GET",
                        "url": "https://api.openai.com/v1/files/f/content",
                        "headers": [],
                    },
                    "response": {
                        "status": 200,
                        "statusText": "",
                        "headers": [{"name": "Content-Type", "value": "image/png"}],
                        "content": {
                            "encoding": "base64",
                            "text": base64.b64encode(b"\x89PNG\xff").decode(),
                        },
                    },
                },
            ],
        }
    }
    path = tmp_path / "session.har"
    path.write_text(json.dumps(har))
    cassette = import_file(path)
    assert len(cassette) == 2
    first, second = cassette.interactions
    assert first.request.json() == {"assistant_id": "a"}
    assert first.response.json() == run
    assert first.response.header("content-encoding") is None
    assert second.response.body == b"\x89PNG\xff"
    assert second.response.reason == "OK"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("x.yaml", "foo: bar\n", r"unknown recording format .*found \['foo'\]"),
        ("x.json", "[1, 2]", "unknown recording format"),
        (
            "x.json",
            '{"Entries": [{"RequestMethod": "GET"}]}',
            r"Entries\[0\]: 'RequestUri' is missing",
        ),
        (
            "x.json",
            '{"log": {"entries": [{"request": {}}]}}',
            r"log.entries\[0\]: 'response' is missing",
        ),
        ("x.yml", "http_interactions: {}\n", "'http_interactions' must be a list"),
        ("x.json", '{"Entries": [', "invalid JSON"),
    ],
)
def test_bad_input_raises_cassette_error_naming_file_and_problem(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(CassetteError, match=message) as raised:
        import_file(path)
    assert str(path) in str(raised.value)


def test_missing_file() -> None:
    with pytest.raises(CassetteError, match="no such cassette file"):
        import_file("/nonexistent/cassette.yaml")


def _exvcr_session(template: dict[str, object] | None = None) -> list[dict[str, object]]:
    """An Elixir ExVCR cassette (hackney adapter): a thread, a run, two polls; the run object
    is a real one (``template``) under other ids."""
    run = {
        **(template or {}),
        "id": "run_ex1",
        "object": "thread.run",
        "thread_id": "thread_ex1",
        "assistant_id": "asst_ex1",
        "status": "queued",
    }

    def answer(body: object, headers: object) -> dict[str, object]:
        return {
            "binary": False,
            "body": json.dumps(body),
            "headers": headers,
            "status_code": 200,
            "type": "ok",
        }

    thread = {"id": "thread_ex1", "object": "thread", "created_at": 1700000000, "metadata": {}}
    return [
        {
            "request": {
                "body": "{}",
                "headers": {"Content-Type": "application/json", "OpenAI-Beta": "assistants=v2"},
                "method": "post",
                "options": [],
                "request_body": "",
                "url": "https://api.openai.com/v1/threads",
            },
            "response": answer(thread, {"Content-Type": "application/json"}),
        },
        {
            "request": {
                "body": json.dumps({"assistant_id": "asst_ex1", "stream": False}),
                "headers": [["Content-Type", "application/json"]],
                "method": "post",
                "options": [],
                "url": "https://api.openai.com/v1/threads/thread_ex1/runs",
            },
            "response": answer(run, [["Content-Type", "application/json"]]),
        },
        *(
            {
                "request": {
                    "body": "",
                    "headers": [],
                    "method": "get",
                    "options": [],
                    "url": "https://api.openai.com/v1/threads/thread_ex1/runs/run_ex1",
                },
                "response": answer({**run, "status": status}, {"Content-Type": "application/json"}),
            }
            for status in ("in_progress", "completed")
        ),
        {
            "request": {"body": "", "headers": {}, "method": "get", "url": "https://h/logo"},
            "response": {
                "binary": True,
                "body": base64.b64encode(b"\x89PNG\x00\xff").decode(),
                "headers": {"Content-Type": "image/png"},
                "status_code": 200,
                "type": "ok",
            },
        },
    ]


def test_exvcr_json_imports_validates_and_replays(tmp_path: Path, polling_recording: Path) -> None:
    template = next(
        body
        for i in import_file(polling_recording)
        if isinstance(body := i.response.json(), dict) and body.get("object") == "thread.run"
    )
    source = tmp_path / "exvcr.json"
    source.write_text(json.dumps(_exvcr_session(template)))
    assert detect_format(_exvcr_session()) == "exvcr"
    cassette = import_file(source)
    assert [i.request.method for i in cassette] == ["POST", "POST", "GET", "GET", "GET"]
    assert cassette.interactions[1].request.json() == {"assistant_id": "asst_ex1", "stream": False}
    assert cassette.interactions[2].request.body is None
    assert cassette.interactions[4].response.content == b"\x89PNG\x00\xff"
    assert main(["validate", str(source)]) == 0
    with AppServer(replay_app(cassette)) as replay:
        client = openai.OpenAI(base_url=f"{replay.url}/v1", api_key="sk-x", max_retries=0)
        assert client.beta.threads.create().id == "thread_ex1"
        run = client.beta.threads.runs.create_and_poll(
            thread_id="thread_ex1", assistant_id="asst_ex1", poll_interval_ms=1
        )
    assert run.status == "completed"


def test_an_exvcr_transport_error_is_refused_by_name(tmp_path: Path) -> None:
    session = _exvcr_session()[:1]
    session[0]["response"] = {"type": "error", "body": "timeout", "status_code": 0}
    source = tmp_path / "exvcr.json"
    source.write_text(json.dumps(session))
    with pytest.raises(CassetteError, match=r"\[0\]\.response: type 'error'"):
        import_file(source)
