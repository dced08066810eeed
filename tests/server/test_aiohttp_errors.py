"""What aiohttp answers by itself comes in OpenAI's JSON envelope too (``harness/server/errors``).

Raw bytes over a socket, as a broken client or curl with odd input would send them.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp import web

from harness import AssistantsAPI, FakeServer, create_app
from harness.server import AppServer
from tests.conftest import TEST_CONFIG

AUTH = b"Authorization: Bearer sk-test\r\nOpenAI-Beta: assistants=v2\r\n"


async def _exchange(port: int, data: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send ``data`` on a fresh connection; the status, headers and body of the answer."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in lines if line)
        }
        body = await asyncio.wait_for(reader.readexactly(int(headers["content-length"])), 10)
        return int(status_line.split()[1]), headers, body
    finally:
        writer.close()


def exchange(port: int, data: bytes) -> tuple[int, dict[str, str], bytes]:
    return asyncio.run(_exchange(port, data))


def _envelope(answer: tuple[int, dict[str, str], bytes], status: int) -> dict[str, Any]:
    got, headers, body = answer
    assert got == status, body
    assert headers["content-type"].startswith("application/json")
    error: dict[str, Any] = json.loads(body)["error"]
    assert set(error) == {"message", "type", "param", "code"}
    return error


def _still_serves(port: int) -> None:
    status, _, body = exchange(port, b"GET /v1/assistants HTTP/1.1\r\nHost: x\r\n" + AUTH + b"\r\n")
    assert status == 200, body
    assert json.loads(body)["object"] == "list"


@pytest.mark.parametrize(
    ("request_bytes", "status", "says"),
    [
        (b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", 404, "Invalid URL (GET /nope)"),
        (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 404, "Invalid URL (GET /)"),
        (b"FOO /v1/assistants HTTP/1.1\r\nHost: x\r\n\r\n", 400, "Invalid method"),
        (b"G{T /v1/assistants HTTP/1.1\r\nHost: x\r\n\r\n", 400, "Invalid method"),
        (b"GET /v1/assistants HTTP/9.9\r\nHost: x\r\n\r\n", 400, "Bad status line"),
        (b"\x00\x01\x02\r\n\r\n", 400, "Malformed HTTP request"),
        (b"GET /v1/assistants/asst_\xff HTTP/1.1\r\nHost: x\r\n\r\n", 400, "Invalid char in url"),
        (
            b"GET /v1/assistants HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n",
            400,
            "Got more than 8190 bytes",
        ),
        (
            b"POST /v1/assistants HTTP/1.1\r\nHost: x\r\n"
            + AUTH
            + b"Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
            400,
            "chunk size",
        ),
        (
            b"POST /v1/assistants HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}",
            400,
            "Malformed HTTP request",
        ),
        (
            b"POST /v1/assistants HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
            400,
            "Malformed HTTP request",
        ),
    ],
    ids=[
        "outside-v1",
        "root",
        "unknown-method",
        "bad-method-token",
        "bad-version",
        "garbage",
        "raw-byte-in-path",
        "oversized-header",
        "bad-chunk-size",
        "bad-content-length",
        "length-and-chunked",
    ],
)
def test_aiohttp_errors_are_envelopes(
    server: FakeServer, request_bytes: bytes, status: int, says: str
) -> None:
    error = _envelope(exchange(server.port, request_bytes), status)
    assert says in error["message"], error
    assert "\n" not in error["message"]  # aiohttp's caret lines are not part of the message
    _still_serves(server.port)


def test_an_oversized_body_is_413(server: FakeServer) -> None:
    size = 32 * 1024**2 + 1
    head = b"POST /v1/assistants HTTP/1.1\r\nHost: x\r\n" + AUTH
    head += b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % size
    error = _envelope(exchange(server.port, head + b" " * size), 413)
    assert error["message"] == "Request body too large: the limit is 33554432 bytes (32 MiB)."
    _still_serves(server.port)


def test_a_body_cut_short_gets_no_answer_and_harms_nothing(server: FakeServer) -> None:
    """aiohttp cannot answer a client that left: the one case with no envelope."""

    async def cut() -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(
            b"POST /v1/assistants HTTP/1.1\r\nHost: x\r\n" + AUTH + b"Content-Length: 100\r\n\r\n{"
        )
        await writer.drain()
        writer.close()
        return await reader.read()

    assert asyncio.run(cut()) == b""
    _still_serves(server.port)
    assert server.api.state.store.counts()["assistants"] == 0


@pytest.fixture(scope="module")
def app_with_extra_routes() -> Iterator[AppServer]:
    """The real app with a POST-only route and a crashing handler, to reach the middleware."""

    async def crash(request: web.Request) -> web.Response:
        raise RuntimeError("boom")

    async def only_post(request: web.Request) -> web.Response:
        return web.json_response({})

    app = create_app(AssistantsAPI(TEST_CONFIG))
    app.router.add_get("/crash", crash)
    app.router.add_post("/only-post", only_post)
    with AppServer(app) as running:
        yield running


def test_wrong_method_on_an_aiohttp_route_is_405(app_with_extra_routes: AppServer) -> None:
    status, headers, body = exchange(
        app_with_extra_routes.port, b"GET /only-post HTTP/1.1\r\nHost: x\r\n\r\n"
    )
    error = _envelope((status, headers, body), 405)
    assert error["message"] == "Invalid method for URL (GET /only-post). Supported: POST"
    assert headers["allow"] == "POST"


def test_a_crashing_handler_is_a_500_envelope(app_with_extra_routes: AppServer) -> None:
    error = _envelope(
        exchange(app_with_extra_routes.port, b"GET /crash HTTP/1.1\r\nHost: x\r\n\r\n"), 500
    )
    assert error["type"] == "server_error"
    assert "boom" not in error["message"]  # no internals on the wire; the log has them
