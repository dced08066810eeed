"""Probes of list pagination and of error answers (unknown ids, headers, limits, metadata)."""

from __future__ import annotations

from typing import Any

from harness.conformance._checks import Check, CheckSpec
from harness.conformance._context import UNKNOWN, Context, Probe, expect_fields, ids_of, object_id
from harness.conformance._session import Answer

__all__ = ["ERRORS", "PAGINATION"]

_PAGE_SIZE = 2
_COUNT = 7


def _pagination(ctx: Context) -> None:
    s = ctx.session
    messages = ctx.beta.threads.messages.with_raw_response
    thread_id = ctx.thread()
    ids: list[str] = []
    for number in range(_COUNT):
        answer = s.call(
            "messages.create", messages.create, thread_id, role="user", content=f"page {number}"
        )
        ids.append(object_id(s.ok(answer, "message"), "messages.create"))

    def page(**query: Any) -> dict[str, Any]:
        answer = s.call("messages.list", messages.list, thread_id, **query)
        return s.ok(answer, "list", item_kind="message")

    with ctx.check("pagination.first_page") as check:
        body = page(order="asc", limit=_PAGE_SIZE)
        expect_fields(
            check,
            "messages.list(order=asc, limit=2)",
            body,
            {"object": "list", "first_id": ids[0], "last_id": ids[1], "has_more": True},
        )
        check.expect(
            ids_of(body) == ids[:2],
            f"order=asc limit=2 gives {ids_of(body)}, expected the two oldest {ids[:2]}",
        )
    for check_id, order, expected in (
        ("pagination.after_walk", "asc", ids),
        ("pagination.desc_walk", "desc", ids[::-1]),
    ):
        with ctx.check(check_id) as check:
            walked = list(
                s.iter_pages(
                    "messages.list",
                    messages.list,
                    thread_id,
                    item_kind="message",
                    limit=_PAGE_SIZE,
                    order=order,
                )
            )
            seen = [i for body in walked for i in ids_of(body)]
            check.expect(
                seen == expected,
                f"walking order={order} limit=2 with 'after' gives {seen}, expected {expected}",
            )
            sizes = [len(ids_of(body)) for body in walked]
            check.expect(
                sizes == [2, 2, 2, 1],
                f"order={order} page sizes are {sizes}, expected [2, 2, 2, 1]",
            )
            flags = [body.get("has_more") for body in walked]
            check.expect(
                flags == [True, True, True, False],
                f"order={order} has_more per page is {flags}, expected [True, True, True, False]",
            )
            for body in walked:
                data = ids_of(body)
                if data:
                    check.expect(
                        (body.get("first_id"), body.get("last_id")) == (data[0], data[-1]),
                        f"a page of {data} has first_id/last_id "
                        f"{body.get('first_id')!r}/{body.get('last_id')!r}",
                    )
    with ctx.check("pagination.before") as check:
        body = page(order="asc", limit=_PAGE_SIZE, before=ids[4])
        check.expect(
            ids_of(body) == ids[2:4],
            f"order=asc limit=2 before={ids[4]} gives {ids_of(body)}, expected {ids[2:4]}",
        )
        body = page(order="desc", limit=_PAGE_SIZE, before=ids[2])
        check.expect(
            ids_of(body) == [ids[4], ids[3]],
            f"order=desc limit=2 before={ids[2]} gives {ids_of(body)}, expected {[ids[4], ids[3]]}",
        )
    with ctx.check("pagination.default_order") as check:
        body = page()
        check.expect(
            ids_of(body) == ids[::-1],
            f"no query gives {ids_of(body)}, expected all {_COUNT} newest first (order=desc, "
            "limit=20)",
        )
        check.expect(
            body.get("has_more") is False, f"has_more is {body.get('has_more')!r} on the only page"
        )
    with ctx.check("pagination.empty_list") as check:
        runs = ctx.beta.threads.runs.with_raw_response
        body = s.ok(s.call("runs.list", runs.list, thread_id), "list", item_kind="run")
        expect_fields(
            check, "runs.list on a thread without runs", body, {"data": [], "has_more": False}
        )
    with ctx.check("pagination.sdk_auto_paging") as check:
        pager = ctx.beta.threads.messages.list(thread_id, limit=_PAGE_SIZE, order="asc")
        s.requests += (_COUNT + _PAGE_SIZE - 1) // _PAGE_SIZE
        seen = [message.id for message in pager]
        check.expect(seen == ids, f"the SDK's auto-pager yields {seen}, expected {ids}")


