"""The fake servers of one session, and one test's handle on the server it uses."""

from __future__ import annotations

import asyncio
import ssl
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from harness._plugin.scenarios import ScenarioCache, ScenarioRef
from harness._plugin.settings import HarnessSettings
from harness.scenario.model import Scenario

if TYPE_CHECKING:
    import openai

    from harness.clock import VirtualClock
    from harness.core import AssistantsAPI, ServerConfig
    from harness.core.journal import Journal, RequestRecord, Violation
    from harness.core.store import Store
    from harness.server import FakeServer

__all__ = [
    "API_KEY",
    "HarnessServer",
    "ServerPool",
    "async_client",
    "close_async_client",
    "plain_tls",
    "sync_client",
]

API_KEY: Final = "sk-harness-test"
"""The bearer key of the clients the fixtures build (the fake accepts any key by default)."""


class ServerPool:
    """Fake servers by configuration, started on first use and stopped at session end.

    A session normally needs one. A test whose settings change the server's configuration
    (seed, poll interval, strictness) gets a server of its own, kept for later tests with the
    same settings; at most ``keep`` of them stay up.
    """

    def __init__(self, keep: int = 8) -> None:
        self.keep = keep
        self.scenarios = ScenarioCache()
        self.tls = plain_tls()
        """One TLS context for every client: the fake is plain HTTP, and the SDK's default
        context costs about 20 ms per client to build."""
        self._servers: OrderedDict[tuple[ServerConfig, bool], FakeServer] = OrderedDict()

    def server(self, config: ServerConfig, *, tls: bool = False) -> FakeServer:
        """The running server for ``config`` (HTTPS with a throwaway CA when ``tls``); every
        dialect is mounted beside ``/v1``, so any client can use it."""
        key = (config, tls)
        server = self._servers.get(key)
        if server is None:
            from harness.core.api import AssistantsAPI
            from harness.dialects import DIALECT_NAMES
            from harness.server.runner import FakeServer

            server = FakeServer(AssistantsAPI(config), dialect=DIALECT_NAMES, tls=tls).start()
            self._servers[key] = server
            while len(self._servers) > self.keep:
                _, oldest = self._servers.popitem(last=False)
                oldest.stop()
        else:
            self._servers.move_to_end(key)
        return server

    def client_tls(self, server: FakeServer) -> ssl.SSLContext:
        """The clients' TLS context for ``server``: trusting its CA, or the cheap plain one."""
        return server.tls.client_context() if server.tls is not None else self.tls

    def __len__(self) -> int:
        return len(self._servers)

    def close(self) -> None:
        """Stop every server, the most recent first."""
        while self._servers:
            _, server = self._servers.popitem()
            server.stop()


