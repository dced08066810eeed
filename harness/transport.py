"""In-process transports: the openai SDK talks to the fake with no socket and no server thread.

    api = AssistantsAPI()
    client = openai.OpenAI(
        base_url="http://harness.invalid/v1",
        api_key="sk-test",
        http_client=openai.DefaultHttpxClient(transport=InProcessTransport(api)),
    )

The same core answers as over HTTP (errors, faults, streams); a fault that resets the connection
raises ``httpx2.ConnectError``. For openai 3.x, whose HTTP client is ``httpx2``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator

import httpx2

from harness.core import ApiRequest, ApiResponse, AssistantsAPI, Cut, Pause
from harness.dialects import Dialect

__all__ = ["AsyncInProcessTransport", "InProcessTransport"]


def _core_request(request: httpx2.Request, body: bytes, prefix: str, caller: str) -> ApiRequest:
    path = request.url.path
    return ApiRequest(
        method=request.method,
        path=path[len(prefix) :] if path.startswith(prefix) else path,
        query=tuple(request.url.params.multi_items()),
        headers={name.lower(): value for name, value in request.headers.items()},
        body=body,
        caller=caller,
    )


def _http_response(
    response: ApiResponse, request: httpx2.Request, events: type[_Events | _AsyncEvents]
) -> httpx2.Response:
    """The httpx2 response for a core answer (after its delay); a reset fault raises."""
    if response.reset:
        raise httpx2.ConnectError("harness: connection reset (fault)", request=request)
    if response.stream is not None:
        return httpx2.Response(response.status, headers=response.headers, stream=events(response))
    headers = {**response.headers, "Content-Type": response.media_type}
    return httpx2.Response(response.status, headers=headers, content=response.encoded_body())


def _chunks(response: ApiResponse) -> Iterator[bytes | Pause]:
    """The stream's bytes and pauses; a cut connection (a fault) ends it with a read error."""
    assert response.stream is not None
    for item in response.stream:
        if isinstance(item, Cut):
            for _ in response.stream:  # the run goes on without the client
                pass
            raise httpx2.ReadError("harness: the stream was cut (fault)")
        yield item if isinstance(item, Pause) else item.encode()


def _answer(
    transport: InProcessTransport | AsyncInProcessTransport, request: httpx2.Request, body: bytes
) -> ApiResponse:
    """The core's answer, or the transport's dialect's for a path under its prefixes."""
    dialect = transport.dialect
    if dialect is not None and request.url.path.startswith(dialect.prefixes):
        return dialect.handle(_core_request(request, body, "", transport.caller))
    core_request = _core_request(request, body, transport.prefix, transport.caller)
    return transport.api.handle(core_request, prefix=transport.prefix)


class _Events(httpx2.SyncByteStream):
    def __init__(self, response: ApiResponse) -> None:
        self._response = response

    def __iter__(self) -> Iterator[bytes]:
        for chunk in _chunks(self._response):
            if isinstance(chunk, Pause):
                time.sleep(chunk.ms / 1000)
            else:
                yield chunk


class _AsyncEvents(httpx2.AsyncByteStream):
    def __init__(self, response: ApiResponse) -> None:
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in _chunks(self._response):
            if isinstance(chunk, Pause):
                await asyncio.sleep(chunk.ms / 1000)
            else:
                yield chunk


class InProcessTransport(httpx2.BaseTransport):
    """Answers ``httpx2.Client`` requests from an :class:`AssistantsAPI` in the same thread."""

    def __init__(
        self, api: AssistantsAPI, *, prefix: str = "/v1", dialect: Dialect | None = None
    ) -> None:
        self.api = api
        self.prefix = prefix.rstrip("/")
        self.dialect = dialect
        """Paths under ``dialect.prefixes`` go to it (e.g. Azure's ``/openai/...``)."""
        self.caller = f"in-process:{id(self):x}"
        """Every request through this transport comes from one caller."""

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        response = _answer(self, request, request.read())
        if response.delay_ms:
            time.sleep(response.delay_ms / 1000)
        return _http_response(response, request, _Events)


class AsyncInProcessTransport(httpx2.AsyncBaseTransport):
    """The same for ``httpx2.AsyncClient`` (``openai.AsyncOpenAI``)."""

    def __init__(
        self, api: AssistantsAPI, *, prefix: str = "/v1", dialect: Dialect | None = None
    ) -> None:
        self.api = api
        self.prefix = prefix.rstrip("/")
        self.dialect = dialect
        """Paths under ``dialect.prefixes`` go to it (e.g. Azure's ``/openai/...``)."""
        self.caller = f"in-process:{id(self):x}"
        """Every request through this transport comes from one caller."""

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        response = _answer(self, request, await request.aread())
        if response.delay_ms:
            await asyncio.sleep(response.delay_ms / 1000)
        return _http_response(response, request, _AsyncEvents)