def _names(check: Check, label: str, error: dict[str, Any], missing: str) -> None:
    check.expect(
        missing in str(error.get("message")),
        f"{label}: the 404 message {error.get('message')!r} does not name {missing}",
    )


def _errors(ctx: Context) -> None:
    s = ctx.session
    beta = ctx.beta
    with ctx.check("errors.not_found_assistant") as check:
        missing = f"asst_{UNKNOWN}"
        answer = s.call("assistants.retrieve", beta.assistants.with_raw_response.retrieve, missing)
        _names(check, answer.label, s.error(answer, 404), missing)
    with ctx.check("errors.not_found_thread") as check:
        missing = f"thread_{UNKNOWN}"
        answer = s.call("threads.retrieve", beta.threads.with_raw_response.retrieve, missing)
        _names(check, answer.label, s.error(answer, 404), missing)
    thread_id = ctx.thread()
    with ctx.check("errors.not_found_message") as check:
        missing = f"msg_{UNKNOWN}"
        answer = s.call(
            "messages.retrieve",
            beta.threads.messages.with_raw_response.retrieve,
            missing,
            thread_id=thread_id,
        )
        _names(check, answer.label, s.error(answer, 404), missing)
    with ctx.check("errors.not_found_run") as check:
        missing = f"run_{UNKNOWN}"
        answer = s.call(
            "runs.retrieve",
            beta.threads.runs.with_raw_response.retrieve,
            missing,
            thread_id=thread_id,
        )
        _names(check, answer.label, s.error(answer, 404), missing)
    with ctx.check("errors.not_found_step") as check:
        run_thread, run_id = ctx.completed_run()
        missing = f"step_{UNKNOWN}"
        answer = s.call(
            "steps.retrieve",
            beta.threads.runs.steps.with_raw_response.retrieve,
            missing,
            thread_id=run_thread,
            run_id=run_id,
        )
        _names(check, answer.label, s.error(answer, 404), missing)
    auth = s.credentials()
    with ctx.check("errors.missing_beta_header") as check:
        answer = s.raw(
            "GET /assistants without OpenAI-Beta",
            "GET",
            "/assistants",
            headers=auth,
            params={"limit": "1"},
        )
        error = s.error(answer, 400)
        check.expect(
            error.get("code") == "invalid_beta",
            f"the error code is {error.get('code')!r}, expected 'invalid_beta'",
        )
        check.expect(
            "OpenAI-Beta" in str(error.get("message")),
            f"the message {error.get('message')!r} does not mention the OpenAI-Beta header",
        )
    with ctx.check("errors.missing_api_key"):
        answer = s.raw(
            "GET /assistants without Authorization",
            "GET",
            "/assistants",
            headers={"OpenAI-Beta": "assistants=v2"},
            params={"limit": "1"},
        )
        s.error(answer, 401)
    with ctx.check("errors.bad_limit") as check:
        for limit in (0, 101):
            answer = s.call("assistants.list", beta.assistants.with_raw_response.list, limit=limit)
            error = s.error(answer, 400)
            check.expect(
                error.get("param") in ("limit", None),
                f"limit={limit}: param is {error.get('param')!r}, expected 'limit'",
            )
    with ctx.check("errors.wrong_path_id_prefix") as check:
        answer = s.call("threads.retrieve", beta.threads.with_raw_response.retrieve, "undefined")
        error = s.error(answer, 400)
        check.expect(
            "thread" in str(error.get("message")),
            f"the message {error.get('message')!r} does not say a thread id is expected",
        )
    with ctx.check("errors.wrong_body_id_prefix") as check:
        answer = s.call(
            "runs.create",
            beta.threads.runs.with_raw_response.create,
            thread_id,
            assistant_id="wf_harness",
        )
        error = s.error(answer, 400)
        check.expect(
            error.get("param") == "assistant_id",
            f"param is {error.get('param')!r}, expected 'assistant_id'",
        )
    _metadata(ctx)