class HarnessServer:
    """One test's handle on the running fake: state was reset before the test started."""

    def __init__(
        self,
        server: FakeServer,
        settings: HarnessSettings,
        scenarios: ScenarioCache,
        test_dir: Path,
        scenario_ref: str | None = None,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.server = server
        """The :class:`~harness.FakeServer` (shared with other tests: do not stop it)."""
        self.settings = settings
        """The settings this test runs with, after every layer."""
        self.scenario_ref = scenario_ref
        """What the test's marker named, e.g. ``builtin:completed`` (``None``: no scenario)."""
        self._scenarios = scenarios
        self._test_dir = test_dir
        self._tls = tls or plain_tls()

    # -- where and what ----------------------------------------------------------------------

    @property
    def api(self) -> AssistantsAPI:
        """The transport-free fake behind the server."""
        return self.server.api

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/v1``: the SDK's ``base_url``."""
        return self.server.base_url

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``: the server's root."""
        return self.server.url

    @property
    def ca_bundle(self) -> Path | None:
        """With ``tls``: the PEM file of the server's throwaway CA (``None`` over plain HTTP)."""
        return self.server.tls.ca_bundle if self.server.tls is not None else None

    @property
    def scenario(self) -> Scenario | None:
        """The scenario being played (``None``: the default behaviour)."""
        return self.api.scenario

    @property
    def store(self) -> Store:
        return self.api.state.store

    @property
    def clock(self) -> VirtualClock:
        return self.api.state.clock

    @property
    def journal(self) -> Journal:
        """Requests, run timelines and violations; ``journal.clear()`` forgets them."""
        return self.api.state.journal

    @property
    def violations(self) -> list[Violation]:
        return self.api.state.journal.violations

    @property
    def requests(self) -> list[RequestRecord]:
        """Every request this test sent, in order: method, path, query, parsed JSON body
        (secrets scrubbed, headers not kept) and the answer's status."""
        return self.api.state.journal.requests

    def get_requests(
        self, method: str | None = None, path: str | None = None, status: int | None = None
    ) -> list[RequestRecord]:
        """The requests that fit every filter given; ``path`` may hold ``*`` wildcards, e.g.
        ``get_requests("POST", "/v1/threads/*/runs/*/submit_tool_outputs")``."""
        return self.api.state.journal.find_requests(method, path, status)

    def get_request(
        self, method: str | None = None, path: str | None = None, status: int | None = None
    ) -> RequestRecord:
        """The one request that fits the filters; ``AssertionError`` if none or several do."""
        found = self.get_requests(method, path, status)
        wanted = " ".join(str(part) for part in (method, path, status) if part is not None)
        if len(found) != 1:
            seen = ", ".join(f"{r.method} {r.path} → {r.status}" for r in found) or "none"
            raise AssertionError(f"expected one request {wanted}, got {len(found)}: {seen}")
        return found[0]

    def client(self, **options: Any) -> openai.OpenAI:
        """A new ``openai.OpenAI`` on this server (``options`` go to the SDK); close it."""
        return sync_client(self.base_url, self._tls, **options)

    def async_client(self, **options: Any) -> openai.AsyncOpenAI:
        """A new ``openai.AsyncOpenAI`` on this server (``options`` go to the SDK), usable from
        any event loop; close it (``await client.close()`` or :func:`close_async_client`)."""
        return async_client(self.base_url, self._tls, **options)

    def timeline(self, run_id: str) -> str:
        """``queued › in_progress ×2 › completed``: the statuses the client was shown."""
        return self.api.state.journal.timeline(run_id)

    # -- control -----------------------------------------------------------------------------

    def load_scenario(self, ref: ScenarioRef) -> Scenario | None:
        """Forget everything and play ``ref``: ``builtin:NAME``, a path, a Scenario or None."""
        scenario = self._scenarios.resolve(
            ref, scenario_dir=self.settings.scenario_dir, test_dir=self._test_dir
        )
        self.api.load_scenario(scenario)
        self.scenario_ref = _label(ref)
        return scenario

    def reset(self) -> None:
        """Forget every object and journal entry; replay the same scenario from the start."""
        self.api.reset()

    def __repr__(self) -> str:
        return f"<HarnessServer {self.base_url} scenario={self.scenario_ref!r}>"


def _label(ref: ScenarioRef) -> str | None:
    if ref is None:
        return None
    if isinstance(ref, Scenario):
        return ref.name
    return str(ref)


def plain_tls() -> ssl.SSLContext:
    """A TLS context that loads no certificates (cheap): the fake server is plain HTTP."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def sync_client(base_url: str, tls: ssl.SSLContext, **options: Any) -> openai.OpenAI:
    """An ``openai.OpenAI`` on ``base_url`` whose HTTP client reuses ``tls``.

    Works with openai 1.x to 3.x: ``DefaultHttpxClient`` exists since openai 1.17; without it,
    or when the caller gives its own ``http_client``, the SDK builds its default one.
    """
    import openai

    options.setdefault("api_key", API_KEY)
    factory = getattr(openai, "DefaultHttpxClient", None)
    if factory is not None and "http_client" not in options:
        options["http_client"] = factory(verify=tls)
    return openai.OpenAI(base_url=base_url, **options)


def async_client(base_url: str, tls: ssl.SSLContext, **options: Any) -> openai.AsyncOpenAI:
    """An ``openai.AsyncOpenAI`` on ``base_url`` that keeps no connection alive.

    A pooled connection belongs to the event loop that opened it, so a client that kept one
    could only be closed in that loop, which pytest-asyncio may have closed by teardown time
    (module or session loops, loop-scope mismatches). Without keep-alive the client holds
    nothing between requests (a loopback connect costs about 0.1 ms) and closes anywhere.
    """
    import openai

    options.setdefault("api_key", API_KEY)
    factory = getattr(openai, "DefaultAsyncHttpxClient", None)
    default_limits = getattr(openai, "DEFAULT_CONNECTION_LIMITS", None)
    if factory is not None and default_limits is not None and "http_client" not in options:
        limits = type(default_limits)(
            max_connections=default_limits.max_connections, max_keepalive_connections=0
        )
        options["http_client"] = factory(verify=tls, limits=limits)
    return openai.AsyncOpenAI(base_url=base_url, **options)


def close_async_client(client: openai.AsyncOpenAI) -> None:
    """Close an async client from synchronous code (a fixture's teardown)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(client.close())
        return
    # Called from inside a running loop: close it in a loop of its own, on another thread.
    closer = threading.Thread(target=asyncio.run, args=(client.close(),), name="harness-close")
    closer.start()
    closer.join()
