"""Record and replay in-process traffic of ``requests`` clients (appbuilder-sdk, azure-core).

``requests.adapters.HTTPAdapter.send`` is patched, so every session in the process is covered.

Recording never holds a response back: the client gets the live response unread, and what it
reads of the body is kept as it goes (a tee on the urllib3 response). The interaction is
recorded when the client has read the body to its end or closed the response, or at the end of
the block with what was read by then. So a stream the server keeps open until the client acts on
a second connection (AppBuilder's ``stream_run`` waiting at ``requires_action``) is recorded
without a deadlock. A body whose reading fails is not recorded.

Replay builds the response as ``requests`` itself would (``HTTPAdapter.build_response`` over a
urllib3 response reading the recorded body from memory): status, reason, headers, ``url``,
``request``, encoding; ``.json()``, ``iter_content`` and ``iter_lines`` work as on the wire.

A miss raises the :class:`CassetteMiss` from ``send``. Nothing between the adapter and the
caller retries or wraps it (urllib3's retries run inside the real ``send``, which a replay never
calls; azure-core's transport and retry policy only catch ``requests``' and its own errors), so
it reaches the test unwrapped: appbuilder-sdk's calls raise it as they get it.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import threading
from collections.abc import Callable, Iterator
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from unittest import mock

from harness.cassettes._encoding import decoded
from harness.cassettes._model import Interaction, Request, Response, decoded_headers
from harness.cassettes._replay_server import replay_headers
from harness.cassettes._replayer import CassetteMiss

if TYPE_CHECKING:
    from harness.cassettes._inprocess import CassetteSession

__all__ = ["patch_requests"]


def patch_requests(stack: contextlib.ExitStack, session: CassetteSession) -> None:
    """Answer or record every ``requests`` request through ``session`` until ``stack`` closes."""
    try:
        adapters = importlib.import_module("requests.adapters")
        urllib3 = importlib.import_module("urllib3")
    except ImportError:
        return
    live_send = adapters.HTTPAdapter.send
    unfinished: set[_Tee] = set()

    def send(adapter: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        incoming = Request(request.method, request.url, request.headers.items(), _body(request))
        found = session.answer(incoming)
        if isinstance(found, CassetteMiss):
            raise found
        if found is not None:
            return _replayed(adapter, urllib3.HTTPResponse, request, found)
        live = live_send(adapter, request, *args, **kwargs)

        def record(response: Response, tee: _Tee) -> None:
            unfinished.discard(tee)
            session.record(Interaction(incoming, response))

        unfinished.add(_Tee(live, record))
        return live

    stack.enter_context(mock.patch.object(adapters.HTTPAdapter, "send", send))

    def finish_all() -> None:
        for tee in list(unfinished):
            tee.finish()

    stack.callback(finish_all)


def _body(request: Any) -> bytes | None:
    """The request body as bytes; a file or iterator body is read once and put back as bytes."""
    body = request.body
    if body is None or isinstance(body, bytes):
        return body or None
    if isinstance(body, str):
        return body.encode("utf-8") or None
    data = body.read() if hasattr(body, "read") else b"".join(body)
    data = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    # Without a Content-Length requests sends the body chunked, which wants an iterable.
    request.body = data if "Content-Length" in request.headers else [data]
    return data or None


class _Tee:
    """Keeps what the client reads of a live body; records it once, when the body is done."""

    def __init__(self, live: Any, record: Callable[[Response, _Tee], None]) -> None:
        self._live = live
        self._record = record
        self._chunks: list[bytes] = []
        self._still_encoded = False
        self._done = False
        self._lock = threading.Lock()
        raw = live.raw
        read, read_chunked, stream, close = raw.read, raw.read_chunked, raw.stream, raw.close

        # Instance attributes: urllib3's own stream(), readinto() and __iter__ call self.read.
        def tee_read(amt: Any = None, decode_content: Any = None, *args: Any, **kw: Any) -> Any:
            try:
                data = read(amt, decode_content, *args, **kw)
            except Exception:
                self._abandon()
                raise
            self._keep(data, decode_content)
            if amt is None or (amt != 0 and not data):
                self.finish()
            return data

        def tee_read_chunked(amt: Any = None, decode_content: Any = None) -> Iterator[bytes]:
            try:
                for chunk in read_chunked(amt, decode_content):
                    self._keep(chunk, decode_content)
                    yield chunk
            except Exception:
                self._abandon()
                raise
            self.finish()

        def tee_stream(*args: Any, **kwargs: Any) -> Iterator[bytes]:
            yield from stream(*args, **kwargs)  # its reads are kept by tee_read(_chunked)
            self.finish()

        def tee_close() -> None:
            try:
                close()
            finally:
                self.finish()

        raw.read, raw.read_chunked, raw.stream, raw.close = (
            tee_read,
            tee_read_chunked,
            tee_stream,
            tee_close,
        )

    def _keep(self, data: bytes | None, decode_content: bool | None) -> None:
        if not data:
            return
        self._chunks.append(data)
        if not (self._live.raw.decode_content if decode_content is None else decode_content):
            self._still_encoded = True

    def _abandon(self) -> None:
        with self._lock:
            self._done = True

    def finish(self) -> None:
        """Record what was read, once; later calls do nothing."""
        with self._lock:
            if self._done:
                return
            self._done = True
        self._record(self._recorded(), self)

    def _recorded(self) -> Response:
        """The response as recorded: decoded body, no Content-Encoding, true length."""
        content = b"".join(self._chunks)
        headers = self._live.raw.headers
        pairs = list(headers.iteritems() if hasattr(headers, "iteritems") else headers.items())
        response = Response(self._live.status_code, self._live.reason or "", pairs, content)
        if self._still_encoded:  # the client asked for the bytes as sent
            return decoded(response)
        return Response(
            response.status, response.reason, decoded_headers(pairs, len(content)), content
        )


def _replayed(adapter: Any, raw_class: Any, request: Any, recorded: Response) -> Any:
    content = recorded.content
    headers = replay_headers(recorded.headers)
    headers["Content-Length"] = str(len(content))
    raw = raw_class(
        body=io.BytesIO(content),
        headers=list(headers.items()),
        status=recorded.status,
        reason=recorded.reason or _phrase(recorded.status),
        preload_content=False,
        decode_content=False,
        request_method=request.method,
        request_url=request.url,
    )
    return adapter.build_response(request, raw)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
