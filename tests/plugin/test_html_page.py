"""``--harness-html`` and ``harness conform --html``, rendered in a real headless chromium."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from harness import FakeServer
from harness.cli.conform import main as conform_main
from tests.browser import assert_self_contained, parse, rendered_dom

Run = Callable[..., pytest.RunResult]


SUITE = """
import pytest
from helpers import complete_run


def test_two_runs(harness_client):
    complete_run(harness_client)
    complete_run(harness_client)


@pytest.mark.harness_scenario("builtin:tool-call-then-completed")
def test_tool_round(harness_client):
    run = complete_run(harness_client)
    assert run.status == "requires_action"
    call = run.required_action.submit_tool_outputs.tool_calls[0]
    harness_client.beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=run.id, thread_id=run.thread_id, tool_outputs=[{"tool_call_id": call.id, "output": "18"}]
    )


@pytest.mark.harness_scenario("builtin:server-error-then-ok")
def test_fault_then_failure(harness_client):
    run = complete_run(harness_client)
    assert run.status == "failed", "planted failure"


@pytest.mark.harness_scenario("builtin:slow-in-progress")
def test_polls(harness_client):
    complete_run(harness_client)


def test_no_runs(harness_server):
    pass


@pytest.mark.harness_scenario(expect_violations=["poll-after-terminal"])
def test_polls_too_long(harness_client):
    import openai
    run = complete_run(harness_client)
    with pytest.raises(openai.BadRequestError):
        for _ in range(12):
            harness_client.beta.threads.runs.retrieve(run.id, thread_id=run.thread_id)
"""


def test_the_plugin_page_draws_one_lane_per_run(project: pytest.Pytester, run: Run) -> None:
    project.makepyfile(test_page=SUITE)
    result = run("--harness-html=out/page.html")
    result.assert_outcomes(passed=5, failed=1)
    page = project.path / "out" / "page.html"
    result.stdout.fnmatch_lines([f"harness HTML report written to {page}"])
    text = page.read_text(encoding="utf-8")
    assert_self_contained(text)
    before = parse(text)
    assert before.by_class("lane") == []  # the lanes are drawn by the page's own script

    dom = parse(rendered_dom(page))
    body = dom.by_tag("body")[0]
    assert body.attrs.get("data-rendered") == "true"
    lanes = dom.by_class("lane")
    assert len(lanes) == 6  # 2 + 1 + 1 + 1 + 1 runs; the test without runs draws none
    assert dom.by_class("lane")[0].attrs["data-run"].startswith("run_")
    assert "6 run lane(s) drawn" in next(
        e.text for e in dom.elements if e.attrs.get("id") == "lane-count"
    )
    sections = {e.attrs.get("data-outcome") for e in dom.by_tag("section")}
    assert sections == {"passed", "failed"}
    # Polls collapsed into one segment, tool calls and faults marked.
    segments = [e.text for e in dom.by_class("segment")]
    assert "in_progress ×8" in segments
    assert [m.attrs["title"] for m in dom.by_class("mark-tool_calls")] == ["tool_calls: lookup"]
    faults = [m.attrs["title"] for m in dom.by_class("mark-fault")]
    assert len(faults) == 1
    assert faults[0].startswith("fault: HTTP 500 on GET /v1/threads/")
    violations = [m.attrs["title"] for m in dom.by_class("mark-violation")]
    assert len(violations) == 1
    assert "[poll-after-terminal]" in violations[0]
    failed = [e for e in dom.by_tag("section") if e.attrs.get("data-outcome") == "failed"]
    assert len(failed) == 1
    assert "planted failure" in "".join(e.text for e in dom.by_tag("pre"))
    # The coverage table, measured against the lifecycle table.
    rows = [e.attrs["data-dimension"] for e in dom.by_tag("tr") if "data-dimension" in e.attrs]
    assert rows[:3] == ["statuses", "transitions", "endings"]


def test_conform_html_draws_the_battery_the_same_way(tmp_path: Path) -> None:
    page = tmp_path / "conformance.html"
    with FakeServer() as server:
        status = conform_main(
            ["--base-url", server.base_url, "--area", "tools", "--html", str(page), "--quiet"]
        )
    assert status == 0
    text = page.read_text(encoding="utf-8")
    assert_self_contained(text)
    dom = parse(rendered_dom(page))
    assert dom.by_tag("body")[0].attrs.get("data-rendered") == "true"
    sections = dom.by_tag("section")
    assert sections
    assert {s.attrs["data-outcome"] for s in sections} == {"passed"}
    lanes = dom.by_class("lane")
    assert lanes
    assert all(lane.attrs["data-run"].startswith("run_") for lane in lanes)
    statuses = {e.attrs["data-status"] for e in dom.by_class("segment")}
    assert {"requires_action", "completed"} <= statuses
