"""``harness demo --scenario REF [--dialect NAME]`` drives what the scenario scripts, on every
wire with its own SDK, and explains its exit status."""

from __future__ import annotations

import io
import logging
import os
import re
import sys
from importlib.util import find_spec
from pathlib import Path

import pytest

from harness.cli import main
from harness.cli.demo import run_demo
from harness.errors import ConfigError
from harness.scenario.loader import builtin_names

NEEDS_APPBUILDER = pytest.mark.skipif(
    find_spec("appbuilder") is None, reason="needs appbuilder-sdk"
)
DIALECTS = ("openai", "azure", pytest.param("appbuilder", marks=NEEDS_APPBUILDER))

NEEDS_RETRIES = frozenset({"rate-limited-then-ok", "server-error-then-ok"})
"""Builtins whose run ends as scripted only for a client that retries (appbuilder-sdk never does)."""

ENDINGS = {
    "tool-call-then-completed": (
        "ended 'completed', as scripted",
        "assistant: Here is the answer, from what the tool returned.",
    ),
    "two-tool-rounds": (
        "ended 'completed', as scripted",
        "assistant: Here is the answer, after two tool rounds.",
    ),
    "parallel-tool-calls": (
        "ended 'completed', as scripted",
        "assistant: Here is the answer, from both tool results.",
    ),
    "cancelled": ("ended 'cancelled', as scripted", "user: What is the weather in Paris?"),
    "failed-server-error": (
        "ended 'failed' (last_error server_error: Sorry, something went wrong.), as scripted",
        "user: What is the weather in Paris?",
    ),
    "requires-action-expired": (
        "ended 'expired', as scripted",
        "user: What is the weather in Paris?",
    ),
}
"""Builtin → (how its run ends, a text of its thread) on every wire."""

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


def _demo(ref: str, dialect: str = "openai") -> tuple[int, str]:
    out = io.StringIO()
    status = run_demo(ref, dialect=dialect, out=out)
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


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_users_scenario_plays_unchanged_on_every_wire(tmp_path: Path, dialect: str) -> None:
    scenario = tmp_path / "orders.yaml"
    scenario.write_text(ORDERS)
    status, out = _demo(str(scenario), dialect)
    assert 'tool call calculate_total({"items":3}) → {"total": ' in out
    assert (
        "ended 'failed' (last_error server_error: The pricing service is down.), as scripted" in out
    )
    assert status == 0, out


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_failed_demo_says_why_it_exits_1(tmp_path: Path, dialect: str) -> None:
    scenario = tmp_path / "down.yaml"
    scenario.write_text(
        "name: down\nfaults:\n"
        "  - {match: {method: POST, path: '/v1/threads/*/runs'}, times: 10, respond: {status: 500}}\n"
    )
    status, out = _demo(str(scenario), dialect)
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


@pytest.mark.parametrize(
    ("name", "dialect"),
    [
        *((name, dialect) for dialect in ("openai", "azure") for name in builtin_names()),
        *(  # the others: test_appbuilder_sdk_does_not_retry
            pytest.param(name, "appbuilder", marks=NEEDS_APPBUILDER)
            for name in builtin_names()
            if name not in NEEDS_RETRIES
        ),
    ],
)
def test_every_builtin_ends_as_it_scripts(name: str, dialect: str) -> None:
    status, out = _demo(f"builtin:{name}", dialect)
    assert status == 0, out
    assert ", as scripted" in out
    assert re.search(r"\nrun 1 \w+: queued( ×\d+)? › ", out), out  # the journal's timeline
    if dialect != "openai":
        assert out.startswith(f"harness demo: {name} — fake Assistants API, {dialect} dialect, at ")
    if name in ENDINGS:
        ending, text = ENDINGS[name]
        assert f"\n  {ending}\n" in out, out
        assert f"\n  {text}\n" in out, out


@pytest.mark.parametrize("name", sorted(NEEDS_RETRIES))
@NEEDS_APPBUILDER
def test_appbuilder_sdk_does_not_retry(name: str) -> None:
    status, out = _demo(f"builtin:{name}", "appbuilder")
    assert status == 1
    last = out.rstrip().splitlines()[-1]
    assert last.startswith("exit 1: run 1 did not end (the API answered: request_id="), last
    assert re.search(r"http status code is (429|500)", last), last


@NEEDS_APPBUILDER
def test_an_appbuilder_demo_leaves_the_environment_as_it_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GATEWAY_URL", "http://gateway.example")
    monkeypatch.delenv("APPBUILDER_TOKEN", raising=False)
    status, out = _demo("builtin:tool-call-then-completed", "appbuilder")
    assert status == 0, out
    assert "  appbuilder-sdk 1." in out
    assert os.environ["GATEWAY_URL"] == "http://gateway.example"
    assert "APPBUILDER_TOKEN" not in os.environ
    assert not logging.getLogger("appbuilder").disabled


def test_without_appbuilder_sdk_the_demo_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "appbuilder", None)  # import appbuilder fails
    message = "--dialect appbuilder needs Baidu's SDK as the client: pip install appbuilder-sdk"
    with pytest.raises(ConfigError, match=re.escape(message)):
        run_demo("builtin:completed", dialect="appbuilder")
    assert main(["demo", "--dialect", "appbuilder"]) == 2
    captured = capsys.readouterr()
    assert captured.err == f"harness demo: {message}\n"
    assert captured.out == ""


def test_the_command_line_plays_the_azure_wire(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--dialect", "azure", "--scenario", "builtin:two-tool-rounds"]) == 0
    out = capsys.readouterr().out
    assert re.match(
        r"harness demo: two-tool-rounds — fake Assistants API, azure dialect, at http://127\.0\.0\.1:\d+\n",
        out,
    )
    assert " (AzureOpenAI, api-version 2024-05-01-preview); scenario: " in out
    assert "\n  assistant: Here is the answer, after two tool rounds.\n" in out
    assert out.rstrip().endswith(
        "exit 0: every run ended as the scenario scripts, and no contract rule was broken"
    )
