"""Serve a cassette over HTTP with aiohttp, so any client (any language) can replay it."""

from __future__ import annotations

import asyncio

from aiohttp import web
from multidict import CIMultiDict

from harness.cassettes._model import Cassette, Headers, Request, Response
from harness.cassettes._replayer import Replayer
from harness.errors import NoMatchingInteraction
from harness.sse import split_events

__all__ = ["MISSES", "REPLAYER", "replay_app", "replay_headers"]

MISSES: web.AppKey[list[NoMatchingInteraction]] = web.AppKey("cassette_misses")
"""Every request the cassette could not answer, in arrival order."""

REPLAYER: web.AppKey[Replayer] = web.AppKey("cassette_replayer", Replayer)

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
    }
)
_NOT_REPLAYED = HOP_BY_HOP | {"content-length", "content-encoding", "set-cookie", "date"}


def replay_headers(headers: Headers) -> CIMultiDict[str]:
    """Recorded headers fit to send again: no hop-by-hop, length, encoding, cookies or date."""
    return CIMultiDict(
        (name, value) for name, value in headers if name.lower() not in _NOT_REPLAYED
    )


def replay_app(
    cassette: Cassette | Replayer,
    *,
    event_delay: float = 0.0,
) -> web.Application:
    """An aiohttp app answering every path from ``cassette`` (or a configured Replayer).

    Responses replay status, reason, headers and body; SSE bodies are written event by event
    (``event_delay`` seconds apart). A miss answers 404 with an OpenAI error envelope whose
    message explains the nearest recorded requests, and is appended to ``app[MISSES]``.
    """
    replayer = cassette if isinstance(cassette, Replayer) else Replayer(cassette)
    app = web.Application(client_max_size=64 * 1024**2)
    app[REPLAYER] = replayer
    app[MISSES] = []

    async def handle(request: web.Request) -> web.StreamResponse:
        incoming = Request(
            request.method,
            str(request.rel_url),
            tuple(request.headers.items()),
            await request.read() or None,
        )
        try:
            recorded = replayer.respond(incoming)
        except NoMatchingInteraction as miss:
            request.app[MISSES].append(miss)
            return web.json_response(_envelope(str(miss)), status=404)
        if recorded.is_sse:
            return await _stream(request, recorded, event_delay)
        return web.Response(
            status=recorded.status,
            reason=recorded.reason or None,
            headers=replay_headers(recorded.headers),
            body=recorded.content,
        )

    app.router.add_route("*", "/{tail:.*}", handle)
    return app


def _envelope(message: str) -> dict[str, dict[str, str | None]]:
    return {
        "error": {
            "message": message,
            "type": "invalid_request_error",
            "param": None,
            "code": "cassette_miss",
        }
    }


async def _stream(request: web.Request, recorded: Response, delay: float) -> web.StreamResponse:
    headers = replay_headers(recorded.headers)
    headers.setdefault("Content-Type", "text/event-stream; charset=utf-8")
    response = web.StreamResponse(
        status=recorded.status, reason=recorded.reason or None, headers=headers
    )
    await response.prepare(request)
    for number, event in enumerate(split_events(recorded.text)):
        if number and delay:
            await asyncio.sleep(delay)
        await response.write(event.encode("utf-8"))
    await response.write_eof()
    return response
