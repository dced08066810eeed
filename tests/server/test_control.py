"""The control plane (``/__harness/...``): strict bodies, OpenAI's error envelope, CLI twins."""

from __future__ import annotations

import json

import httpx2
import openai
import pytest

from harness import FakeServer
from harness.cli import main
from harness.scenario import load_scenario
from harness.server.control import MAX_ADVANCE_S


def _envelope(response: httpx2.Response) -> dict[str, object]:
    assert response.status_code == 400, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"message", "type", "param", "code"}
    assert body["error"]["type"] == "invalid_request_error"
    error: dict[str, object] = body["error"]
    return error


def test_a_misspelt_clock_field_is_refused_naming_the_allowed_one(server: FakeServer) -> None:
    before = server.api.state.clock.now_ms()
    error = _envelope(httpx2.post(server.url + "/__harness/clock", json={"advance": 600}))
    assert "unknown field 'advance'" in str(error["message"])
    assert "allowed: advance_s" in str(error["message"])
    assert error["param"] == "advance"
    assert server.api.state.clock.now_ms() == before


@pytest.mark.parametrize(
    "body",
    [
        b'{"advance_s": 1e309}',
        b'{"advance_s": NaN}',
        b'{"advance_s": Infinity}',
        b'{"advance_s": -5}',
        b'{"advance_s": "600"}',
        b'{"advance_s": true}',
        b'{"advance_s": 1' + b"0" * 400 + b"}",
        b"[600]",
        b"{not json",
        b'"x"',
    ],
    ids=[
        "1e309",
        "NaN",
        "Infinity",
        "negative",
        "string",
        "bool",
        "huge int",
        "list",
        "broken",
        "string body",
    ],
)
def test_bad_clock_bodies_are_400s_that_change_nothing(server: FakeServer, body: bytes) -> None:
    before = server.api.state.clock.now_ms()
    error = _envelope(httpx2.post(server.url + "/__harness/clock", content=body))
    assert error["message"]
    assert server.api.state.clock.now_ms() == before


def test_the_clock_moves_and_reads(server: FakeServer) -> None:
    start = httpx2.get(server.url + "/__harness/clock").json()
    moved = httpx2.post(server.url + "/__harness/clock", json={"advance_s": 1.5}).json()
    assert moved["now_ms"] == start["now_ms"] + 1500
    assert moved["now"] == moved["now_ms"] // 1000
    limit = httpx2.post(server.url + "/__harness/clock", json={"advance_s": MAX_ADVANCE_S})
    assert limit.status_code == 200
    assert httpx2.post(server.url + "/__harness/clock", content=b"").status_code == 200


def test_reset_refuses_fields_and_keeps_the_store(
    server: FakeServer, client: openai.OpenAI
) -> None:
    client.beta.assistants.create(model="gpt-4o")
    error = _envelope(httpx2.post(server.url + "/__harness/reset", json={"scenario": "x"}))
    assert "allowed: none" in str(error["message"])
    assert server.api.state.store.counts()["assistants"] == 1
    assert httpx2.post(server.url + "/__harness/reset", json={}).json() == {"reset": True}
    assert server.api.state.store.counts()["assistants"] == 0


def test_cli_twins_against_a_running_server(
    server: FakeServer, client: openai.OpenAI, capsys: pytest.CaptureFixture[str]
) -> None:
    server.api.load_scenario(load_scenario("builtin:requires-action-expired"))
    assistant = client.beta.assistants.create(
        model="gpt-4o", tools=[{"type": "function", "function": {"name": "get_weather"}}]
    )
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Weather?"}])
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    assert run.status == "requires_action"
    capsys.readouterr()

    assert main(["clock", "--base-url", server.base_url]) == 0
    now = json.loads(capsys.readouterr().out)["now"]
    assert main(["clock", "advance", "600", "--base-url", server.base_url]) == 0
    assert json.loads(capsys.readouterr().out)["now"] == now + 600
    assert client.beta.threads.runs.retrieve(run.id, thread_id=thread.id).status == "expired"

    assert main(["journal", "--base-url", server.base_url]) == 0
    journal = json.loads(capsys.readouterr().out)
    assert journal["timelines"][run.id].endswith("requires_action › expired")
    assert journal["violations"] == []

    assert main(["reset", "--base-url", server.base_url]) == 0
    assert capsys.readouterr().out.strip() == "reset"
    assert server.api.state.store.counts()["runs"] == 0


def test_cli_twins_say_what_went_wrong(
    server: FakeServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["clock", "advance", "-1", "--base-url", server.base_url]) == 1
    assert "400 advance_s must be a finite number" in capsys.readouterr().err
    assert main(["journal", "--base-url", "http://127.0.0.1:9/v1"]) == 1
    assert "no harness server answers at http://127.0.0.1:9/__harness/journal" in (
        capsys.readouterr().err
    )
    assert main(["reset", "--base-url", "ftp://x"]) == 1
    assert "must be an http(s) URL" in capsys.readouterr().err
