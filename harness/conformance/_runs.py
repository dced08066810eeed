"""Probes of runs: the default lifecycle, run steps, thread locking, tool calls, cancellation."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from harness import lifecycle
from harness.conformance._checks import Check, CheckSpec
from harness.conformance._context import (
    FUNCTION_NAME,
    UNKNOWN,
    Context,
    Probe,
    expect_fields,
    expect_prefix,
    first_status_ok,
    ids_of,
    object_id,
    sequence_ok,
)
from harness.conformance._session import JSON

__all__ = ["CANCELLATION", "LOCKING", "RUNS", "TOOLS"]

_OUTPUT = "18 °C and sunny"


def _runs(ctx: Context) -> None:
    s = ctx.session
    runs = ctx.beta.threads.runs.with_raw_response
    thread_id = ctx.thread("Say hello.")
    with ctx.check("runs.create") as check:
        run = ctx.create_run(thread_id)
        run_id = object_id(run, "runs.create")
        expect_prefix(check, "runs.create", run_id, "run_")
        expect_fields(
            check,
            "runs.create",
            run,
            {"object": "thread.run", "thread_id": thread_id, "assistant_id": ctx.assistant()},
        )
        first_status_ok(check, "runs.create", run)
        if "expires_at" in run:  # a missing field is the schema check's to report
            check.expect(
                isinstance(run["expires_at"], int),
                f"runs.create: a queued run has expires_at {run['expires_at']!r}, expected a time",
            )
    with ctx.check("runs.retrieve") as check:
        body, _ = s.retrieve_run(thread_id, run_id)
        expect_fields(check, "runs.retrieve", body, {"id": run_id, "thread_id": thread_id})
    with ctx.check("runs.lifecycle") as check:
        final = s.poll(thread_id, run_id)
        check.expect(
            final.get("status") == "completed",
            f"runs.lifecycle: the run stopped {final.get('status')!r}, expected 'completed'",
        )
        sequence_ok(check, s, run_id)
    with ctx.check("runs.terminal_fields") as check:
        for key in ("started_at", "completed_at"):
            check.expect(
                isinstance(final.get(key), int),
                f"a completed run has {key} {final.get(key)!r}, expected a time",
            )
        for key in ("expires_at", "required_action", "last_error", "failed_at", "cancelled_at"):
            check.expect(
                final.get(key) is None,
                f"a completed run has {key} {final.get(key)!r}, expected null",
            )
        usage = final.get("usage")
        check.expect(
            isinstance(usage, dict) and isinstance(usage.get("total_tokens"), int),
            f"a completed run has usage {usage!r}, expected token counts",
        )
    if final.get("status") == "completed":
        ctx.remember_completed(thread_id, run_id)
    with ctx.check("runs.update") as check:
        answer = s.call(
            "runs.update",
            runs.update,
            run_id,
            thread_id=thread_id,
            metadata={"suite": "conformance"},
        )
        body = s.ok(answer, "run")
        expect_fields(
            check,
            "runs.update",
            body,
            {"id": run_id, "metadata": {"suite": "conformance"}, "status": final.get("status")},
        )
    with ctx.check("runs.list") as check:
        page = s.ok(s.call("runs.list", runs.list, thread_id), "list", item_kind="run")
        check.expect(
            ids_of(page) == [run_id], f"runs.list: lists {ids_of(page)}, expected [{run_id}]"
        )
    steps = runs.steps
    with ctx.check("steps.list") as check:
        page = s.ok(
            s.call("steps.list", steps.list, run_id, thread_id=thread_id, order="asc"),
            "list",
            item_kind="run_step",
        )
        data: list[JSON] = page.get("data") or []
        check.expect(bool(data), "steps.list: a completed run lists no steps")
        for step in data:
            expect_fields(check, "steps.list", step, {"run_id": run_id, "thread_id": thread_id})
            check.expect(
                step.get("status") == "completed",
                f"steps.list: step {step.get('id')} is {step.get('status')!r} on a completed run",
            )
        created = [
            ((step.get("step_details") or {}).get("message_creation") or {}).get("message_id")
            for step in data
            if step.get("type") == "message_creation"
        ]
        check.expect(bool(created), "steps.list: no message_creation step for the run's reply")
        for message_id in created:
            text = ctx.message_text(thread_id, str(message_id))
            check.expect(bool(text), f"steps.list: message {message_id} has no text")
    with ctx.check("steps.retrieve") as check:
        if not data:
            check.fail("steps.retrieve: steps.list gave no step to retrieve")
        step_id = object_id(data[0], "steps.list")
        answer = s.call(
            "steps.retrieve", steps.retrieve, step_id, thread_id=thread_id, run_id=run_id
        )
        body = s.ok(answer, "run_step")
        expect_fields(
            check,
            "steps.retrieve",
            body,
            {"id": step_id, "run_id": run_id, "type": data[0].get("type")},
        )


def _refused(
    ctx: Context, check: Check, label: str, answer_status: int, thread_id: str, run_id: str
) -> None:
    """A request that should have met the lock answered ``answer_status``: fine if it was a
    400, or if the run had already ended (a race); otherwise a break."""
    if answer_status == 400:
        return
    run, _ = ctx.session.retrieve_run(thread_id, run_id)
    status = run.get("status")
    if status in lifecycle.TERMINAL_STATUSES:
        check.note(f"{label}: {run_id} ended ({status}) before the request; lock not observable")
        return
    check.expect(
        False,
        f"{label} answered {answer_status} while {run_id} was {status!r}: a thread with an active "
        "run must refuse it with 400",
    )


def _locking(ctx: Context) -> None:
    s = ctx.session
    threads = ctx.beta.threads.with_raw_response
    thread_id = ctx.thread("Say hello.")
    run_id = object_id(ctx.create_run(thread_id), "runs.create")
    with ctx.check("locking.message_while_active") as check:
        answer = s.call(
            "messages.create", threads.messages.create, thread_id, role="user", content="more"
        )
        if answer.status == 400:
            s.error(answer, 400)
        _refused(ctx, check, "messages.create", answer.status, thread_id, run_id)
    with ctx.check("locking.run_while_active") as check:
        second = s.call("runs.create", threads.runs.create, thread_id, assistant_id=ctx.assistant())
        if second.status == 400:
            s.error(second, 400)
        elif second.status // 100 == 2 and isinstance(second.body, dict):
            s.ok(second, "run")
        _refused(ctx, check, "runs.create", second.status, thread_id, run_id)
    with ctx.check("locking.unlocked_after_terminal") as check:
        final = s.poll(thread_id, run_id, until=lifecycle.TERMINAL_STATUSES)
        if second.status // 100 == 2 and isinstance(second.body, dict):
            second_id = object_id(second.body, "runs.create")
            s.poll(thread_id, second_id, until=lifecycle.TERMINAL_STATUSES)
        answer = s.call(
            "messages.create", threads.messages.create, thread_id, role="user", content="after"
        )
        check.expect(
            answer.status // 100 == 2,
            f"messages.create answered {answer.status} after {run_id} ended "
            f"{final.get('status')!r}: {answer.error_text()}",
        )
        if answer.status // 100 == 2:
            s.ok(answer, "message")


def _calls(run: Mapping[str, Any]) -> list[JSON]:
    action = run.get("required_action") or {}
    calls = (action.get("submit_tool_outputs") or {}).get("tool_calls")
    return [call for call in calls or [] if isinstance(call, dict)]


def _tools(ctx: Context) -> None:
    s = ctx.session
    threads = ctx.beta.threads.with_raw_response
    with ctx.check("tools.requires_action") as check:
        thread_id, run = ctx.run_waiting_for_tools()
        run_id = object_id(run, "runs.create")
        action = run.get("required_action") or {}
        check.expect(
            action.get("type") == "submit_tool_outputs",
            f"required_action.type is {action.get('type')!r}, expected 'submit_tool_outputs'",
        )
        calls = _calls(run)
        if not calls:
            check.fail(f"{run_id} is requires_action but lists no tool calls")
        for call in calls:
            function = call.get("function") or {}
            expect_prefix(check, "required_action tool call", str(call.get("id")), "call_")
            check.expect(call.get("type") == "function", f"tool call type is {call.get('type')!r}")
            arguments = function.get("arguments")
            check.expect(
                isinstance(arguments, str) and _is_json(arguments),
                f"tool call arguments {arguments!r} are not a JSON text",
            )
        names = [(call.get("function") or {}).get("name") for call in calls]
        check.expect(
            FUNCTION_NAME in names,
            f"tool_choice forced {FUNCTION_NAME!r} but the run calls {names}",
        )
        if "expires_at" in run:
            check.expect(
                run["expires_at"] is not None, "a run waiting for tool outputs has expires_at null"
            )
        sequence_ok(check, s, run_id)
    call_ids = [str(call.get("id")) for call in calls]
    with ctx.check("locking.requires_action_locks") as check:
        answer = s.call(
            "messages.create", threads.messages.create, thread_id, role="user", content="x"
        )
        check.expect(
            answer.status == 400,
            f"messages.create answered {answer.status} while {run_id} was 'requires_action': a "
            "waiting run locks its thread (400)",
        )
        answer = s.call("runs.create", threads.runs.create, thread_id, assistant_id=ctx.assistant())
        check.expect(
            answer.status == 400,
            f"runs.create answered {answer.status} while {run_id} was 'requires_action': a thread "
            "takes one active run (400)",
        )
        if answer.status // 100 == 2 and isinstance(answer.body, dict):
            s.ok(answer, "run")
    submit = threads.runs.submit_tool_outputs
    with ctx.check("tools.wrong_call_ids") as check:
        answer = s.call(
            "runs.submit_tool_outputs",
            submit,
            run_id,
            thread_id=thread_id,
            tool_outputs=[{"tool_call_id": f"call_{UNKNOWN}", "output": _OUTPUT}],
        )
        s.error(answer, 400)
        body, _ = s.retrieve_run(thread_id, run_id)
        if body.get("status") != "requires_action":
            check.fail(
                f"after outputs for an unknown call id the run is {body.get('status')!r}, "
                "expected it still 'requires_action'"
            )
    with ctx.check("runs.submit_tool_outputs") as check:
        outputs = [{"tool_call_id": call_id, "output": _OUTPUT} for call_id in call_ids]
        answer = s.call(
            "runs.submit_tool_outputs", submit, run_id, thread_id=thread_id, tool_outputs=outputs
        )
        body = s.ok(answer, "run")
        status = str(body.get("status"))
        check.expect(
            lifecycle.is_reachable("requires_action", status),
            f"runs.submit_tool_outputs answered status {status!r}, which cannot follow "
            "'requires_action'",
        )
        check.expect(
            body.get("required_action") is None,
            "runs.submit_tool_outputs: required_action is still set after the outputs",
        )
        final = s.poll(thread_id, run_id)
        check.expect(
            final.get("status") == "completed",
            f"after the tool outputs the run ended {final.get('status')!r}, expected 'completed'",
        )
        sequence_ok(check, s, run_id)
    with ctx.check("steps.tool_calls") as check:
        answer = s.call(
            "steps.list", threads.runs.steps.list, run_id, thread_id=thread_id, order="asc"
        )
        page = s.ok(answer, "list", item_kind="run_step")
        tool_steps = [step for step in page.get("data") or [] if step.get("type") == "tool_calls"]
        if not tool_steps:
            check.fail(f"steps.list: {run_id} called a tool but lists no tool_calls step")
        seen: dict[str, Any] = {}
        for step in tool_steps:
            check.expect(
                step.get("status") == "completed",
                f"steps.list: tool step {step.get('id')} is {step.get('status')!r} after the "
                "outputs",
            )
            for call in (step.get("step_details") or {}).get("tool_calls") or []:
                seen[str(call.get("id"))] = (call.get("function") or {}).get("output")
        for call_id in call_ids:
            check.expect(
                seen.get(call_id) == _OUTPUT,
                f"steps.list: tool call {call_id} shows output {seen.get(call_id)!r}, expected the "
                f"submitted {_OUTPUT!r}",
            )
    with ctx.check("tools.submit_after_terminal") as check:
        answer = s.call(
            "runs.submit_tool_outputs", submit, run_id, thread_id=thread_id, tool_outputs=outputs
        )
        error = s.error(answer, 400)
        check.expect(
            "do not accept tool outputs" in str(error.get("message")),
            f"runs.submit_tool_outputs on a finished run: message {error.get('message')!r} lacks "
            "'do not accept tool outputs'",
        )


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _judge_cancel(check: Check, previous: str, run: Mapping[str, Any]) -> str:
    """The status a cancel answered must be ``cancelling``, or a terminal status (other than
    ``cancelled``) the run could reach on its own first. Returns the status."""
    status = str(run.get("status"))
    if status == "cancelling":
        return status
    if status == "cancelled":
        check.expect(
            False,
            f"runs.cancel answered 'cancelled' directly for a run last seen {previous!r}: "
            f"cancellation goes through 'cancelling' ({previous} › cancelled is not a legal "
            "transition)",
        )
    elif status in lifecycle.TERMINAL_STATUSES and lifecycle.is_reachable(previous, status):
        check.note(f"the run reached {status!r} before the cancel (a legal race)")
    else:
        check.expect(
            False,
            f"runs.cancel answered status {status!r} for a run last seen {previous!r}, "
            "expected 'cancelling'",
        )
    return status


def _cancel(ctx: Context, check: Check, thread_id: str, run_id: str, previous: str) -> str:
    s = ctx.session
    cancel = ctx.beta.threads.runs.with_raw_response.cancel
    answer = s.call("runs.cancel", cancel, run_id, thread_id=thread_id)
    if answer.status == 400:
        body, _ = s.retrieve_run(thread_id, run_id)
        if body.get("status") in lifecycle.TERMINAL_STATUSES:
            check.note(f"{run_id} ended {body.get('status')!r} before the cancel arrived")
            return str(body.get("status"))
    return _judge_cancel(check, previous, s.ok(answer, "run"))


def _cancellation(ctx: Context) -> None:
    s = ctx.session
    cancel = ctx.beta.threads.runs.with_raw_response.cancel
    thread_id = ctx.thread("Count to ten.")
    run = ctx.create_run(thread_id)
    run_id = object_id(run, "runs.create")
    with ctx.check("runs.cancel") as check:
        _cancel(ctx, check, thread_id, run_id, str(run.get("status")))
    with ctx.check("cancellation.reaches_cancelled") as check:
        final = s.poll(thread_id, run_id, until=lifecycle.TERMINAL_STATUSES)
        _expect_cancelled(check, final)
        sequence_ok(check, s, run_id)
    with ctx.check("cancellation.cancel_terminal_run") as check:
        error = s.error(s.call("runs.cancel", cancel, run_id, thread_id=thread_id), 400)
        check.expect(
            "Cannot cancel run" in str(error.get("message")),
            f"runs.cancel on a finished run: message {error.get('message')!r} lacks "
            "'Cannot cancel run'",
        )
    with ctx.check("cancellation.cancel_requires_action") as check:
        thread_id, run = ctx.run_waiting_for_tools("What is the weather in Oslo?")
        run_id = object_id(run, "runs.create")
        _cancel(ctx, check, thread_id, run_id, "requires_action")
        final = s.poll(thread_id, run_id, until=lifecycle.TERMINAL_STATUSES)
        _expect_cancelled(check, final)
        sequence_ok(check, s, run_id)


def _expect_cancelled(check: Check, final: Mapping[str, Any]) -> None:
    status = final.get("status")
    if status == "cancelled":
        check.expect(
            isinstance(final.get("cancelled_at"), int),
            f"a cancelled run has cancelled_at {final.get('cancelled_at')!r}, expected a time",
        )
    else:
        check.note(f"cancellation was not honoured: the run ended {status!r} (allowed)")


def _spec(check_id: str, area: str, title: str) -> CheckSpec:
    return CheckSpec(check_id, area, title)


RUNS = Probe(
    "runs",
    (
        _spec("runs.create", "runs", "POST /threads/{id}/runs answers a queued run"),
        _spec("runs.retrieve", "runs", "GET /threads/{id}/runs/{id} returns the run"),
        _spec(
            "runs.lifecycle",
            "runs",
            "a default run is polled to 'completed' through legal statuses",
        ),
        _spec(
            "runs.terminal_fields",
            "runs",
            "a completed run has completed_at, usage, expires_at null",
        ),
        _spec("runs.update", "runs", "POST /threads/{id}/runs/{id} changes metadata"),
        _spec("runs.list", "runs", "GET /threads/{id}/runs lists the run"),
        _spec("steps.list", "steps", "GET …/runs/{id}/steps lists the message_creation step"),
        _spec("steps.retrieve", "steps", "GET …/runs/{id}/steps/{id} returns the step"),
    ),
    _runs,
)
LOCKING = Probe(
    "locking",
    (
        _spec(
            "locking.message_while_active",
            "locking",
            "a message into a thread with an active run: 400",
        ),
        _spec(
            "locking.run_while_active",
            "locking",
            "a second run on a thread with an active run: 400",
        ),
        _spec(
            "locking.unlocked_after_terminal",
            "locking",
            "a thread accepts messages again once its run ended",
        ),
    ),
    _locking,
)
TOOLS = Probe(
    "tools",
    (
        _spec(
            "tools.requires_action",
            "tools",
            "a forced tool_choice stops the run at requires_action with the call",
        ),
        _spec(
            "locking.requires_action_locks",
            "locking",
            "a run in requires_action keeps its thread locked",
        ),
        _spec(
            "tools.wrong_call_ids", "tools", "tool outputs for unknown call ids: 400, run unchanged"
        ),
        _spec(
            "runs.submit_tool_outputs",
            "tools",
            "submitting every output resumes the run to 'completed'",
        ),
        _spec("steps.tool_calls", "steps", "the tool_calls step shows the submitted output"),
        _spec("tools.submit_after_terminal", "tools", "tool outputs for a finished run: 400"),
    ),
    _tools,
)
CANCELLATION = Probe(
    "cancellation",
    (
        _spec("runs.cancel", "cancellation", "cancelling a queued run answers 'cancelling'"),
        _spec(
            "cancellation.reaches_cancelled",
            "cancellation",
            "a cancelled run ends 'cancelled' with cancelled_at",
        ),
        _spec("cancellation.cancel_terminal_run", "cancellation", "cancelling a finished run: 400"),
        _spec(
            "cancellation.cancel_requires_action",
            "cancellation",
            "a run waiting for tools can be cancelled",
        ),
    ),
    _cancellation,
)