def _metadata(ctx: Context) -> None:
    s = ctx.session
    create = ctx.beta.threads.with_raw_response.create
    widest = {f"k{i:02d}": "v" for i in range(15)} | {"k" * 64: "v" * 512}

    def attempt(label: str, metadata: dict[str, str]) -> Answer:
        answer = s.call(label, create, metadata=metadata)
        if answer.status // 100 == 2 and isinstance(answer.body, dict) and answer.body.get("id"):
            s.created("thread", str(answer.body["id"]))
        return answer

    with ctx.check("errors.metadata_max_accepted") as check:
        body = s.ok(attempt("threads.create", widest), "thread")
        check.expect(
            body.get("metadata") == widest,
            "16 pairs with a 64-character key and a 512-character value were not echoed back",
        )
    for check_id, metadata in (
        ("errors.metadata_too_many_pairs", {f"k{i:02d}": "v" for i in range(17)}),
        ("errors.metadata_key_too_long", {"k" * 65: "v"}),
        ("errors.metadata_value_too_long", {"k": "v" * 513}),
    ):
        with ctx.check(check_id) as check:
            error = s.error(attempt("threads.create", metadata), 400)
            param = str(error.get("param") or "")
            check.expect(
                param.startswith("metadata"),
                f"param is {error.get('param')!r}, expected 'metadata' or 'metadata.<key>'",
            )


def _spec(check_id: str, area: str, title: str) -> CheckSpec:
    return CheckSpec(check_id, area, title)


PAGINATION = Probe(
    "pagination",
    (
        _spec(
            "pagination.first_page",
            "pagination",
            "limit=2 order=asc: two oldest, first_id/last_id, has_more",
        ),
        _spec(
            "pagination.after_walk",
            "pagination",
            "walking with 'after' (asc) visits 7 messages once",
        ),
        _spec(
            "pagination.desc_walk",
            "pagination",
            "walking with 'after' (desc) visits them newest first",
        ),
        _spec("pagination.before", "pagination", "'before' gives the page just before the cursor"),
        _spec(
            "pagination.default_order",
            "pagination",
            "no query: newest first, limit 20, has_more false",
        ),
        _spec("pagination.empty_list", "pagination", "an empty list: data [] and has_more false"),
        _spec("pagination.sdk_auto_paging", "pagination", "the SDK's auto-pager walks every page"),
    ),
    _pagination,
)
ERRORS = Probe(
    "errors",
    (
        _spec(
            "errors.not_found_assistant",
            "errors",
            "unknown assistant id: 404 with the error object",
        ),
        _spec("errors.not_found_thread", "errors", "unknown thread id: 404 with the error object"),
        _spec(
            "errors.not_found_message", "errors", "unknown message id: 404 with the error object"
        ),
        _spec("errors.not_found_run", "errors", "unknown run id: 404 with the error object"),
        _spec("errors.not_found_step", "errors", "unknown run step id: 404 with the error object"),
        _spec("errors.missing_beta_header", "errors", "no OpenAI-Beta header: 400 invalid_beta"),
        _spec("errors.missing_api_key", "errors", "no Authorization header: 401"),
        _spec("errors.bad_limit", "errors", "limit=0 and limit=101: 400"),
        _spec("errors.wrong_path_id_prefix", "errors", "a path id with the wrong prefix: 400"),
        _spec("errors.wrong_body_id_prefix", "errors", "assistant_id with the wrong prefix: 400"),
        _spec(
            "errors.metadata_max_accepted",
            "errors",
            "16 metadata pairs, 64-char key, 512-char value: accepted",
        ),
        _spec("errors.metadata_too_many_pairs", "errors", "17 metadata pairs: 400"),
        _spec("errors.metadata_key_too_long", "errors", "a 65-character metadata key: 400"),
        _spec("errors.metadata_value_too_long", "errors", "a 513-character metadata value: 400"),
    ),
    _errors,
)
