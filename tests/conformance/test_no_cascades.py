"""One deviation fails its own check: dependants still run and get credit (no cascades)."""

from __future__ import annotations

import io
import re
from collections.abc import Awaitable, Callable, Iterator

import pytest
from aiohttp import web

from harness import AssistantsAPI, ServerConfig
from harness.cli.conform import main as conform
from harness.conformance import CHECKS, CheckResult, ConformanceReport, run_conformance
from harness.server import create_app
from harness.server.runner import AppServer

_CREATES = re.compile(r"^/v1/(assistants|threads|threads/[^/]+/(messages|runs))$")


@web.middleware
async def creates_answer_201(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Creations answer 201 Created, as one real look-alike does; the bodies are right."""
    response = await handler(request)
    if (
        request.method == "POST"
        and _CREATES.match(request.path)
        and response.status == 200
        and isinstance(response, web.Response)
    ):
        response.set_status(201)
    return response


@web.middleware
async def missing_threads_answer_400(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """A deleted or unknown thread answers 400 instead of 404 (the envelope is right)."""
    response = await handler(request)
    if (
        request.method == "GET"
        and re.match(r"^/v1/threads/[^/]+$", request.path)
        and response.status == 404
        and isinstance(response, web.Response)
    ):
        response.set_status(400)
    return response


@pytest.fixture(scope="module")
def deviant_server() -> Iterator[AppServer]:
    app = create_app(AssistantsAPI(ServerConfig(poll_after_ms=0)))
    app.middlewares.extend([creates_answer_201, missing_threads_answer_400])
    with AppServer(app) as server:
        yield server


def test_conform_names_each_deviation_and_gives_credit_for_the_rest(
    deviant_server: AppServer,
) -> None:
    out = io.StringIO()
    status = conform(["--base-url", f"{deviant_server.url}/v1", "--quiet"], out)
    text = out.getvalue()
    assert status == 1  # below --min-score 100
    failed = set(re.findall(r"FAIL (\S+?):", text))
    # Each deviation fails the checks that test it, and only those: everything that merely
    # used a created object (retrieve, update, list, runs, tools, streaming…) passes.
    assert failed == {
        "assistants.create",
        "threads.create",
        "messages.create",
        "runs.create",
        "threads.delete",  # its 404 check met a 400
        "errors.not_found_thread",
    }
    assert "FAIL runs.create: runs.create: expected 200, got 201" in text
    assert "not run:" not in text
    assert "0 could not run" in text
    score = float(re.search(r"score ([\d.]+) %", text).group(1))  # type: ignore[union-attr]
    assert 80 < score < 100


def test_the_report_lists_what_could_not_run_and_why(deviant_server: AppServer) -> None:
    report = run_conformance(f"{deviant_server.url}/v1")
    assert len(report.checks) == len(CHECKS)
    assert report.not_run == []
    assert report.passed == len(CHECKS) - 6
    blocked = CheckResult("tools.round_trip", "tools", "t", False, "not run: runs.create failed")
    partial = ConformanceReport("http://x/v1", [*report.checks[:3], blocked])
    assert partial.not_run == [blocked]
    assert "1 could not run" in partial.summary()
    assert "  tools.round_trip: runs.create failed" in partial.summary()
