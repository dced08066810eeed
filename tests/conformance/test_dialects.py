"""``harness conform --dialect``: our AppBuilder and Azure wires score 100 %, and a deviant
AppBuilder server is named check by check without cascades."""

from __future__ import annotations

import io
import re
from collections.abc import Awaitable, Callable, Iterator

import pytest
from aiohttp import web

from harness import AssistantsAPI, FakeServer, ServerConfig
from harness.cli.conform import main as conform
from harness.conformance import run_conformance
from harness.conformance._appbuilder import APPBUILDER_CHECKS
from harness.dialects import DIALECT_NAMES, make_dialects
from harness.server import create_app
from harness.server.runner import AppServer

CONFIG = ServerConfig(validate_responses=True, poll_after_ms=0)


@pytest.fixture(scope="module")
def dialect_server() -> Iterator[FakeServer]:
    with FakeServer(AssistantsAPI(CONFIG), dialect=DIALECT_NAMES) as server:
        yield server


def test_our_appbuilder_wire_scores_100(dialect_server: FakeServer) -> None:
    report = run_conformance(dialect_server.url, dialect="appbuilder")
    assert [c.line() for c in report.failures] == []
    assert len(report.checks) == len(APPBUILDER_CHECKS)
    assert report.score == 100.0


def test_our_azure_wire_scores_100(dialect_server: FakeServer) -> None:
    out = io.StringIO()
    status = conform(["--dialect", "azure", "--base-url", dialect_server.url, "--quiet"], out)
    assert status == 0, out.getvalue()
    assert "score 100 %" in out.getvalue()
    assert " 0 failed, 0 could not run" in out.getvalue()


@web.middleware
async def appbuilder_look_alike(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Creations answer 201 (appbuilder-sdk raises on anything but 200)."""
    response = await handler(request)
    if request.path in ("/v2/assistants", "/v2/threads") and response.status == 200:
        response.set_status(201)
    return response


@pytest.fixture(scope="module")
def deviant_appbuilder() -> Iterator[AppServer]:
    api = AssistantsAPI(ServerConfig(poll_after_ms=0))
    app = create_app(api, dialect=make_dialects("appbuilder", api))
    app.middlewares.append(appbuilder_look_alike)
    with AppServer(app) as server:
        yield server


def test_a_deviant_appbuilder_server_is_named_check_by_check(
    deviant_appbuilder: AppServer,
) -> None:
    out = io.StringIO()
    status = conform(["--dialect", "appbuilder", "--base-url", deviant_appbuilder.url], out)
    text = out.getvalue()
    assert status == 1
    failed = set(re.findall(r"FAIL (\S+?):", text))
    assert failed == {"assistants.create", "threads.create"}
    assert "/v2/assistants: answered 201; appbuilder-sdk accepts only 200" in text
    assert "score 90.9 % (20/22 checks passed, 2 failed, 0 could not run" in text
