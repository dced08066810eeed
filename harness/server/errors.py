"""The answers aiohttp gives by itself, in OpenAI's JSON error envelope.

Two places produce them, so there are two hooks, both installed by :func:`install`:

* inside the application (unknown paths outside the API mount, a wrong method on a control
  route, a body over ``client_max_size``, a body whose transfer broke mid-way, a handler that
  crashed): a middleware turns the ``HTTPException`` or error into an envelope;
* in the HTTP protocol, before any application code runs (a malformed request line, an unknown
  method, headers over 8 KiB, bad chunked framing): aiohttp answers from
  ``RequestHandler.handle_error``, which no middleware sees. The only way in is the request
  handler class, which the application's server factory chooses; :func:`install` wraps that
  factory so its connections use :class:`EnvelopeRequestHandler`.

What stays out of reach: a connection aiohttp drops without answering (a client that stops
sending mid-body, a TLS handshake on the plain port after aiohttp gave up), and an error after
a streamed answer has started (the status line is already on the wire).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestHandler, RequestPayloadError

__all__ = ["EnvelopeRequestHandler", "envelope_response", "install"]

log = logging.getLogger("harness.server")

_SERVER_ERROR = "The server had an error while processing your request. Sorry about that!"
_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def envelope_response(
    status: int,
    message: str,
    *,
    type: str = "invalid_request_error",
    code: str | None = None,
    headers: dict[str, str] | None = None,
) -> web.Response:
    """A JSON error answer as the API sent it."""
    body = {"error": {"message": message, "type": type, "param": None, "code": code}}
    return web.Response(
        status=status,
        body=json.dumps(body, ensure_ascii=True).encode(),
        headers={**(headers or {}), "Content-Type": "application/json"},
    )


def _label(request: web.BaseRequest) -> str:
    return f"{request.method} {request.rel_url.raw_path}"


def _from_http_exception(request: web.Request, error: web.HTTPException) -> web.Response:
    headers = {
        name: value
        for name, value in error.headers.items()
        if name.lower() not in ("content-type", "content-length")
    }
    if error.status == 404:
        message = f"Invalid URL ({_label(request)})"
    elif error.status == 405:
        allowed = headers.get("Allow", "")
        message = f"Invalid method for URL ({_label(request)}). Supported: {allowed}"
    elif error.status == 413:
        limit = request.client_max_size
        message = f"Request body too large: the limit is {limit} bytes ({limit // 1024**2} MiB)."
    else:
        message = error.reason if error.text is None else error.text
    kind = "server_error" if error.status >= 500 else "invalid_request_error"
    return envelope_response(error.status, message, type=kind, headers=headers)


@web.middleware
async def envelope_middleware(request: web.Request, handler: _Handler) -> web.StreamResponse:
    """aiohttp's ``HTTPException`` answers and unexpected failures, as envelopes."""
    try:
        return await handler(request)
    except web.HTTPException as error:
        if error.status < 400 or error.content_type == "application/json":
            raise
        return _from_http_exception(request, error)
    except ConnectionError:
        raise  # the client left: nobody to answer
    except RequestPayloadError as error:
        # The body's transfer broke (bad chunked framing or encoding found mid-body).
        return envelope_response(400, f"We could not read the body of your request: {error}.")
    except Exception:
        log.exception("harness: internal error on %s", _label(request))
        return envelope_response(500, _SERVER_ERROR, type="server_error")


class EnvelopeRequestHandler(RequestHandler):
    """aiohttp's protocol handler, answering malformed HTTP with a JSON envelope."""

    __slots__ = ()

    def handle_error(
        self,
        request: web.BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        plain = super().handle_error(request, status, exc, message)  # logs, and checks state
        if status >= 500:
            response = envelope_response(status, _SERVER_ERROR, type="server_error")
        else:
            # aiohttp's text points a caret at the bad bytes on later lines: keep the first.
            first = (message or plain.reason or "Bad Request").strip().splitlines()[0]
            response = envelope_response(
                status, f"Malformed HTTP request: {first.rstrip(':.')}.", code="malformed_request"
            )
        response.force_close()
        return response


class _EnvelopeServer(web.Server):
    def __call__(self) -> RequestHandler:
        return EnvelopeRequestHandler(self, loop=self._loop, **self._kwargs)


def install(app: web.Application) -> None:
    """Answer every error of ``app``'s own making, and of aiohttp's, with an envelope."""
    app.middlewares.append(envelope_middleware)
    make_server = app._make_handler

    def make_enveloping_server(**kwargs: Any) -> web.Server:
        server = make_server(**kwargs)
        # The runner asks the app for its server; same state, our handler class per connection.
        server.__class__ = _EnvelopeServer
        return server

    # aiohttp has no public hook for its protocol-level answers (see the module docstring).
    object.__setattr__(app, "_make_handler", make_enveloping_server)
