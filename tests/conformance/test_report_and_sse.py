"""The report's renderings and the stream judge, without a server."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from harness.conformance import CHECKS, CheckResult, ConformanceReport
from harness.conformance._sse import (
    StreamEvent,
    delta_texts,
    order_problems,
    parse_sse,
    run_statuses,
    status_problems,
)


def _report() -> ConformanceReport:
    return ConformanceReport(
        "http://x/v1",
        [
            CheckResult("runs.create", "runs", "t", True),
            CheckResult("runs.list", "runs", "t", False, "runs.list: expected 200, got 500: boom"),
            CheckResult("errors.bad_limit", "errors", "t", False, "limit=0 | accepted"),
        ],
        seconds=1.5,
        requests=7,
    )


def test_score_and_areas() -> None:
    report = _report()
    assert report.score == pytest.approx(100 / 3)
    assert {area: (row.passed, row.total) for area, row in report.by_area().items()} == {
        "runs": (1, 2),
        "errors": (0, 1),
    }
    assert ConformanceReport("http://x").score == 0.0
    with pytest.raises(KeyError, match=r"no check .nope.; known: runs\.create"):
        report.get("nope")


def test_junit_has_one_case_per_check_and_failures(tmp_path: Path) -> None:
    path = tmp_path / "r.xml"
    _report().to_junit(path)
    root = ET.parse(path).getroot()
    assert root.get("failures") == "2"
    suites = {suite.get("name"): suite for suite in root}
    assert list(suites) == ["runs", "errors"]
    failure = suites["runs"].find("testcase[@name='runs.list']/failure")
    assert failure is not None
    assert failure.get("message") == "runs.list: expected 200, got 500: boom"
    assert suites["runs"].find("testcase[@name='runs.create']/failure") is None


def test_markdown_escapes_and_lists_failures() -> None:
    text = _report().to_markdown()
    assert "**Score: 33.3 %** (1 of 3 checks passed" in text
    assert "| runs | 1 | 2 | 50.0 % |" in text
    assert "- `errors.bad_limit` (errors): limit=0 \\| accepted" in text


def test_check_ids_are_unique_and_named_by_area() -> None:
    ids = [spec.id for spec in CHECKS]
    assert len(ids) == len(set(ids))
    assert all("." in check_id for check_id in ids)


def _events(*pairs: tuple[str, object]) -> list[StreamEvent]:
    return [StreamEvent(name, data, not isinstance(data, str)) for name, data in pairs]


def test_parse_sse_follows_the_whatwg_rules() -> None:
    lines = [": comment", "event: thread.run.created", 'data: {"id":', 'data: "r"}', "", "data: x"]
    assert parse_sse(lines) == [
        StreamEvent("thread.run.created", {"id": "r"}, True),
        StreamEvent("message", "x", False),
    ]


def test_order_problems_name_each_break() -> None:
    events = _events(
        ("thread.run.queued", {"id": "run_1", "object": "thread.run", "status": "queued"}),
        ("thread.message.delta", {"id": "msg_1"}),
        ("thread.run.step.delta", {"id": "step_1"}),
        ("done", "[DONE]"),
        ("thread.run.completed", {"id": "run_1", "object": "thread.run", "status": "completed"}),
    )
    problems = order_problems(events)
    assert problems == [
        "the stream starts ['thread.run.queued'], expected ['thread.run.created']",
        "the stream ends with 'thread.run.completed', not 'event: done' / 'data: [DONE]'",
        "event #3 'done' ends the stream early",
        "event #1 'thread.message.delta' for msg_1 comes before its 'thread.message.created'",
        "event #2 'thread.run.step.delta' for step_1 comes before its 'thread.run.step.created'",
    ]


def test_status_problems_use_direct_transitions() -> None:
    events = _events(
        ("thread.run.created", {"object": "thread.run", "status": "queued"}),
        ("thread.run.queued", {"object": "thread.run", "status": "queued"}),
        ("thread.run.completed", {"object": "thread.run", "status": "completed"}),
    )
    assert run_statuses(events) == ["queued", "completed"]
    assert status_problems(["queued", "completed"]) == [
        "stream run statuses queued › completed: illegal transition queued › completed"
    ]
    assert status_problems(["queued", "in_progress"])[-1].startswith("the stream ends with the run")
    assert status_problems(["queued", "in_progress", "completed"], before="requires_action") == []


def test_delta_texts_add_up_by_index() -> None:
    def delta(index: int, value: str) -> tuple[str, object]:
        block = {"index": index, "type": "text", "text": {"value": value}}
        return ("thread.message.delta", {"id": "m", "delta": {"content": [block]}})

    assert delta_texts(_events(delta(0, "Hel"), delta(1, "!"), delta(0, "lo"))) == {"m": "Hello!"}
