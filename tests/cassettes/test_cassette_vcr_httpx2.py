"""In-process record/replay of the openai SDK (httpx2) through vcrpy with our configuration."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openai
import pytest
from aiohttp import web
from vcr.errors import CannotOverwriteExistingCassetteException

from harness.cassettes import load_cassette, use_cassette
from harness.errors import CassetteError, ConfigError

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
    client = openai.OpenAI(base_url=f"{upstream.url}/v1", api_key=API_KEY, max_retries=0)
    with (
        use_cassette(path, record_mode="none"),
        pytest.raises(CannotOverwriteExistingCassetteException) as raised,
    ):
        client.beta.assistants.create(model="gpt-4o-mini", name="Tutor")
    assert "body differs: $.model 'gpt-4o-mini' != 'gpt-4o'" in str(raised.value)


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


def test_a_vcrpy_without_httpx2_support_is_refused_clearly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import vcr.patch

    monkeypatch.setattr(vcr.patch, "PATCHER_NAMES", ("httplib", "httpx"))
    with pytest.raises(CassetteError, match=r"does not patch httpx2.*vcrpy>=8\.2"):
        use_cassette(tmp_path / "c.yaml")
