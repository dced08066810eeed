"""``harness demo --scenario REF`` drives what the scenario scripts and explains its exit status."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from harness.cli.demo import run_demo
from harness.scenario.loader import builtin_names

ORDERS = """\
name: my-orders
description: The assistant prices an order with calculate_total, then the pricing service fails.
assistants:
  - id: asst_orders000000000000000
    tools: [{type: function, function: {name: calculate_total}}]
runs:
  - match: {assistant_id: asst_orders000000000000000, content: 'order \\\\d+'}
    steps:
      - queued
      - in_progress
      - status: requires_action
        tool_calls:
          - {name: calculate_total, arguments: {items: 3}}
        expect_outputs:
          - {tool: calculate_total, output_schema: {type: object, required: [total], properties: {total: {type: number}}}}
      - in_progress
      - status: failed
        last_error: {code: server_error, message: "The pricing service is down."}
"""


def _demo(ref: str) -> tuple[int, str]:
    out = io.StringIO()
    status = run_demo(ref, out=out)
    return status, out.getvalue()


def test_a_users_scenario_is_played_with_its_own_tools_and_ending(tmp_path: Path) -> None:
    scenario = tmp_path / "orders.yaml"
    scenario.write_text(ORDERS)
    status, out = _demo(str(scenario))
    assert "Paris" not in out
    assert "get_weather" not in out
    assert "user asks 'order " in out  # a question its match accepts
    assert 'tool call calculate_total({"items":3}) → {"total": ' in out  # meets output_schema
    assert (
        "ended 'failed' (last_error server_error: The pricing service is down.), as scripted" in out
    )
    assert out.rstrip().endswith(
        "exit 0: every run ended as the scenario scripts, and no contract rule was broken"
    )
    assert status == 0


def test_a_failed_demo_says_why_it_exits_1(tmp_path: Path) -> None:
    scenario = tmp_path / "down.yaml"
    scenario.write_text(
        "name: down\nfaults:\n"
        "  - {match: {method: POST, path: '/v1/threads/*/runs'}, times: 10, respond: {status: 500}}\n"
    )
    status, out = _demo(str(scenario))
    assert status == 1
    last = out.rstrip().splitlines()[-1]
    assert last.startswith("exit 1: run 1 did not end (the API answered: ")
    assert "500" in last


def test_a_run_that_never_ends_is_reported_as_not_ending(tmp_path: Path) -> None:
    scenario = tmp_path / "forever.yaml"
    scenario.write_text(
        "name: forever\nruns:\n  - steps: [queued, {status: in_progress, polls: 1000}, completed]\n"
    )
    status, out = _demo(str(scenario))
    assert status == 1
    assert re.search(r"\nrun 1 run_\w+: queued › in_progress ×500\n", out), out
    assert out.rstrip().endswith(
        "exit 1: run 1 did not end (still in_progress after 500 requests), "
        "the scenario scripts 'completed'"
    )


@pytest.mark.parametrize("name", builtin_names())
def test_every_builtin_ends_as_it_scripts(name: str) -> None:
    status, out = _demo(f"builtin:{name}")
    assert status == 0, out
    assert ", as scripted" in out
