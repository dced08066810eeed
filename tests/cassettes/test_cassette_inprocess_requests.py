"""In-process record/replay of ``requests`` clients: the real appbuilder-sdk on the fake."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

appbuilder = pytest.importorskip("appbuilder")
from appbuilder.core.assistant.type import thread_type  # noqa: E402

from harness import AssistantsAPI, FakeServer  # noqa: E402
from harness.cassettes import (  # noqa: E402
    Cassette,
    CassetteMiss,
    Interaction,
    Request,
    Response,
    load_cassette,
    save_cassette,
    use_cassette,
)
from harness.errors import NoMatchingInteraction  # noqa: E402
from harness.scenario import load_scenario  # noqa: E402
from tests.appbuilder_flows import assistant_and_thread  # noqa: E402
from tests.conftest import TEST_CONFIG  # noqa: E402

# Matches none of the scrubber's text patterns: only the header rules can keep it off disk.
TOKEN = "appbuilder-DoNotWriteMe-7f3a9c"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeServer]:
    """An AppBuilder fake playing a tool call, with appbuilder-sdk's environment on it."""
    scenario = load_scenario("builtin:tool-call-then-completed")
    with FakeServer(AssistantsAPI(TEST_CONFIG, scenario), dialect="appbuilder") as fake:
        monkeypatch.setenv("GATEWAY_URL", fake.url)
        monkeypatch.setenv("APPBUILDER_TOKEN", TOKEN)
        yield fake


