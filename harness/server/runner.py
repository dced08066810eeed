"""Run aiohttp applications on loopback: in a background thread (sync code) or the current loop."""

from __future__ import annotations

import asyncio
import ssl
import tempfile
import threading
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from types import TracebackType

from aiohttp import web

from harness.core import AssistantsAPI
from harness.dialects import make_dialects
from harness.errors import HarnessError
from harness.server.app import create_app
from harness.server.tls import ThrowawayTLS

__all__ = ["AppServer", "FakeServer", "serve_async", "start_site"]


class AppServer:
    """Any aiohttp application served on ``host`` by a thread with its own event loop."""

    def __init__(
        self,
        app: web.Application,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.app = app
        self.host = host
        self._port = port
        self.ssl_context = ssl_context
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        """The server's root, e.g. ``http://127.0.0.1:41234``."""
        scheme = "https" if self.ssl_context is not None else "http"
        return f"{scheme}://{self.host}:{self._port}"

    def start(self) -> AppServer:
        if self._thread is not None:
            raise HarnessError("the server is already running")
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                runner, self._port = loop.run_until_complete(
                    start_site(self.app, self.host, self._port, self.ssl_context)
                )
            except BaseException as error:
                failure.append(error)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=run, name="harness-server", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            self._thread = None
            raise HarnessError(
                f"cannot start a server on {self.host}:{self._port}: {failure[0]}"
            ) from failure[0]
        return self

    def stop(self) -> None:
        if self._thread is None or self._loop is None:
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._thread = None

    def __enter__(self) -> AppServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class FakeServer(AppServer):
    """The fake Assistants API on ``127.0.0.1`` in its own thread; use as a context manager.

    >>> with FakeServer() as server:  # doctest: +SKIP
    ...     client = openai.OpenAI(base_url=server.base_url, api_key="sk-test")
    """

    def __init__(
        self,
        api: AssistantsAPI | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        dialect: str | Sequence[str] = "openai",
        tls: bool = False,
    ) -> None:
        self.api = api or AssistantsAPI()
        self.dialects = make_dialects(dialect, self.api)
        """The wires served beside ``/v1`` (``appbuilder``: ``/v2``; ``azure``: ``/openai``,
        ``/api/projects/{project}``)."""
        self._tls_dir: tempfile.TemporaryDirectory[str] | None = None
        self.tls: ThrowawayTLS | None = None
        """With ``tls=True``: the throwaway CA; ``tls.ca_bundle`` is its PEM file."""
        if tls:
            self._tls_dir = tempfile.TemporaryDirectory(prefix="harness-tls-")
            self.tls = ThrowawayTLS.create(Path(self._tls_dir.name))
        super().__init__(
            create_app(self.api, dialect=self.dialects),
            host=host,
            port=port,
            ssl_context=self.tls.server_context if self.tls else None,
        )

    def stop(self) -> None:
        super().stop()
        if self._tls_dir is not None:
            self._tls_dir.cleanup()
            self._tls_dir = None

    @property
    def base_url(self) -> str:
        """What to pass as the SDK's ``base_url``: ``http://127.0.0.1:PORT/v1``."""
        return f"{self.url}/v1"

    def start(self) -> FakeServer:
        super().start()
        return self

    def __enter__(self) -> FakeServer:
        self.start()
        return self


async def start_site(
    app: web.Application, host: str, port: int, ssl_context: ssl.SSLContext | None = None
) -> tuple[web.AppRunner, int]:
    """Serve ``app`` on ``host:port`` in the running loop; returns the runner and bound port."""
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    # aiohttp's default backlog (128) drops the connects of a thousand clients starting at once.
    site = web.TCPSite(runner, host, port, ssl_context=ssl_context, backlog=4096)
    await site.start()
    sockets = getattr(site._server, "sockets", None) or []
    bound = sockets[0].getsockname()[1] if sockets else port
    return runner, int(bound)


@asynccontextmanager
async def serve_async(
    api: AssistantsAPI | None = None, *, host: str = "127.0.0.1", port: int = 0
) -> AsyncIterator[tuple[AssistantsAPI, str]]:
    """Serve the fake in the running event loop; yields ``(api, base_url)``."""
    api = api or AssistantsAPI()
    runner, bound = await start_site(create_app(api), host, port)
    try:
        yield api, f"http://{host}:{bound}/v1"
    finally:
        await runner.cleanup()
