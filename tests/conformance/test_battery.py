"""The battery scores our fake server 100 % and names each break of a broken one."""

from __future__ import annotations

import asyncio
import io
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from harness import FakeServer
from harness.cli import conform
from harness.conformance import AREAS, CHECKS, CheckResult, ConformanceReport, run_conformance
from harness.errors import ConfigError


def _failed(report: ConformanceReport) -> dict[str, str]:
    return {check.id: check.message for check in report.failures}


def test_fake_server_scores_100(fake_server: FakeServer) -> None:
    seen: list[CheckResult] = []
    report = run_conformance(fake_server.base_url, progress=seen.append)
    assert _failed(report) == {}
    assert report.score == 100.0
    assert [c.id for c in report.checks] == [spec.id for spec in CHECKS]
    assert sorted(c.id for c in seen) == sorted(spec.id for spec in CHECKS)
    assert list(report.by_area()) == list(AREAS)
    assert report.seconds > 0  # measured and reported (never asserted as a budget)
    store = fake_server.api.state.store
    assert (len(store.assistants), len(store.threads)) == (0, 0), "the battery cleans up"
    assert (len(store.files), len(store.vector_stores)) == (0, 0), "files and stores too"


def test_every_endpoint_is_exercised(fake_server: FakeServer) -> None:
    fake_server.api.state.journal.clear()
    run_conformance(fake_server.base_url)
    shapes = {
        (r.method, _shape(r.path)) for r in fake_server.api.state.journal.requests if r.status < 300
    }
    # 23 Assistants operations, and every Files / vector store one but batch cancellation.
    assert len(shapes) == 23 + 17, sorted(shapes)


_LITERALS = {"submit_tool_outputs", "vector_stores", "file_batches"}


def _shape(path: str) -> str:
    parts = path.split("/")
    return "/".join(
        "{id}" if ("_" in part or part.startswith("file-")) and part not in _LITERALS else part
        for part in parts
    )


def test_cli_writes_reports_and_exits_zero(fake_server: FakeServer, tmp_path: Path) -> None:
    junit, markdown = tmp_path / "conform.xml", tmp_path / "conform.md"
    out = io.StringIO()
    argv = ["--base-url", fake_server.base_url, "--junit", str(junit), "--markdown", str(markdown)]
    assert conform.main(argv, out=out) == 0
    text = out.getvalue()
    assert f"[  1/{len(CHECKS)}] PASS assistants.create" in text
    assert "score 100 %" in text
    root = ET.parse(junit).getroot()
    assert (root.tag, root.get("tests"), root.get("failures")) == (
        "testsuites",
        str(len(CHECKS)),
        "0",
    )
    assert [suite.get("name") for suite in root] == list(AREAS)
    cases = [str(case.get("name")) for case in root.iter("testcase")]
    assert sorted(cases) == sorted(spec.id for spec in CHECKS)
    report = markdown.read_text()
    assert "**Score: 100 %**" in report
    assert "| locking | 4 | 4 | 100 % |" in report


def test_cli_area_filter_and_quiet(fake_server: FakeServer) -> None:
    out = io.StringIO()
    argv = ["--base-url", fake_server.base_url, "--area", "errors", "--area", "pagination"]
    assert conform.main([*argv, "--quiet"], out=out) == 0
    assert "PASS" not in out.getvalue()
    report = run_conformance(fake_server.base_url, areas={"errors"})
    assert {c.area for c in report.checks} == {"errors"}
    assert len(report.checks) == sum(1 for spec in CHECKS if spec.area == "errors")


@pytest.mark.parametrize(
    ("url", "kwargs", "match"),
    [
        ("127.0.0.1:8080/v1", {}, "must start with http"),
        ("http://127.0.0.1:1/v1", {"areas": ["bogus"]}, "unknown area.*bogus.*known: assistants"),
        ("http://127.0.0.1:1/v1", {"timeout": 0}, "positive"),
    ],
)
def test_misuse_fails_early(url: str, kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        run_conformance(url, **kwargs)  # type: ignore[arg-type]


def test_unreachable_server_fails_every_check_quickly() -> None:
    report = run_conformance("http://127.0.0.1:1/v1", timeout=2)
    assert report.score == 0.0
    assert len(report.checks) == len(CHECKS)
    assert "no answer from the server" in report.get("assistants.create").message
    # Unreachable: each check is refused at once instead of retried (no wall-clock assertion).
    assert report.requests <= len(CHECKS)


# -- broken servers -------------------------------------------------------------------------


def test_names_a_run_without_expires_at(server_without_expires_at: FakeServer) -> None:
    report = run_conformance(server_without_expires_at.base_url)
    failed = _failed(report)
    for check_id, label in [
        ("runs.create", "runs.create"),
        ("runs.retrieve", "runs.retrieve"),
        ("runs.update", "runs.update"),
        ("runs.cancel", "runs.cancel"),
        ("runs.submit_tool_outputs", "runs.submit_tool_outputs"),
        ("threads.create_and_run", "threads.create_and_run"),
    ]:
        assert failed.pop(check_id) == f"{label}: response misses required field 'expires_at'"
    assert failed.pop("runs.list") == "runs.list: data[0] misses required field 'expires_at'"
    assert "runs.create: response misses required field 'expires_at'" in failed.pop("schemas.run")
    assert "misses required field 'expires_at'" in failed.pop("schemas.stream_event")
    assert failed == {}, "nothing else is blamed"


async def test_names_a_message_accepted_into_a_locked_thread(
    lock_ignoring_app: web.Application,
) -> None:
    async with TestServer(lock_ignoring_app) as server:
        base_url = str(server.make_url("/v1"))
        report = await asyncio.to_thread(run_conformance, base_url)
    failed = _failed(report)
    assert set(failed) == {"locking.message_while_active", "locking.requires_action_locks"}
    assert failed["locking.message_while_active"].startswith("messages.create answered 200 while")
    assert "must refuse it with 400" in failed["locking.message_while_active"]
    assert "'requires_action'" in failed["locking.requires_action_locks"]


def test_names_a_cancel_that_skips_cancelling(server_skipping_cancelling: FakeServer) -> None:
    report = run_conformance(server_skipping_cancelling.base_url)
    failed = _failed(report)
    assert set(failed) == {"runs.cancel", "cancellation.cancel_requires_action"}
    assert failed["runs.cancel"] == (
        "runs.cancel answered 'cancelled' directly for a run last seen 'queued': cancellation "
        "goes through 'cancelling' (queued › cancelled is not a legal transition)"
    )
    assert "requires_action › cancelled" in failed["cancellation.cancel_requires_action"]
    assert report.get("cancellation.reaches_cancelled").passed


def test_cli_exits_one_below_min_score(server_skipping_cancelling: FakeServer) -> None:
    argv = ["--base-url", server_skipping_cancelling.base_url, "--quiet"]
    out = io.StringIO()
    assert conform.main(argv, out=out) == 1
    assert "FAIL runs.cancel" in out.getvalue()
    assert "below --min-score 100 %" in out.getvalue()
    assert conform.main([*argv, "--min-score", "90"], out=io.StringIO()) == 0


def test_names_a_files_api_that_demands_the_beta_header(
    server_files_needing_beta: FakeServer,
) -> None:
    report = run_conformance(server_files_needing_beta.base_url, areas={"files", "vector_stores"})
    failed = _failed(report)
    assert failed["files.create"].startswith("files.create: expected 200, got 400")
    assert "vector_stores.files" in failed  # its upload fails the same way
    assert "vector_stores.create" not in failed
