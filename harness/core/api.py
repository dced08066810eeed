"""The fake Assistants API as a function from :class:`ApiRequest` to :class:`ApiResponse`."""

from __future__ import annotations

import logging
import re
import threading
import time
from typing import Any

from harness.core.coverage import Coverage
from harness.core.engine import Emitter
from harness.core.faults import FaultInjector
from harness.core.handlers import Route, build_router
from harness.core.http import ApiRequest, ApiResponse, Cut, SSEEvent, StreamBody
from harness.core.journal import RequestRecord, Violation
from harness.core.routing import Router
from harness.core.state import Context, ScriptQueue, ServerConfig, ServerState
from harness.core.tools import ArgumentFactory
from harness.core.wellformed import check_request
from harness.errors import ApiError, HarnessError
from harness.lifecycle import TERMINAL_STATUSES
from harness.scenario.model import Scenario

__all__ = ["AssistantsAPI", "ServerConfig"]

log = logging.getLogger("harness.server")

_NO_KEY = (
    "You didn't provide an API key. You need to provide your API key in an Authorization header "
    "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with "
    "blank username) if you're accessing the API from your browser and are prompted for a "
    "username and password. You can obtain an API key from "
    "https://platform.openai.com/account/api-keys."
)
_NO_BETA = (
    "You must provide the 'OpenAI-Beta' header to access the Assistants API. Please try again by "
    "setting the header 'OpenAI-Beta: assistants=v2'."
)
_V1_BETA = (
    "The v1 Assistants API has been deprecated. Please try again by setting the header "
    "'OpenAI-Beta: assistants=v2'. See the migration guide for more information: "
    "https://platform.openai.com/docs/assistants/migration."
)


