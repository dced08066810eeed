"""A recording reverse proxy: forward to one upstream, stream the answer back, keep a cassette.

Every request goes to the configured upstream and nowhere else: the target URL is built from
the configured scheme, host, port and base path plus the request's own path and query; the
``Host`` header and absolute request targets are ignored and redirects are not followed.
Each completed interaction is handed to a writer thread that appends it to the cassette (one
write of that interaction's scrubbed bytes, whatever the cassette's length, see
:mod:`harness.cassettes._appender`); the end of the response reaches the client once the item
is in the file (handed to the OS; the fsync happens behind), so a client that has its answer
can rely on the file even if the proxy is killed. An existing cassette at the path is extended;
a crash's leftovers are repaired when the proxy starts.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
from aiohttp import web
from multidict import CIMultiDict
from yarl import URL

from harness.cassettes._appender import CassetteAppender
from harness.cassettes._model import Interaction, Request, Response, decoded_headers
from harness.cassettes._replay_server import HOP_BY_HOP
from harness.cassettes._scrub import DEFAULT_SCRUBBER, Scrubber
from harness.errors import ConfigError

__all__ = ["RECORDER", "CassetteRecorder", "recording_proxy_app", "upstream_url"]


class CassetteRecorder:
    """The proxy's cassette: interactions are appended by a writer thread, never rewritten."""

    def __init__(self, path: Path, scrubber: Scrubber | None) -> None:
        self.path = path
        self.appender = CassetteAppender(path, scrubber=scrubber)

    async def add(self, interaction: Interaction) -> None:
        """Append ``interaction``; return once it is in the file (the event loop never blocks)."""
        await asyncio.wrap_future(self.appender.append(interaction))

    def close(self) -> None:
        """Write what is queued and fsync."""
        self.appender.close()


RECORDER: web.AppKey[CassetteRecorder] = web.AppKey("cassette_recorder", CassetteRecorder)
_SESSION: web.AppKey[aiohttp.ClientSession] = web.AppKey("proxy_session", aiohttp.ClientSession)
_NOT_FORWARDED = HOP_BY_HOP | {"host", "content-length", "accept-encoding"}
_NOT_RELAYED = HOP_BY_HOP | {"content-length", "content-encoding"}


def upstream_url(base: URL, target: URL) -> URL:
    """``base`` (scheme, host, port, path prefix) joined with ``target``'s path and query."""
    prefix = base.raw_path.rstrip("/")
    return URL.build(
        scheme=base.scheme,
        host=base.raw_host or "",
        port=base.explicit_port,
        path=prefix + (target.raw_path if target.raw_path.startswith("/") else "/"),
        query_string=target.raw_query_string,
        encoded=True,
    )


def recording_proxy_app(
    upstream: str,
    cassette_path: str | Path,
    *,
    scrubber: Scrubber | None = DEFAULT_SCRUBBER,
    timeout: float = 600.0,
) -> web.Application:
    """An aiohttp app forwarding to ``upstream`` and recording into ``cassette_path``."""
    base = URL(upstream)
    if base.scheme not in {"http", "https"} or not base.host or base.query_string or base.fragment:
        raise ConfigError(
            f"upstream must be an http(s) URL without query or fragment: {upstream!r}"
        )
    app = web.Application(client_max_size=64 * 1024**2)
    recorder = app[RECORDER] = CassetteRecorder(Path(cassette_path), scrubber)

    async def session(app: web.Application) -> AsyncIterator[None]:
        client_timeout = aiohttp.ClientTimeout(total=None, sock_connect=30, sock_read=timeout)
        async with aiohttp.ClientSession(timeout=client_timeout, auto_decompress=True) as client:
            app[_SESSION] = client
            yield
        await asyncio.to_thread(recorder.close)

    async def handle(request: web.Request) -> web.StreamResponse:
        target = upstream_url(base, request.rel_url)
        if (target.scheme, target.host, target.port) != (base.scheme, base.host, base.port):
            raise web.HTTPBadRequest(text="refusing to proxy outside the upstream")
        return await _forward(request, target)

    app.cleanup_ctx.append(session)
    app.router.add_route("*", "/{tail:.*}", handle)
    return app


async def _forward(request: web.Request, target: URL) -> web.StreamResponse:
    body = await request.read()
    headers = CIMultiDict(
        (name, value)
        for name, value in request.headers.items()
        if name.lower() not in _NOT_FORWARDED
    )
    headers["Accept-Encoding"] = "gzip, deflate"
    client = request.app[_SESSION]
    relayed: web.StreamResponse | None = None
    try:
        async with client.request(
            request.method, target, headers=headers, data=body or None, allow_redirects=False
        ) as upstream:
            relayed = web.StreamResponse(
                status=upstream.status,
                reason=upstream.reason,
                headers=CIMultiDict(
                    (k, v) for k, v in upstream.headers.items() if k.lower() not in _NOT_RELAYED
                ),
            )
            await relayed.prepare(request)
            chunks = []
            async for chunk in upstream.content.iter_any():
                chunks.append(chunk)
                await relayed.write(chunk)
            content = b"".join(chunks)
            recorded = Response(
                upstream.status,
                upstream.reason or "",
                decoded_headers(upstream.headers.items(), len(content)),
                content,
            )
    except aiohttp.ClientError as error:
        if relayed is not None and relayed.prepared:
            raise  # cut mid-stream: the client sees a broken response, nothing is recorded
        return web.json_response(
            {
                "error": {
                    "message": f"the upstream {target.origin()} failed: {error!r}",
                    "type": "proxy_error",
                    "param": None,
                    "code": "upstream_unreachable",
                }
            },
            status=502,
        )
    sent = Request(request.method, str(target), tuple(headers.items()), body or None)
    await request.app[RECORDER].add(Interaction(sent, recorded))
    await relayed.write_eof()
    return relayed
