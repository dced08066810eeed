"""Run steps: list and retrieve (with ``include[]``)."""

from __future__ import annotations

from harness.core.handlers.common import get_run, get_step, get_thread, ok
from harness.core.handlers.runs import check_include, public_step
from harness.core.http import ApiResponse
from harness.core.state import Context
from harness.core.store import paginate

__all__ = ["ROUTES"]


def list_(ctx: Context) -> ApiResponse:
    thread_id = ctx.path_id("thread_id", "thread", "thread")
    get_thread(ctx, thread_id)
    with_content = check_include(ctx)
    record = get_run(ctx, thread_id, ctx.params["run_id"])
    ctx.state.engine.refresh(record, ctx.emitter())
    page = ctx.page()
    items = ctx.state.store.steps.group(record.id)
    return ok(
        paginate(
            items,
            page,
            key=lambda s: str(s["id"]),
            render=lambda s: dict(public_step(s, with_content=with_content)),
        )
    )


def retrieve(ctx: Context) -> ApiResponse:
    thread_id = ctx.path_id("thread_id", "thread", "thread")
    get_thread(ctx, thread_id)
    with_content = check_include(ctx)
    record = get_run(ctx, thread_id, ctx.params["run_id"])
    ctx.state.engine.refresh(record, ctx.emitter())
    step = get_step(ctx, record, ctx.params["step_id"])
    return ok(public_step(step, with_content=with_content))


ROUTES = [
    ("GET", "/threads/{thread_id}/runs/{run_id}/steps", list_),
    ("GET", "/threads/{thread_id}/runs/{run_id}/steps/{step_id}", retrieve),
]