class AssistantsAPI:
    """One fake server's behaviour, independent of any transport.

    ``handle`` is thread-safe; streamed bodies take the same lock for each event they produce.
    """

    def __init__(
        self, config: ServerConfig | None = None, scenario: Scenario | None = None
    ) -> None:
        self.config = config or ServerConfig()
        self._router: Router[Route] = build_router()
        self._lock = threading.RLock()
        self._request_counter = 0
        self._arguments = ArgumentFactory(seed=self.config.seed or 0)
        """Shared by every reset: generated tool arguments depend only on schema and seed."""
        self.state = ServerState(
            self.config, scripts=ScriptQueue(scenario), arguments=self._arguments
        )
        self.faults = self._fault_injector(scenario)
        if scenario is not None:
            self._seed(scenario)

    # -- control --------------------------------------------------------------------------

    @property
    def scenario(self) -> Scenario | None:
        return self.state.scripts.scenario

    def load_scenario(self, scenario: Scenario | None) -> None:
        """Forget everything and play ``scenario`` (``None``: the default behaviour)."""
        with self._lock:
            self.state = ServerState(
                self.config, scripts=ScriptQueue(scenario), arguments=self._arguments
            )
            self.faults = self._fault_injector(scenario)
            if scenario is not None:
                self._seed(scenario)

    def play(self, scenario: Scenario) -> None:
        """Play ``scenario`` next, keeping the objects the client made (its assistants and
        threads stay valid): new run scripts, faults and contract, a fresh journal (coverage
        goes on adding up). Runs the previous scenario left unfinished end ``expired``, so
        no thread stays locked. ``harness_fuzz`` plays one generated scenario per example."""
        with self._lock:
            state = self.state
            for record in state.store.runs.where(lambda r: r.status not in TERMINAL_STATUSES):
                state.engine.abandon(record)
            state.scripts = ScriptQueue(scenario)
            state.engine.contract = scenario.contract
            state.journal.clear()
            self.faults = self._fault_injector(scenario)
            self._seed(scenario)

    def reset(self) -> None:
        """Forget every object, violation and count; replay the same scenario from the start."""
        self.load_scenario(self.scenario)

    def _fault_injector(self, scenario: Scenario | None) -> FaultInjector:
        faults = scenario.faults if scenario else ()
        return FaultInjector(faults, coverage=self.state.journal.coverage)

    def true_statuses(self) -> dict[str, str]:
        """Every run's status as the server holds it now, after applying due expiry (what
        the client would see if it looked again)."""
        with self._lock:
            engine = self.state.engine
            statuses: dict[str, str] = {}
            for record in self.state.store.runs.where(lambda _: True):
                engine.refresh(record, Emitter(self.state.journal))
                statuses[record.id] = record.status
            return statuses

    def _seed(self, scenario: Scenario) -> None:
        from harness.core.seeding import seed_objects

        seed_objects(self.state, scenario)

    # -- requests -------------------------------------------------------------------------

    def handle(self, request: ApiRequest, *, prefix: str = "/v1") -> ApiResponse:
        """Answer one request. Never raises: every failure becomes an error envelope."""
        started = time.perf_counter()
        label = f"{request.method} {prefix}{request.path}"
        with self._lock:
            self._request_counter += 1
            self.state.polls.request(request.caller)
            response = self.faults.check(request.method, prefix + request.path)
            if response is not None:
                self._mark_fault(prefix + request.path)
            if response is None or response.status == 0:
                answer = self._dispatch(request, label, prefix)
                if response is not None:
                    answer.delay_ms = response.delay_ms
                    answer.reset = response.reset
                    answer.cut_stream_after = response.cut_stream_after
                    answer.stream_error_after = response.stream_error_after
                response = answer
            self.state.journal.log_request(
                RequestRecord.capture(request, path=prefix + request.path, status=response.status)
            )
        response.headers.setdefault("x-request-id", f"req_{self._request_counter:024d}")
        response.headers.setdefault("openai-version", "2020-10-01")
        response.headers["openai-processing-ms"] = str(int((time.perf_counter() - started) * 1000))
        if response.stream is not None:
            response.stream = self._locked(response.stream)
            if response.stream_error_after is not None:
                response.stream = _break_after(
                    response.stream, response.stream_error_after, SSEEvent("error", _STREAM_ERROR)
                )
            elif response.cut_stream_after is not None:
                response.stream = _break_after(response.stream, response.cut_stream_after, Cut())
            response.stream = _counted(response.stream, self.state.journal.coverage)
        return response

    def _mark_fault(self, path: str) -> None:
        from harness.core.faults import describe_fault

        index, label = self.faults.fired[-1]
        found = _RUN_IN_PATH.search(path)
        self.state.journal.mark(
            found.group(1) if found else None,
            "fault",
            f"{describe_fault(self.faults.faults[index])} on {label}",
        )

    def _dispatch(self, request: ApiRequest, label: str, prefix: str) -> ApiResponse:
        try:
            request = check_request(request)
            match = self._router.match(request.method, request.path)
            # Unknown paths answer as the beta did; the Files and vector store APIs never
            # needed the beta header (nor did they go away with the Assistants API).
            beta = match.handler is None or match.handler.beta
            self._check_headers(request, label, beta=beta)
            if match.handler is None:
                if match.allowed:
                    raise ApiError(
                        405,
                        f"Invalid method for URL ({label}). Supported: " + ", ".join(match.allowed),
                        headers={"Allow": ", ".join(match.allowed)},
                    )
                raise ApiError(404, f"Invalid URL ({label})")
            context = Context(self.state, request, match.params, label)
            response = match.handler.handler(context)
            if self.config.validate_responses and response.stream is None:
                _check_schema(response.body)
            if response.stream is None:
                response.encoded_body()  # a body that cannot be encoded is our bug: say so here
        except ApiError as error:
            response = ApiResponse(error.status, error.envelope(), dict(error.headers))
        except Exception as error:
            log.exception("harness: internal error on %s", label)
            response = ApiResponse(
                500,
                {
                    "error": {
                        "message": f"harness internal error: {type(error).__name__}: {error!r}",
                        "type": "server_error",
                        "param": None,
                        "code": None,
                    }
                },
            )
        return response

    def _check_headers(self, request: ApiRequest, label: str, *, beta: bool) -> None:
        if self.config.profile == "sunset" and beta:
            # Since 2026-08-26 every Assistants path is gone; the API answers as for any
            # unknown route (its real "Invalid URL" body).
            raise ApiError(404, f"Invalid URL ({label})")
        authorization = request.header("authorization")
        if not authorization:
            raise ApiError(401, _NO_KEY)
        if self.config.api_key is not None and authorization != f"Bearer {self.config.api_key}":
            key = authorization.removeprefix("Bearer ").strip()
            shown = key[:3] + "*" * max(0, len(key) - 7) + key[-4:] if len(key) > 7 else key
            raise ApiError(
                401,
                f"Incorrect API key provided: {shown}. You can find your API key at "
                "https://platform.openai.com/account/api-keys.",
                code="invalid_api_key",
            )
        if not beta:
            return
        header = request.header("openai-beta") or ""
        if "assistants=v2" not in header:
            scenario = self.scenario
            if scenario is None or scenario.contract.require_beta_header:
                self.state.journal.violate(
                    Violation(
                        "beta-header",
                        f"the request carried OpenAI-Beta: {header!r}, not 'assistants=v2'",
                        label,
                    )
                )
                if "assistants=v1" in header:
                    raise ApiError(400, _V1_BETA, code="invalid_beta")
                raise ApiError(400, _NO_BETA, code="invalid_beta")

    def _locked(self, stream: StreamBody) -> StreamBody:
        while True:
            with self._lock:
                try:
                    item = next(stream)
                except StopIteration:
                    return
                except ApiError as error:
                    item = SSEEvent("error", error.envelope()["error"])
                    yield item
                    return
                except HarnessError as error:
                    item = SSEEvent(
                        "error",
                        {
                            "message": str(error),
                            "type": "server_error",
                            "param": None,
                            "code": None,
                        },
                    )
                    yield item
                    return
                if self.config.validate_responses and isinstance(item, SSEEvent):
                    _check_schema({"event": item.event, "data": item.data}, "stream_event")
            yield item


_STREAM_ERROR = {
    "message": "The server had an error while processing your request. Sorry about that!",
    "type": "server_error",
    "param": None,
    "code": None,
}
"""The bare error object the spec gives an ``error`` stream event."""


_RUN_IN_PATH = re.compile(r"/runs/(run_[A-Za-z0-9]+)")


def _counted(stream: StreamBody, coverage: Coverage) -> StreamBody:
    """The stream as sent, each event counted in ``coverage``."""
    for item in stream:
        if isinstance(item, SSEEvent):
            coverage.hit("stream_events", item.event)
        yield item


def _break_after(stream: StreamBody, count: int, last: SSEEvent | Cut) -> StreamBody:
    """Send ``count`` events, then ``last`` (an ``error`` event, or a cut connection). The run
    goes on: the rest of the stream is played without being sent, and without pauses."""
    sent = 0
    for item in stream:
        if sent < count:
            sent += isinstance(item, SSEEvent)
            yield item
            continue
        yield last
        for _ in stream:
            pass
        return


def _check_schema(body: Any, kind: str | None = None) -> None:
    from harness import schemas

    name = kind or schemas.kind_of(body)
    if name is not None:
        schemas.validate(name, body)