def _closed_port_url() -> str:
    """A URL nothing listens on: a request that escapes the cassette fails loudly."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def _gone(server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> None:
    server.stop()
    monkeypatch.setenv("GATEWAY_URL", _closed_port_url())


def _polled_round_trip() -> dict[str, Any]:
    assistant_id, thread_id = assistant_and_thread()
    runs = appbuilder.assistant.threads.runs
    first = runs.run(thread_id=thread_id, assistant_id=assistant_id)
    call = first.required_action.submit_tool_outputs.tool_calls[0]
    second = runs.run(
        thread_id=thread_id,
        assistant_id=assistant_id,
        tool_output=thread_type.ToolOutput(tool_call_id=call.id, output="18 °C", run_id=first.id),
    )
    return {
        "statuses": [first.status, second.status],
        "tool": call.function.name,
        "answer": second.final_answer.message.content[0].text.value,
        "run_ids": [first.id, second.id],
    }


def _streamed_round_trip() -> tuple[list[dict[str, Any]], list[str]]:
    """stream_run; at the tool call, submit on a second connection while the stream waits."""
    assistant_id, thread_id = assistant_and_thread()
    runs = appbuilder.assistant.threads.runs
    seen: list[Any] = []
    submitted: list[str] = []
    for event in runs.stream_run(thread_id=thread_id, assistant_id=assistant_id):
        seen.append(event)
        if event.event == "status" and event.event_type == "tool_calls":
            call = event.details.tool_calls[0]
            result = runs.submit_tool_outputs(
                run_id=seen[0].details.run_object.id,
                thread_id=thread_id,
                tool_outputs=[thread_type.ToolOutput(tool_call_id=call.id, output="18")],
            )
            submitted.append(result.status)
    return [event.model_dump() for event in seen], submitted


def test_a_polled_tool_round_trip_records_then_replays_without_the_server(
    server: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "polled.yaml"
    with use_cassette(path, record_mode="once") as session:
        recorded = _polled_round_trip()
    assert recorded["statuses"] == ["requires_action", "completed"]
    assert recorded["tool"] == "get_weather"
    assert recorded["answer"] == "Here is the answer, from what the tool returned."
    assert len(session) == 4  # assistant, thread, the two runs: each recorded as it ended
    paths = [i.request.path for i in load_cassette(path)]
    assert paths.count("/v2/threads/runs") == 2

    _gone(server, monkeypatch)
    with use_cassette(path, record_mode="none") as session:
        replayed = _polled_round_trip()
    assert replayed == recorded
    assert session.misses == []


@pytest.mark.timeout(120)  # recording that waited for the whole stream first would hang here
def test_a_streamed_round_trip_records_without_deadlock_then_replays(
    server: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "streamed.yaml"
    with use_cassette(path, record_mode="once"):
        events, submitted = _streamed_round_trip()
    kinds = [e["event_type"] for e in events if e["event"] == "status"]
    assert kinds[:4] == ["run_begin", "tool_step_begin", "tool_calls", "tool_submitted_output"]
    assert kinds[-1] == "run_end"
    assert events[-1]["status"] == "completed"
    saved = load_cassette(path)
    stream = next(i.response for i in saved if i.response.is_sse)
    recorded_events = [e for e in stream.sse_events() if e[0] != "ping"]
    assert len(recorded_events) == len(events)  # the whole stream, as the client read it
    assert "/v2/threads/runs/submit_tool_outputs" in [i.request.path for i in saved]

    _gone(server, monkeypatch)
    with use_cassette(path, record_mode="none") as session:
        replayed_events, replayed_submitted = _streamed_round_trip()
    assert replayed_events == events
    assert replayed_submitted == submitted
    assert session.misses == []


def test_a_miss_in_replay_names_the_request_and_reaches_the_test(
    server: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "miss.yaml"
    with use_cassette(path, record_mode="once"):
        thread = appbuilder.assistant.threads.create()
        appbuilder.assistant.threads.query(thread_id=thread.id)
    _gone(server, monkeypatch)
    with (
        use_cassette(path, record_mode="none") as session,
        pytest.raises(NoMatchingInteraction) as raised,
    ):
        appbuilder.assistant.threads.query(thread_id="thread_never_recorded")
    assert type(raised.value) is CassetteMiss  # not wrapped into the SDK's own exceptions
    message = str(raised.value)
    assert "no recorded interaction matches POST /v2/threads/query" in message
    assert "1. POST /v2/threads/query" in message  # the nearest recorded request...
    assert "thread_never_recorded" in message  # ...and what differs
    assert "--harness-record-mode=new_episodes" in message
    assert len(session.misses) == 1


def test_the_tokens_are_written_nowhere(
    server: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "secret.yaml"
    with use_cassette(path, record_mode="once"):
        _streamed_round_trip()
    text = path.read_text()
    assert TOKEN not in text
    saved = load_cassette(path)
    sent = saved.interactions[0].request
    # appbuilder-sdk sends the token in both headers; both stay, blanked.
    assert sent.header("authorization") == "<scrubbed>"
    assert sent.header("x-appbuilder-authorization") == "<scrubbed>"
    # A different token replays the same cassette: credentials are not matched on.
    _gone(server, monkeypatch)
    monkeypatch.setenv("APPBUILDER_TOKEN", "another-token")
    with use_cassette(path, record_mode="none"):
        events, _ = _streamed_round_trip()
    assert events[-1]["status"] == "completed"


def test_non_streamed_bodies_replay_as_json_text_and_lines(
    server: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from appbuilder.core._client import AssistantHTTPClient

    client = AssistantHTTPClient()
    url = client.service_url("/v2/threads")
    path = tmp_path / "raw.yaml"
    with use_cassette(path, record_mode="once"):
        live = client.session.post(url=url, headers=client.auth_header(), json={})
    _gone(server, monkeypatch)
    with use_cassette(path, record_mode="none"):
        replayed = client.session.post(url=url, headers=client.auth_header(), json={})
    assert (replayed.status_code, replayed.reason) == (live.status_code, live.reason)
    assert replayed.json() == live.json()
    assert replayed.encoding == live.encoding
    assert replayed.url == url
    assert replayed.request.method == "POST"
    assert b"".join(replayed.iter_lines()) == b"".join(live.iter_lines())
    assert "content-encoding" not in {name.lower() for name in replayed.headers}
    assert json.loads(replayed.text)["object"] == "thread"


def test_any_requests_client_replays_a_cassette_it_did_not_record(tmp_path: Path) -> None:
    import requests

    base = _closed_port_url()
    path = tmp_path / "handmade.yaml"
    answer = Response(
        201, "Created", {"Content-Type": "application/json"}, b'{"id": "thing_1", "ok": true}'
    )
    request = Request("POST", f"{base}/things", {"Content-Type": "application/json"}, b'{"n": 1}')
    save_cassette(Cassette([Interaction(request, answer)]), path)
    with use_cassette(path, record_mode="none"), requests.Session() as client:
        replayed = client.post(f"{base}/things", json={"n": 1})
    assert (replayed.status_code, replayed.reason) == (201, "Created")
    assert replayed.json() == {"id": "thing_1", "ok": True}


def _gzipped(app_calls: list[str]) -> web.Application:
    async def handle(request: web.Request) -> web.Response:
        app_calls.append(request.path)
        response = web.json_response({"path": request.path, "padding": "x" * 2000})
        response.enable_compression()
        return response

    app = web.Application()
    app.router.add_get("/{name}", handle)
    return app


def test_compressed_bodies_are_recorded_decoded_however_the_client_reads_them(
    tmp_path: Path, serve_in_thread: Callable[[web.Application], Any]
) -> None:
    import requests

    calls: list[str] = []
    upstream = serve_in_thread(_gzipped(calls))
    path = tmp_path / "gzip.yaml"
    with use_cassette(path, record_mode="once"), requests.Session() as client:
        whole = client.get(f"{upstream.url}/whole")
        assert whole.headers["Content-Encoding"] == "deflate"  # the client saw the wire
        with client.get(f"{upstream.url}/raw", stream=True) as raw:
            wire = raw.raw.read(decode_content=False)  # the compressed bytes, as sent
    assert b"padding" not in wire
    saved = load_cassette(path)
    assert [i.request.path for i in saved] == ["/whole", "/raw"]
    for interaction in saved:
        assert interaction.response.header("content-encoding") is None
        assert interaction.response.json()["padding"] == "x" * 2000

    upstream.stop()
    with use_cassette(path, record_mode="none"), requests.Session() as client:
        assert client.get(f"{upstream.url}/whole").json() == whole.json()
        assert client.get(f"{upstream.url}/raw").json()["path"] == "/raw"
    assert calls == ["/whole", "/raw"]
