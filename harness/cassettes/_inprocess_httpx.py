"""Record and replay in-process traffic of ``httpx`` and ``httpx2`` clients (every openai).

openai 1.x and 2.x send through ``httpx``, 3.x through ``httpx2``. Both libraries'
``HTTPTransport.handle_request`` and ``AsyncHTTPTransport.handle_async_request`` are patched
(whichever library is installed), so every client in the process is covered. A live response is
read whole before the client gets it.

A miss does not raise inside the transport, where every openai major would retry and wrap it
into ``APIConnectionError``: the transport answers 404 (``x-should-retry: false``) with a
response whose ``raise_for_status()`` raises the :class:`CassetteMiss`. openai's clients call
``raise_for_status()`` outside their retry-and-wrap block in 1.x, 2.x and 3.x, so the miss
reaches the test at once and unwrapped; other clients see the 404 and its explanation.
"""

from __future__ import annotations

import contextlib
import importlib
import json
from types import ModuleType
from typing import TYPE_CHECKING, Any
from unittest import mock

from harness.cassettes._model import Interaction, Request, Response, decoded_headers
from harness.cassettes._replay_server import replay_headers
from harness.cassettes._replayer import CassetteMiss

if TYPE_CHECKING:
    from harness.cassettes._inprocess import CassetteSession

__all__ = ["LIBRARIES", "patch_httpx"]

LIBRARIES = ("httpx", "httpx2")


def patch_httpx(stack: contextlib.ExitStack, session: CassetteSession) -> None:
    """Answer or record every httpx/httpx2 request through ``session`` until ``stack`` closes."""
    for name in LIBRARIES:
        try:
            library = importlib.import_module(name)
        except ImportError:
            continue
        _patch(stack, library, session)


def _patch(stack: contextlib.ExitStack, library: ModuleType, session: CassetteSession) -> None:
    sync_send = library.HTTPTransport.handle_request
    async_send = library.AsyncHTTPTransport.handle_async_request
    miss_response = _miss_response_class(library)

    def handle_request(transport: Any, request: Any) -> Any:
        incoming = _request(request, request.read())
        found = session.answer(incoming)
        if found is None:
            live = sync_send(transport, request)
            live.read()
            recorded = _response(live)
            session.record(Interaction(incoming, recorded))
            return _to_library(library, recorded)
        return _answer(library, miss_response, found)

    async def handle_async_request(transport: Any, request: Any) -> Any:
        incoming = _request(request, await request.aread())
        found = session.answer(incoming)
        if found is None:
            live = await async_send(transport, request)
            await live.aread()
            recorded = _response(live)
            session.record(Interaction(incoming, recorded))
            return _to_library(library, recorded)
        return _answer(library, miss_response, found)

    stack.enter_context(mock.patch.object(library.HTTPTransport, "handle_request", handle_request))
    stack.enter_context(
        mock.patch.object(library.AsyncHTTPTransport, "handle_async_request", handle_async_request)
    )


def _request(request: Any, body: bytes) -> Request:
    return Request(request.method, str(request.url), request.headers.multi_items(), body or None)


def _response(live: Any) -> Response:
    """The live response as recorded: decoded body, no Content-Encoding, true length."""
    content: bytes = live.content
    headers = decoded_headers(live.headers.multi_items(), len(content))
    return Response(live.status_code, live.reason_phrase or "", headers, content)


def _to_library(library: ModuleType, response: Response) -> Any:
    headers = list(replay_headers(response.headers).items())
    return library.Response(
        response.status,
        headers=headers,
        content=response.content,
        extensions={"reason_phrase": response.reason.encode("latin-1", "replace")},
    )


def _answer(library: ModuleType, miss_response: type[Any], found: Response | CassetteMiss) -> Any:
    if isinstance(found, Response):
        return _to_library(library, found)
    body = _miss_envelope(str(found))
    return miss_response(
        found,
        404,
        headers=[("content-type", "application/json"), ("x-should-retry", "false")],
        content=body,
    )


def _miss_envelope(message: str) -> bytes:
    error = {"message": message, "type": "invalid_request_error", "param": None}
    return json.dumps({"error": {**error, "code": "cassette_miss"}}).encode()


def _miss_response_class(library: ModuleType) -> type[Any]:
    """``library.Response`` whose ``raise_for_status()`` raises the miss."""

    def __init__(self: Any, miss: CassetteMiss, *args: Any, **kwargs: Any) -> None:
        library.Response.__init__(self, *args, **kwargs)
        self.miss = miss

    def raise_for_status(self: Any) -> Any:
        raise self.miss

    return type(
        "CassetteMissResponse",
        (library.Response,),
        {"__init__": __init__, "raise_for_status": raise_for_status},
    )
