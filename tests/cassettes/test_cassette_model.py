"""The cassette model: value semantics, header access, JSON and SSE helpers, body decoding."""

from __future__ import annotations

import dataclasses
import gzip
import zlib

import pytest

from harness.cassettes import Cassette, Interaction, Request, Response
from harness.cassettes._encoding import decode_content, decoded
from harness.errors import CassetteError
from harness.sse import split_events

SSE = (
    "event: thread.run.created\n"
    'data: {"id":"run_1","status":"queued"}\n\n'
    ": a comment\n"
    "event: thread.message.delta\n"
    'data: {"a":\n'
    "data: 1}\n\n"
    "event: done\n"
    "data: [DONE]\n\n"
)


def test_headers_accept_pairs_or_a_mapping_with_lists() -> None:
    from_pairs = Request("get", "https://x/v1/a", [("Accept", "a"), ("X", "1")])
    from_mapping = Request("GET", "https://x/v1/a", {"Accept": "a", "X": ["1"]})
    assert from_pairs == from_mapping
    assert from_pairs.method == "GET"
    assert from_pairs.header("accept") == "a"
    response = Response(200, "OK", {"Set-Cookie": ["a=1", "b=2"]})
    assert response.header_values("set-cookie") == ["a=1", "b=2"]
    assert response.header("missing") is None


def test_values_are_frozen_and_replaceable() -> None:
    request = Request("POST", "https://x/v1/threads?b=2&a=1", body='{"k": 1}')
    with pytest.raises(dataclasses.FrozenInstanceError):
        request.method = "GET"  # type: ignore[misc]
    assert dataclasses.replace(request, body=None).body is None
    assert request.path == "/v1/threads"
    assert request.query == (("b", "2"), ("a", "1"))


def test_json_helpers() -> None:
    assert Request("POST", "/x", body=b'{"a": [1]}').json() == {"a": [1]}
    assert Request("GET", "/x", body="").json() is None
    assert Response(200, body="not json").json() is None
    assert Response(200, body='{"status": "completed"}').json() == {"status": "completed"}


def test_sse_events_follow_the_sdk_parser_rules() -> None:
    response = Response(200, "OK", {"Content-Type": "text/event-stream; charset=utf-8"}, SSE)
    assert response.is_sse
    assert response.sse_events() == [
        ("thread.run.created", '{"id":"run_1","status":"queued"}'),
        ("thread.message.delta", '{"a":\n1}'),
        ("done", "[DONE]"),
    ]
    assert not Response(200, headers={"Content-Type": "application/json"}).is_sse


def test_split_events_keeps_every_byte() -> None:
    pieces = split_events(SSE + "event: tail-without-blank-line")
    assert "".join(pieces) == SSE + "event: tail-without-blank-line"
    assert pieces[0].startswith("event: thread.run.created")
    assert pieces[0].endswith("\n\n")
    assert len(pieces) == 4


def test_cassette_is_an_immutable_sequence() -> None:
    interaction = Interaction(Request("GET", "/a"), Response(200))
    cassette = Cassette([interaction], path="x.yaml")
    longer = cassette.appended(interaction)
    assert len(cassette) == 1
    assert len(longer) == 2
    assert list(longer) == [interaction, interaction]
    assert longer.path is not None
    assert longer.path.name == "x.yaml"


@pytest.mark.parametrize(
    ("coding", "compress"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate
    ],
)
def test_decoded_undoes_content_encoding(coding: str, compress: object) -> None:
    body = b'{"id": "asst_1"}'
    assert callable(compress)
    response = Response(
        200, "OK", {"Content-Encoding": coding, "Content-Length": "3"}, compress(body)
    )
    plain = decoded(response)
    assert plain.body == body.decode()
    assert plain.header("content-encoding") is None
    assert plain.header("content-length") == str(len(body))


def test_brotli_is_decoded_or_refused_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    brotli = pytest.importorskip("brotli")
    packed = brotli.compress(b'{"object": "list"}')
    assert decode_content(packed, "br") == b'{"object": "list"}'
    monkeypatch.setitem(__import__("sys").modules, "brotli", None)  # as if not installed
    with pytest.raises(CassetteError, match="pip install brotli"):
        decode_content(packed, "br")
    # a HAR-style body: the header survived but the text was stored decoded already
    assert decode_content(b'{"plain": true}', "br") == b'{"plain": true}'


def test_unknown_or_broken_encodings_raise_cassette_error() -> None:
    with pytest.raises(CassetteError, match="zstd"):
        decode_content(b"\x28\xb5\x2f\xfd", "zstd")
    with pytest.raises(CassetteError, match="gzip"):
        decode_content(b"\x1f\x8b\xff\xfe\x00", "gzip")
