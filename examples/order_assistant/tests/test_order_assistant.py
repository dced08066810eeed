"""The order assistant's tests, written as its team would: harness fixtures and markers."""

from __future__ import annotations

import json

import openai
import pytest
from order_client import OrderAssistant, OrderError, calculate_order_total, run_tool

from harness.pytest_plugin import HarnessServer

TOOL_ROUND = "queued › in_progress › requires_action › queued › in_progress › completed"


@pytest.fixture
def shop(harness_client: openai.OpenAI) -> OrderAssistant:
    return OrderAssistant(harness_client)


# -- the tool, on its own -------------------------------------------------------------------


def test_prices_an_order() -> None:
    items = [{"item_type": "widget", "quantity": 3}, {"item_type": "gadget", "quantity": 1}]
    assert calculate_order_total(items) == {"total": "19.50", "currency": "USD"}


@pytest.mark.parametrize(
    "item", [{"item_type": "sprocket", "quantity": 1}, {"item_type": "widget", "quantity": 0}]
)
def test_rejects_what_it_cannot_price(item: dict[str, object]) -> None:
    with pytest.raises(OrderError):
        calculate_order_total([item])


def test_tool_errors_go_back_to_the_model() -> None:
    assert "error" in json.loads(run_tool("calculate_order_total", "not json"))
    assert "error" in json.loads(run_tool("get_weather", "{}"))


# -- against the fake Assistants API ----------------------------------------------------------


@pytest.mark.harness_scenario("order-total.yaml")
def test_quotes_the_total_the_tool_computed(
    shop: OrderAssistant, harness_server: HarnessServer
) -> None:
    answer = shop.ask("How much are 3 widgets and a gadget?")
    assert answer.ok
    assert answer.text == "Your order comes to $19.50."
    assert harness_server.timeline(answer.run_id) == TOOL_ROUND
    # The scenario checked the submitted output (expect_outputs): a wrong total would be a
    # contract violation, and fail this test at teardown.


@pytest.mark.harness_scenario("unknown-item.yaml")
def test_tells_the_model_what_it_cannot_price(shop: OrderAssistant) -> None:
    answer = shop.ask("Two sprockets, please.")
    assert answer.ok
    assert "don't sell sprockets" in answer.text


@pytest.mark.harness_lifecycles("terminal")
def test_every_ending_gets_an_answer(shop: OrderAssistant, harness_server: HarnessServer) -> None:
    answer = shop.ask("How much are 3 widgets?")
    shown = harness_server.journal.timelines[answer.run_id]
    assert answer.status == shown[-1]
    assert shown.count(answer.status) == 1  # it stopped polling as soon as the run ended
    assert answer.ok == (answer.status == "completed")
    assert answer.ok or answer.problem


@pytest.mark.harness_lifecycles("all")
def test_every_builtin_story_uses_our_own_tool(
    shop: OrderAssistant, harness_server: HarnessServer
) -> None:
    answer = shop.ask("How much are 3 widgets?")
    assert answer.ok or answer.problem
    calls = [
        call
        for step in harness_server.store.steps.values()
        if step["step_details"]["type"] == "tool_calls"
        for call in step["step_details"]["tool_calls"]
        if call["type"] == "function"  # code_interpreter and file_search calls are the model's
    ]
    scripted = [step.tool_calls for run in harness_server.scenario.runs for step in run.steps]
    assert bool(calls) == any(scripted)
    for call in calls:  # the built-ins call our tool, and it could price what they asked for
        assert call["function"]["name"] == "calculate_order_total"
        if call["function"]["output"] is not None:
            assert "total" in json.loads(call["function"]["output"])


@pytest.mark.harness_lifecycles("rate-limited-then-ok", "server-error-then-ok", "slow-in-progress")
def test_rides_out_http_errors_and_slow_runs(shop: OrderAssistant) -> None:
    assert shop.ask("Hello?").ok


@pytest.mark.harness_scenario("stuck.yaml", poll_after_ms=1000)
def test_cancels_a_run_that_never_ends(
    harness_client: openai.OpenAI, harness_server: HarnessServer
) -> None:
    # The client sleeps and tells time on the virtual clock: it waits the second the server
    # asks for between polls, and no real time passes.
    clock = harness_server.clock
    shop = OrderAssistant(harness_client, max_wait_s=30, clock=clock.now, sleep=clock.advance)
    answer = shop.ask("Still there?")
    assert answer.status == "cancelled"
    assert answer.problem == "gave up after 30 s"
    assert harness_server.timeline(answer.run_id).endswith("› cancelling › cancelled")


@pytest.mark.harness_fuzz(faults=True)
def test_every_generated_lifecycle_gets_an_answer(
    shop: OrderAssistant, harness_server: HarnessServer
) -> None:
    # Lifecycles drawn from the lifecycle table: any legal path, polls, up to two rounds calling
    # our own tool, every ending, retryable HTTP faults. A failure is shrunk and written to
    # specs/regressions/ with the harness_scenario line that replays it.
    answer = shop.ask("How much are 3 widgets?")
    shown = harness_server.journal.timelines[answer.run_id]
    assert answer.status == shown[-1]
    assert answer.ok == (answer.status == "completed")
    assert answer.ok or answer.problem
