"""The recording reverse proxy: forwards to its upstream only, streams, records scrubbed."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession, web
from yarl import URL

from harness.cassettes import load_cassette, recording_proxy_app, replay_app
from harness.cassettes._proxy import upstream_url
from harness.errors import ConfigError

API_KEY = "sk-proj-RealLookingKey0123456789abcdef"
CF_BM = "abcDEF123.456-1774963842"
EVENTS = ["thread.run.created", "thread.run.in_progress", "thread.run.completed"]
SECOND_EVENT_SENT_EARLY = "the proxy buffered the stream"


def _upstream(
    seen: list[tuple[str, str, str | None]], first_event_read: asyncio.Event
) -> web.Application:
    async def echo(request: web.Request) -> web.Response:
        seen.append((request.method, str(request.rel_url), request.headers.get("Authorization")))
        body = await request.json()
        return web.json_response(
            {"object": "echo", "got": body, "host": request.host},
            headers={
                "openai-organization": "acme-secret-org",
                "Set-Cookie": f"__cf_bm={CF_BM}; path=/",
            },
        )

    async def stream(request: web.Request) -> web.StreamResponse:
        seen.append((request.method, str(request.rel_url), request.headers.get("Authorization")))
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream; charset=utf-8"})
        await response.prepare(request)
        for number, name in enumerate(EVENTS):
            if number == 1:  # the client must have the first event before we send the second
                try:
                    await asyncio.wait_for(first_event_read.wait(), 5)
                except asyncio.TimeoutError:
                    name = SECOND_EVENT_SENT_EARLY
            data = json.dumps({"id": "run_1", "status": name.rsplit(".", 1)[-1]})
            await response.write(f"event: {name}\ndata: {data}\n\n".encode())
        await response.write_eof()
        return response

    app = web.Application()
    app.router.add_post("/v1/echo", echo)
    app.router.add_post("/v1/threads/t/runs", stream)
    return app


async def test_proxy_forwards_streams_and_records_scrubbed(
    aiohttp_server: Any, tmp_path: Path
) -> None:
    seen: list[tuple[str, str, str | None]] = []
    first_event_read = asyncio.Event()
    upstream = await aiohttp_server(_upstream(seen, first_event_read))
    cassette_path = tmp_path / "recorded.yaml"
    proxy = await aiohttp_server(recording_proxy_app(str(upstream.make_url("/")), cassette_path))
    headers = {"Authorization": f"Bearer {API_KEY}", "Host": "evil.example"}

    async with ClientSession() as client:
        async with client.post(
            proxy.make_url("/v1/echo?b=2&a=1"), json={"hello": "world"}, headers=headers
        ) as response:
            assert response.status == 200
            echoed = await response.json()
        assert echoed["got"] == {"hello": "world"}
        assert echoed["host"] == f"127.0.0.1:{upstream.port}"  # not the client's Host header

        received: list[str] = []
        async with client.post(
            proxy.make_url("/v1/threads/t/runs"), json={"stream": True}, headers=headers
        ) as response:
            assert response.headers["Content-Type"].startswith("text/event-stream")
            buffer = ""
            async for chunk in response.content.iter_any():
                buffer += chunk.decode()
                while "\n\n" in buffer:
                    event, buffer = buffer.split("\n\n", 1)
                    received.append(event.splitlines()[0].removeprefix("event: "))
                    first_event_read.set()
    assert received == EVENTS
    assert seen == [
        ("POST", "/v1/echo?b=2&a=1", f"Bearer {API_KEY}"),  # the client's key reaches upstream
        ("POST", "/v1/threads/t/runs", f"Bearer {API_KEY}"),
    ]

    # on disk: both interactions, scrubbed
    written = cassette_path.read_bytes()
    for secret in (API_KEY, CF_BM, "acme-secret-org"):
        assert secret.encode() not in written
    cassette = load_cassette(cassette_path)
    assert len(cassette) == 2
    first, second = cassette.interactions
    assert first.request.uri == str(upstream.make_url("/v1/echo?b=2&a=1"))
    assert first.request.header("authorization") == "<scrubbed>"
    assert first.response.header("openai-organization") == "<scrubbed>"
    assert first.response.json()["got"] == {"hello": "world"}
    assert [name for name, _ in second.response.sse_events()] == EVENTS
    assert b"event: thread.run.created" in written  # SSE kept whole and readable

    # ...and it replays
    replay = await aiohttp_server(replay_app(cassette))
    async with ClientSession() as client:
        async with client.post(
            replay.make_url("/v1/echo?a=1&b=2"), json={"hello": "world"}
        ) as response:
            assert (await response.json())["got"] == {"hello": "world"}
        async with client.post(
            replay.make_url("/v1/threads/t/runs"), json={"stream": True}
        ) as response:
            assert (await response.text()).count("event: ") == 3


async def test_an_existing_cassette_is_extended(aiohttp_server: Any, tmp_path: Path) -> None:
    upstream = await aiohttp_server(_upstream([], asyncio.Event()))
    path = tmp_path / "c.yaml"
    for round_ in range(2):
        proxy = await aiohttp_server(recording_proxy_app(str(upstream.make_url("/")), path))
        async with (
            ClientSession() as client,
            client.post(proxy.make_url("/v1/echo"), json={"round": round_}) as response,
        ):
            await response.read()
        await proxy.close()
    assert [i.request.json() for i in load_cassette(path)] == [{"round": 0}, {"round": 1}]


async def test_an_unreachable_upstream_answers_502_and_records_nothing(
    aiohttp_server: Any, tmp_path: Path
) -> None:
    gone = await aiohttp_server(web.Application())
    url = str(gone.make_url("/"))
    await gone.close()
    path = tmp_path / "c.yaml"
    proxy = await aiohttp_server(recording_proxy_app(url, path))
    async with ClientSession() as client, client.get(proxy.make_url("/v1/models")) as response:
        assert response.status == 502
        assert (await response.json())["error"]["code"] == "upstream_unreachable"
    assert not path.exists()


def test_the_target_is_always_the_upstream() -> None:
    base = URL("https://api.example.com:8443/base/")
    assert (
        str(upstream_url(base, URL("/v1/x?a=%20b")))
        == "https://api.example.com:8443/base/v1/x?a=%20b"
    )
    sneaky = upstream_url(base, URL("//evil.example/v1/x"))
    assert (sneaky.host, sneaky.port) == ("api.example.com", 8443)
    assert upstream_url(URL("http://h"), URL("/v1")).path == "/v1"


@pytest.mark.parametrize("upstream", ["ftp://h/", "/relative", "http://h/?q=1", "http://h/#f"])
def test_bad_upstreams_are_refused(upstream: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        recording_proxy_app(upstream, tmp_path / "c.yaml")
