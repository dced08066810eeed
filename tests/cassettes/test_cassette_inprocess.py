"""In-process record/replay of the openai SDK (httpx for 1.x/2.x, httpx2 for 3.x)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openai
import pytest
import vcr.serialize
from aiohttp import web
from vcr.serializers import yamlserializer

from harness.cassettes import load_cassette, use_cassette
from harness.errors import ConfigError, NoMatchingInteraction

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

API_KEY = "sk-proj-DoNotWriteMe0123456789abcdefghij"


def _assistant(assistant_id: str, model: str) -> dict[str, Any]:
    return {
        "id": assistant_id,
        "object": "assistant",
        "created_at": 1700000000,
        "name": "Tutor",
        "description": None,
        "model": model,
        "instructions": None,
        "tools": [],
        "metadata": {},
        "top_p": 1.0,
        "temperature": 1.0,
        "response_format": "auto",
    }


def _upstream(calls: list[str]) -> web.Application:
    """Mimics ``POST /v1/assistants`` and ``GET /v1/assistants/asst_x`` (gzip, org headers)."""

    async def create(request: web.Request) -> web.Response:
        calls.append(f"POST {request.path}")
        body = await request.json()
        response = web.json_response(
            _assistant("asst_x", body["model"]),
            headers={"openai-organization": "secret-org", "openai-project": "proj_" + "A" * 24},
        )
        response.enable_compression()
        return response

    async def retrieve(request: web.Request) -> web.Response:
        calls.append(f"GET {request.path}")
        return web.json_response(_assistant(request.match_info["id"], "gpt-4o"))

    app = web.Application()
    app.router.add_post("/v1/assistants", create)
    app.router.add_get("/v1/assistants/{id}", retrieve)
    return app


def _exercise(base_url: str) -> tuple[Any, Any]:
    client = openai.OpenAI(base_url=base_url, api_key=API_KEY, max_retries=0)
    created = client.beta.assistants.create(model="gpt-4o", name="Tutor")
    fetched = client.beta.assistants.retrieve("asst_x")
    return created, fetched


def test_record_then_replay_without_the_upstream(
    tmp_path: Path, serve_in_thread: Callable[[web.Application], Any]
) -> None:
    calls: list[str] = []
    upstream = serve_in_thread(_upstream(calls))
    base_url = f"{upstream.url}/v1"
    path = tmp_path / "sdk.yaml"

    with use_cassette(path, record_mode="once") as cassette:
        created, fetched = _exercise(base_url)
    assert len(cassette) == 2
    assert calls == ["POST /v1/assistants", "GET /v1/assistants/asst_x"]

    written = path.read_text()
    assert API_KEY not in written
    assert "secret-org" not in written
    assert "proj_AAAA" not in written
    assert "!!binary" not in written
    assert "Content-Encoding" not in written
    saved = load_cassette(path)
    assert saved.interactions[0].request.header("authorization") == "<scrubbed>"
    assert saved.interactions[0].response.json()["id"] == "asst_x"

    upstream.stop()
    with use_cassette(path, record_mode="none") as cassette:
        replayed_created, replayed_fetched = _exercise(base_url)
        # more retrieves than recorded: the last recorded answer sticks
        client = openai.OpenAI(base_url=base_url, api_key="sk-other", max_retries=0)
        assert client.beta.assistants.retrieve("asst_x").id == "asst_x"
    assert replayed_created == created
    assert replayed_fetched == fetched
    assert calls == ["POST /v1/assistants", "GET /v1/assistants/asst_x"]  # no new upstream calls


def test_replay_matches_on_the_json_body(
    tmp_path: Path, serve_in_thread: Callable[[web.Application], Any]
) -> None:
    upstream = serve_in_thread(_upstream([]))
    path = tmp_path / "sdk.yaml"
    with use_cassette(path):
        _exercise(f"{upstream.url}/v1")
    upstream.stop()
    # Default retries: a miss must not be retried, nor wrapped into APIConnectionError.
    client = openai.OpenAI(base_url=f"{upstream.url}/v1", api_key=API_KEY)
    with (
        use_cassette(path, record_mode="none") as session,
        pytest.raises(NoMatchingInteraction) as raised,
    ):
        client.beta.assistants.create(model="gpt-4o-mini", name="Tutor")
    message = str(raised.value)
    assert "no recorded interaction matches POST /v1/assistants" in message
    assert "1. POST /v1/assistants" in message  # the nearest recorded request...
    assert "body differs: $.model 'gpt-4o-mini' != 'gpt-4o'" in message  # ...and what differs
    assert "--harness-record-mode=new_episodes" in message
    assert "allow_playback_repeats" not in message  # vcrpy's advice is gone
    assert len(session.misses) == 1  # asked once: no retry reached the transport again


async def test_an_async_miss_raises_at_once_too(
    tmp_path: Path, serve_in_thread: Callable[[web.Application], Any]
) -> None:
    upstream = serve_in_thread(_upstream([]))
    path = tmp_path / "sdk.yaml"
    with use_cassette(path):
        _exercise(f"{upstream.url}/v1")
    upstream.stop()
    with use_cassette(path, record_mode="none") as session:
        async with openai.AsyncOpenAI(base_url=f"{upstream.url}/v1", api_key=API_KEY) as client:
            with pytest.raises(NoMatchingInteraction, match="path differs"):
                await client.beta.assistants.retrieve("asst_other")
    assert len(session.misses) == 1


def test_new_episodes_records_what_is_missing_and_rewrite_starts_over(
    tmp_path: Path, serve_in_thread: Callable[[web.Application], Any]
) -> None:
    calls: list[str] = []
    upstream = serve_in_thread(_upstream(calls))
    base_url = f"{upstream.url}/v1"
    path = tmp_path / "sdk.yaml"
    client = openai.OpenAI(base_url=base_url, api_key=API_KEY, max_retries=0)
    with use_cassette(path, record_mode="once"):
        client.beta.assistants.create(model="gpt-4o", name="Tutor")
    with use_cassette(path, record_mode="new_episodes"):
        client.beta.assistants.create(model="gpt-4o", name="Tutor")  # replayed
        client.beta.assistants.retrieve("asst_x")  # recorded
    assert calls == ["POST /v1/assistants", "GET /v1/assistants/asst_x"]
    assert [i.request.method for i in load_cassette(path)] == ["POST", "GET"]
    with use_cassette(path, record_mode="rewrite"):
        client.beta.assistants.retrieve("asst_x")
    assert [i.request.method for i in load_cassette(path)] == ["GET"]
    # what we write stays a vcrpy cassette
    requests, _ = vcr.serialize.deserialize(path.read_text(), yamlserializer)
    assert [r.method for r in requests] == ["GET"]


async def test_async_client_replays(
    tmp_path: Path, serve_in_thread: Callable[[web.Application], Any]
) -> None:
    upstream = serve_in_thread(_upstream([]))
    path = tmp_path / "sdk.json"
    with use_cassette(path):
        created, _ = _exercise(f"{upstream.url}/v1")
    assert json.loads(path.read_text())["version"] == 1
    upstream.stop()
    with use_cassette(path, record_mode="none"):
        async with openai.AsyncOpenAI(
            base_url=f"{upstream.url}/v1", api_key=API_KEY, max_retries=0
        ) as client:
            assert await client.beta.assistants.create(model="gpt-4o", name="Tutor") == created


def test_unknown_record_modes_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="record_mode"):
        use_cassette(tmp_path / "c.yaml", record_mode="any")  # type: ignore[arg-type]
