"""vcrpy's cassette format: exact round trips, readable output, atomic writes, vcrpy compatibility."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import IO, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from vcr.serialize import deserialize
from vcr.serializers import jsonserializer, yamlserializer

from harness.cassettes import (
    Cassette,
    Interaction,
    Request,
    Response,
    _vcr_format,
    load_cassette,
    save_cassette,
)
from harness.errors import CassetteError

SSE = 'event: thread.run.created\ndata: {"id":"run_1"}\n\nevent: done\ndata: [DONE]\n\n'
JSON_TEXT = '{"id":"asst_1","object":"assistant","name":"Math Tutor"}'


def _cassette(body: str | bytes | None, content_type: str = "application/json") -> Cassette:
    return Cassette(
        [
            Interaction(
                Request("POST", "https://api.openai.com/v1/assistants", {"X": "1"}, JSON_TEXT),
                Response(200, "OK", {"Content-Type": content_type}, body),
            )
        ]
    )


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_round_trip_keeps_every_field(tmp_path: Path, suffix: str) -> None:
    original = Cassette(
        [
            Interaction(
                Request("POST", "https://h/v1/threads?x=1", [("A", "1"), ("A", "2")], JSON_TEXT),
                Response(201, "Created", [("Set-Cookie", "a"), ("X-Id", "req_1")], JSON_TEXT),
            ),
            Interaction(
                Request("GET", "https://h/v1/threads/t/runs/r", {}, None),
                Response(200, "OK", {"Content-Type": "text/event-stream"}, SSE),
            ),
        ]
    )
    path = save_cassette(original, tmp_path / f"c{suffix}", scrubber=None)
    loaded = load_cassette(path)
    assert loaded.path == path
    assert [i.request for i in loaded] == [i.request for i in original]
    assert [i.response for i in loaded] == [i.response for i in original]


def test_bodies_are_stored_decoded_and_readable(tmp_path: Path) -> None:
    recorded = Cassette(
        [
            Interaction(
                Request("POST", "https://h/v1/threads/t/runs", {}, '{"stream":true}'),
                Response(
                    200,
                    "OK",
                    {"Content-Type": "application/json", "Content-Encoding": "gzip"},
                    gzip.compress(JSON_TEXT.encode()),
                ),
            ),
            Interaction(
                Request("POST", "https://h/v1/threads/t/runs", {}, '{"stream":false}'),
                Response(200, "OK", {"Content-Type": "text/event-stream"}, SSE),
            ),
        ]
    )
    text = save_cassette(recorded, tmp_path / "c.yaml").read_text()
    assert "!!binary" not in text
    assert "Content-Encoding" not in text
    assert JSON_TEXT in text  # the exact JSON text, on one line
    assert "string: |+\n        event: thread.run.created\n        data: {" in text
    assert text.startswith("version: 1\ninteractions:\n")


def test_real_gzip_recording_is_rewritten_as_text(
    tmp_path: Path, streaming_recording: Path
) -> None:
    original = streaming_recording.read_text()
    assert "!!binary" in original
    text = save_cassette(load_cassette(streaming_recording), tmp_path / "c.yaml").read_text()
    assert "!!binary" not in text
    assert "event: thread.run.step.delta" in text


def test_binary_bodies_need_yaml(tmp_path: Path) -> None:
    cassette = _cassette(b"\xff\xfe\x00binary", "application/octet-stream")
    path = save_cassette(cassette, tmp_path / "c.yaml", scrubber=None)
    assert "!!binary" in path.read_text()
    assert load_cassette(path).interactions[0].response.body == b"\xff\xfe\x00binary"
    with pytest.raises(CassetteError, match=r"binary .* \.yaml"):
        save_cassette(cassette, tmp_path / "c.json")


def test_a_failed_save_leaves_the_old_file_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = save_cassette(_cassette(JSON_TEXT), tmp_path / "c.yaml")
    before = path.read_bytes()

    def half_then_fail(data: Any, stream: IO[str]) -> None:
        stream.write("version: 1\ninteractions:\n- request:\n")  # half a cassette...
        stream.flush()
        raise RuntimeError("disk on fire")  # ...then serialization dies

    monkeypatch.setattr(_vcr_format, "dump_yaml", half_then_fail)
    with pytest.raises(RuntimeError, match="disk on fire"):
        save_cassette(_cassette(SSE, "text/event-stream"), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["c.yaml"]  # no temp file left behind


def test_saved_files_keep_their_permissions(tmp_path: Path) -> None:
    path = save_cassette(_cassette(JSON_TEXT), tmp_path / "c.yaml")
    path.chmod(0o640)
    save_cassette(_cassette(SSE), path)
    assert path.stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize(
    ("suffix", "serializer"), [(".yaml", yamlserializer), (".json", jsonserializer)]
)
def test_vcrpy_loads_our_files(
    tmp_path: Path, suffix: str, serializer: Any, streaming_recording: Path
) -> None:
    cassette = load_cassette(streaming_recording)
    path = save_cassette(cassette, tmp_path / f"c{suffix}")
    requests, responses = deserialize(path.read_text(), serializer)[:2]
    assert len(requests) == len(responses) == len(cassette)
    assert requests[0].method == "POST"
    assert requests[0].path == "/v1/assistants"
    assert responses[-1]["body"]["string"].startswith(b"event: thread.run.created\n")
    assert json.loads(responses[0]["body"]["string"])["object"] == "assistant"


texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=texts, request_body=texts)
def test_any_text_body_round_trips_exactly(tmp_path: Path, body: str, request_body: str) -> None:
    cassette = Cassette(
        [
            Interaction(
                Request("POST", "https://h/v1/x", {}, request_body),
                Response(200, "OK", {"Content-Type": "text/plain"}, body),
            )
        ]
    )
    for suffix in (".yaml", ".json"):
        loaded = load_cassette(save_cassette(cassette, tmp_path / f"c{suffix}", scrubber=None))
        assert loaded.interactions[0].response.body == body
        assert loaded.interactions[0].request.body == request_body


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty"),
        ("just: a mapping\n", "not a vcrpy cassette"),
        ("interactions:\n- 3\n", r"interactions\[0\]: expected a mapping"),
        (
            "interactions:\n- request: {method: GET, uri: /x}\n  response: {status: {code: OK}}\n",
            r"interactions\[0\]\.response\.status: 'code' must be an integer",
        ),
        ("interactions: [\n", "invalid YAML"),
    ],
)
def test_malformed_cassettes_raise_cassette_error_naming_the_file(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(content)
    with pytest.raises(CassetteError, match=message) as raised:
        load_cassette(path)
    assert str(path) in str(raised.value)


def test_saving_needs_a_path() -> None:
    with pytest.raises(CassetteError, match="no path"):
        save_cassette(Cassette())
