"""The control plane, ``/__harness/...``: the journal, reset and the virtual clock, over HTTP.

For clients in any language (and ``harness journal`` / ``reset`` / ``clock``). Bodies are checked
strictly: an unknown field, a non-finite or negative number, or a body that is not a JSON object
answers 400 in OpenAI's error envelope, naming what is allowed — never a silent no-op.

| route | body | answer |
|---|---|---|
| ``GET /__harness/journal`` | — | ``{"violations", "timelines", "requests", "notes"}`` |
| ``POST /__harness/reset`` | none or ``{}`` | ``{"reset": true}`` |
| ``GET /__harness/clock`` | — | ``{"now": s, "now_ms": ms}`` |
| ``POST /__harness/clock`` | ``{"advance_s": seconds}`` | ``{"now": s, "now_ms": ms}`` |
"""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict
from typing import Any, Final

from aiohttp import web

from harness.core import AssistantsAPI
from harness.errors import ApiError

__all__ = ["CONTROL_PREFIX", "MAX_ADVANCE_S", "add_control_routes"]

CONTROL_PREFIX: Final = "/__harness"
MAX_ADVANCE_S: Final = 100 * 365 * 24 * 3600
"""A century: far past any expiry, and small enough for every timestamp to stay a real date."""

Handler = Callable[[web.Request], Awaitable[web.Response]]


def add_control_routes(app: web.Application, api_key: web.AppKey[AssistantsAPI]) -> None:
    """Serve the control plane of the :class:`AssistantsAPI` stored under ``api_key``."""

    def with_api(handler: Callable[[AssistantsAPI, web.Request], Awaitable[Any]]) -> Handler:
        async def answer(request: web.Request) -> web.Response:
            try:
                body = await handler(request.app[api_key], request)
            except ApiError as error:
                return web.json_response(error.envelope(), status=error.status)
            return web.json_response(body)

        return answer

    app.router.add_get(f"{CONTROL_PREFIX}/journal", with_api(_journal))
    app.router.add_post(f"{CONTROL_PREFIX}/reset", with_api(_reset))
    app.router.add_get(f"{CONTROL_PREFIX}/clock", with_api(_now))
    app.router.add_post(f"{CONTROL_PREFIX}/clock", with_api(_advance))


async def _journal(api: AssistantsAPI, request: web.Request) -> dict[str, Any]:
    journal = api.state.journal
    return {
        "violations": [asdict(v) for v in journal.violations],
        "timelines": {run_id: journal.timeline(run_id) for run_id in journal.timelines},
        "requests": [asdict(r) for r in journal.requests],
        "notes": list(journal.notes),
    }


async def _reset(api: AssistantsAPI, request: web.Request) -> dict[str, Any]:
    await _body(request, allowed={})
    api.reset()
    return {"reset": True}


async def _now(api: AssistantsAPI, request: web.Request) -> dict[str, Any]:
    clock = api.state.clock
    return {"now": clock.now(), "now_ms": clock.now_ms()}


async def _advance(api: AssistantsAPI, request: web.Request) -> dict[str, Any]:
    body = await _body(request, allowed={"advance_s": "seconds to move the virtual clock on"})
    seconds = body.get("advance_s", 0)
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        message = f"advance_s must be a number of seconds, not {json.dumps(seconds)}"
        raise _invalid(message, param="advance_s")
    finite = isinstance(seconds, int) or math.isfinite(seconds)  # ints may exceed a float
    if not finite or not 0 <= seconds <= MAX_ADVANCE_S:
        raise _invalid(
            f"advance_s must be a finite number of seconds from 0 to {MAX_ADVANCE_S} "
            f"(the virtual clock never goes backwards), not {seconds}",
            param="advance_s",
        )
    api.state.clock.advance(seconds)
    return await _now(api, request)


async def _body(request: web.Request, *, allowed: Mapping[str, str]) -> dict[str, Any]:
    """The request's JSON object (empty when there is no body), with only ``allowed`` keys."""
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        # NaN and Infinity are not JSON; Python's parser would accept them.
        data = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError) as error:
        raise _invalid(f"the body is not valid JSON: {error}") from None
    if not isinstance(data, dict):
        raise _invalid(f"the body must be a JSON object, not {type(data).__name__}")
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        accepted = ", ".join(f"{key} ({meaning})" for key, meaning in allowed.items()) or "none"
        raise _invalid(
            f"unknown field{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))} "
            f"for {request.method} {request.path}; allowed: {accepted}",
            param=unknown[0],
        )
    return data


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _invalid(message: str, *, param: str | None = None) -> ApiError:
    return ApiError(400, message, param=param)
