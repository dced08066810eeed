"""Matchers and the polling-aware Replayer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cassettes import (
    Cassette,
    CassetteMiss,
    Interaction,
    Matcher,
    Replayer,
    Request,
    Response,
    body,
    load_cassette,
    method,
    path,
    query,
)
from harness.cassettes._matching import failures, json_difference
from harness.errors import NoMatchingInteraction

RUN = "https://api.openai.com/v1/threads/thread_1/runs/run_1"


def _run(status: str) -> Response:
    return Response(200, "OK", {"Content-Type": "application/json"}, json.dumps({"status": status}))


def _polls(*statuses: str) -> Cassette:
    return Cassette(Interaction(Request("GET", RUN), _run(s)) for s in statuses)


# --- matchers ------------------------------------------------------------------------------


def test_matchers_ignore_scheme_host_port_and_headers() -> None:
    recorded = Request("GET", "https://api.openai.com/v1/a?x=1", {"Authorization": "Bearer a"})
    incoming = Request("get", "http://127.0.0.1:5555/v1/a?x=1", {"Authorization": "Bearer b"})
    for matcher in (method, path, query, body):
        matcher(incoming, recorded)  # raises AssertionError on a difference


def test_query_is_an_order_insensitive_multiset() -> None:
    a = Request("GET", "/v1/m?order=asc&limit=2&include[]=x")
    b = Request("GET", "/v1/m?limit=2&include%5B%5D=x&order=asc")
    query(a, b)
    with pytest.raises(
        AssertionError, match="query differs: request has limit=2; recorded has limit=3"
    ):
        query(a, Request("GET", "/v1/m?order=asc&limit=3&include[]=x"))
    with pytest.raises(AssertionError):
        query(Request("GET", "/v1/m?a=1&a=1"), Request("GET", "/v1/m?a=1"))


def test_body_compares_json_as_data() -> None:
    body(
        Request("POST", "/x", body='{"a": 1, "b": [1.0]}'),
        Request("POST", "/x", body='{"b":[1],"a":1}'),
    )
    body(Request("GET", "/x", body=""), Request("GET", "/x", body=None))
    with pytest.raises(AssertionError, match=r"body differs: \$.assistant_id 'asst_a' != 'asst_b'"):
        body(
            Request("POST", "/x", body='{"assistant_id": "asst_a", "stream": true}'),
            Request("POST", "/x", body='{"assistant_id": "asst_b", "stream": true}'),
        )
    with pytest.raises(AssertionError, match="body differs: 'a=1' != 'a=2'"):
        body(Request("POST", "/x", body="a=1"), Request("POST", "/x", body="a=2"))


def test_json_difference_names_the_first_differing_place() -> None:
    assert json_difference({"a": [1, {"b": 2}]}, {"a": [1, {"b": 3}]}) == "$.a[1].b 2 != 3"
    assert json_difference({"a": 1}, {}) == "$.a only in the request (1)"
    assert json_difference([1], [1, 2]) == "$ has 1 items in the request, 2 recorded"
    assert json_difference(True, 1) == "$ True != 1"
    assert json_difference({"x": 1.0}, {"x": 1}) is None


def test_multipart_boundaries_do_not_matter() -> None:
    def upload(boundary: str) -> Request:
        return Request(
            "POST",
            "/v1/files",
            {"Content-Type": f"multipart/form-data; boundary={boundary}"},
            f"--{boundary}\r\ncontent\r\n--{boundary}--\r\n",
        )

    body(upload("aaa111"), upload("bbb222"))


def test_matchers_compose_and_custom_ones_fit_in() -> None:
    beta = Matcher(
        "beta",
        lambda r: r.header("openai-beta"),
        lambda a, b: f"beta differs: {a.header('openai-beta')} != {b.header('openai-beta')}",
    )
    v1 = Request("GET", "/v1/a", {"OpenAI-Beta": "assistants=v1"})
    v2 = Request("POST", "/v1/b", {"OpenAI-Beta": "assistants=v2"})
    assert failures(v1, v2, (method, path, beta)) == [
        "method differs: GET != POST",
        "path differs: /v1/a != /v1/b",
        "beta differs: assistants=v1 != assistants=v2",
    ]
    replayer = Replayer(Cassette([Interaction(v2, _run("x"))]), match_on=(method, path, beta))
    with pytest.raises(CassetteMiss, match="beta differs"):
        replayer.respond(Request("POST", "/v1/b", {"OpenAI-Beta": "assistants=v1"}))


# --- replay --------------------------------------------------------------------------------


def test_repeated_requests_advance_then_the_last_answer_sticks() -> None:
    replayer = Replayer(_polls("queued", "in_progress", "in_progress", "completed"))
    seen = [replayer.respond(Request("GET", RUN)).json()["status"] for _ in range(7)]
    assert seen == [
        "queued",
        "in_progress",
        "in_progress",
        "completed",
        "completed",
        "completed",
        "completed",
    ]


def test_each_key_has_its_own_sequence_and_a_client_may_move_on_early() -> None:
    messages = Interaction(Request("GET", RUN.rsplit("/runs", 1)[0] + "/messages"), _run("list"))
    replayer = Replayer(_polls("queued", "in_progress", "completed").appended(messages))
    assert replayer.respond(Request("GET", RUN)).json()["status"] == "queued"
    assert replayer.respond(messages.request).json()["status"] == "list"
    assert [i.response.json()["status"] for i in replayer.unplayed()] == [
        "in_progress",
        "completed",
    ]
    assert replayer.respond(Request("GET", RUN)).json()["status"] == "in_progress"
    replayer.rewind()
    assert replayer.respond(Request("GET", RUN)).json()["status"] == "queued"


def test_a_real_polling_recording_replays_to_completed(polling_recording: Path) -> None:
    cassette = load_cassette(polling_recording)
    replayer = Replayer(cassette)
    polls = [i for i in cassette if i.request.method == "GET" and "/runs/" in i.request.uri]
    assert len(polls) >= 13
    statuses = [replayer.respond(polls[0].request).json()["status"] for _ in range(len(polls) + 10)]
    assert statuses[0] == "in_progress"
    assert statuses[-11:] == ["completed"] * 11


def test_requests_are_scrubbed_before_matching() -> None:
    recorded = Request("POST", "/v1/threads", body='{"metadata": {"k": "sk-<scrubbed>"}}')
    replayer = Replayer(Cassette([Interaction(recorded, _run("ok"))]))
    live_key = "sk-" + "live1234567890abcdefgh"  # built at runtime: no key-shaped literal
    incoming = Request("POST", "/v1/threads", body=f'{{"metadata": {{"k": "{live_key}"}}}}')
    assert replayer.respond(incoming).json() == {"status": "ok"}


def test_a_miss_names_the_three_nearest_requests_and_what_differs() -> None:
    def create_run(assistant: str) -> Interaction:
        return Interaction(
            Request(
                "POST",
                "https://api.openai.com/v1/threads/thread_1/runs",
                body=json.dumps({"assistant_id": assistant}),
            ),
            _run("queued"),
        )

    cassette = Cassette(
        [
            create_run("asst_b"),
            Interaction(Request("GET", RUN), _run("queued")),
            Interaction(
                Request("GET", "https://api.openai.com/v1/threads/thread_1/messages?order=asc"),
                _run("x"),
            ),
            Interaction(
                Request("DELETE", "https://api.openai.com/v1/assistants/asst_b"), _run("x")
            ),
            Interaction(Request("POST", "https://api.openai.com/v1/files"), _run("x")),
        ]
    )
    with pytest.raises(NoMatchingInteraction) as raised:
        Replayer(cassette).respond(
            Request(
                "POST",
                "http://127.0.0.1:1/v1/threads/thread_1/runs",
                body='{"assistant_id": "asst_a"}',
            )
        )
    miss = raised.value
    assert isinstance(miss, CassetteMiss)
    message = str(miss)
    assert message.startswith(
        'no recorded interaction matches POST /v1/threads/thread_1/runs {"assistant_id": "asst_a"}'
    )
    assert "nearest recorded requests (3):" in message
    assert (
        "  1. POST /v1/threads/thread_1/runs {\"assistant_id\": \"asst_b\"}: body differs: $.assistant_id 'asst_a' != 'asst_b'"
        in message
    )
    assert "method differs: POST != GET" in message
    assert len(miss.nearest) == 3
    assert "DELETE" not in message  # further away than the three named


def test_an_empty_cassette_misses_politely() -> None:
    with pytest.raises(CassetteMiss, match="the cassette has no interactions"):
        Replayer(Cassette()).respond(Request("GET", "/v1/x"))
