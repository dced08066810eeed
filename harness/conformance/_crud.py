"""Probes of the plain object endpoints: assistants, threads, messages."""

from __future__ import annotations

from harness.conformance._checks import CheckSpec
from harness.conformance._context import (
    FUNCTION_NAME,
    Context,
    Probe,
    expect_fields,
    expect_prefix,
    first_status_ok,
    function_tool,
    ids_of,
    object_id,
    sequence_ok,
    text_of,
)

__all__ = ["ASSISTANTS", "MESSAGES", "THREADS"]


def _assistants(ctx: Context) -> None:
    s, api = ctx.session, ctx.beta.assistants.with_raw_response
    fields = {
        "model": ctx.model,
        "name": "harness-conformance",
        "description": "Made by harness conform; safe to delete.",
        "instructions": "Answer in one short sentence.",
        "metadata": {"suite": "conformance"},
    }
    with ctx.check("assistants.create") as check:
        body = s.ok(
            s.call("assistants.create", api.create, tools=[function_tool()], **fields), "assistant"
        )
        assistant_id = object_id(body, "assistants.create")
        s.created("assistant", assistant_id)
        expect_prefix(check, "assistants.create", assistant_id, "asst_")
        expect_fields(check, "assistants.create", body, {**fields, "object": "assistant"})
        names = [(t.get("function") or {}).get("name") for t in body.get("tools") or []]
        check.expect(
            FUNCTION_NAME in names, f"assistants.create: tools {names} miss {FUNCTION_NAME!r}"
        )
        if ctx.shared.assistant_id is None:
            ctx.shared.assistant_id = assistant_id
    with ctx.check("assistants.retrieve") as check:
        body = s.ok(s.call("assistants.retrieve", api.retrieve, assistant_id), "assistant")
        expect_fields(check, "assistants.retrieve", body, {"id": assistant_id, **fields})
    with ctx.check("assistants.update") as check:
        changed = {
            "name": "harness-conformance-renamed",
            "metadata": {"suite": "conformance", "step": "2"},
        }
        body = s.ok(s.call("assistants.update", api.update, assistant_id, **changed), "assistant")
        expect_fields(
            check, "assistants.update", body, {"id": assistant_id, "model": ctx.model, **changed}
        )
    with ctx.check("assistants.list") as check:
        page = s.ok(s.call("assistants.list", api.list, limit=100), "list", item_kind="assistant")
        check.expect(
            assistant_id in ids_of(page),
            f"assistants.list: {assistant_id} is not on the first page (limit=100, newest first)",
        )
    with ctx.check("assistants.delete") as check:
        other = object_id(
            s.ok(s.call("assistants.create", api.create, model=ctx.model), "assistant"),
            "assistants.create",
        )
        s.created("assistant", other)
        body = s.ok(s.call("assistants.delete", api.delete, other), "assistant.deleted")
        s.deleted.add(other)
        expect_fields(
            check,
            "assistants.delete",
            body,
            {"id": other, "object": "assistant.deleted", "deleted": True},
        )
        s.error(s.call("assistants.retrieve", api.retrieve, other), 404)


def _threads(ctx: Context) -> None:
    s, api = ctx.session, ctx.beta.threads.with_raw_response
    with ctx.check("threads.create") as check:
        answer = s.call(
            "threads.create",
            api.create,
            messages=[{"role": "user", "content": "Hello from harness conform."}],
            metadata={"suite": "conformance"},
        )
        body = s.ok(answer, "thread")
        thread_id = object_id(body, "threads.create")
        s.created("thread", thread_id)
        expect_prefix(check, "threads.create", thread_id, "thread_")
        expect_fields(
            check,
            "threads.create",
            body,
            {"object": "thread", "metadata": {"suite": "conformance"}},
        )
        page = s.ok(
            s.call("messages.list", api.messages.list, thread_id), "list", item_kind="message"
        )
        texts = [text_of(m) for m in page.get("data") or []]
        check.expect(
            texts == ["Hello from harness conform."],
            f"threads.create: the new thread holds {texts}, expected its one initial message",
        )
    with ctx.check("threads.retrieve") as check:
        body = s.ok(s.call("threads.retrieve", api.retrieve, thread_id), "thread")
        expect_fields(
            check, "threads.retrieve", body, {"id": thread_id, "metadata": {"suite": "conformance"}}
        )
    with ctx.check("threads.update") as check:
        metadata = {"suite": "conformance", "step": "2"}
        body = s.ok(s.call("threads.update", api.update, thread_id, metadata=metadata), "thread")
        expect_fields(check, "threads.update", body, {"id": thread_id, "metadata": metadata})
    with ctx.check("threads.delete") as check:
        other = ctx.make_thread()
        body = s.ok(s.call("threads.delete", api.delete, other), "thread.deleted")
        s.deleted.add(other)
        expect_fields(
            check,
            "threads.delete",
            body,
            {"id": other, "object": "thread.deleted", "deleted": True},
        )
        s.error(s.call("threads.retrieve", api.retrieve, other), 404)
    with ctx.check("threads.create_and_run") as check:
        answer = s.call(
            "threads.create_and_run",
            api.create_and_run,
            assistant_id=ctx.assistant(),
            thread={"messages": [{"role": "user", "content": "Say hello."}]},
        )
        run = s.ok(answer, "run")
        run_id = object_id(run, "threads.create_and_run")
        new_thread = str(run.get("thread_id"))
        check.expect(
            new_thread.startswith("thread_"),
            f"threads.create_and_run: thread_id is {run.get('thread_id')!r}",
        )
        s.created("thread", new_thread)
        first_status_ok(check, "threads.create_and_run", run)
        final = s.poll(new_thread, run_id)
        check.expect(
            final.get("status") == "completed",
            f"threads.create_and_run: the run ended {final.get('status')!r}, expected 'completed'",
        )
        sequence_ok(check, s, run_id)


def _messages(ctx: Context) -> None:
    s, api = ctx.session, ctx.beta.threads.messages.with_raw_response
    thread_id = ctx.thread()
    with ctx.check("messages.create") as check:
        answer = s.call(
            "messages.create",
            api.create,
            thread_id,
            role="user",
            content="first",
            metadata={"n": "1"},
        )
        body = s.ok(answer, "message")
        first = object_id(body, "messages.create")
        expect_prefix(check, "messages.create", first, "msg_")
        expect_fields(
            check,
            "messages.create",
            body,
            {
                "object": "thread.message",
                "thread_id": thread_id,
                "role": "user",
                "run_id": None,
                "assistant_id": None,
                "metadata": {"n": "1"},
            },
        )
        check.expect(
            text_of(body) == "first",
            f"messages.create: the text is {text_of(body)!r}, expected 'first'",
        )
    with ctx.check("messages.retrieve") as check:
        body = s.ok(
            s.call("messages.retrieve", api.retrieve, first, thread_id=thread_id), "message"
        )
        expect_fields(
            check, "messages.retrieve", body, {"id": first, "thread_id": thread_id, "role": "user"}
        )
        check.expect(
            text_of(body) == "first",
            f"messages.retrieve: the text is {text_of(body)!r}, expected 'first'",
        )
    with ctx.check("messages.update") as check:
        body = s.ok(
            s.call("messages.update", api.update, first, thread_id=thread_id, metadata={"n": "2"}),
            "message",
        )
        expect_fields(check, "messages.update", body, {"id": first, "metadata": {"n": "2"}})
    with ctx.check("messages.list") as check:
        second = object_id(
            s.ok(
                s.call("messages.create", api.create, thread_id, role="user", content="second"),
                "message",
            ),
            "messages.create",
        )
        page = s.ok(s.call("messages.list", api.list, thread_id), "list", item_kind="message")
        check.expect(
            ids_of(page) == [second, first],
            f"messages.list: default order gives {ids_of(page)}, expected newest first "
            f"{[second, first]}",
        )
    with ctx.check("messages.delete") as check:
        body = s.ok(
            s.call("messages.delete", api.delete, first, thread_id=thread_id),
            "thread.message.deleted",
        )
        expect_fields(
            check,
            "messages.delete",
            body,
            {"id": first, "object": "thread.message.deleted", "deleted": True},
        )
        page = s.ok(s.call("messages.list", api.list, thread_id), "list", item_kind="message")
        check.expect(
            ids_of(page) == [second], f"messages.delete: the thread still lists {ids_of(page)}"
        )
        s.error(s.call("messages.retrieve", api.retrieve, first, thread_id=thread_id), 404)
    with ctx.check("messages.list_by_run") as check:
        run_thread, run_id = ctx.completed_run()
        page = s.ok(
            s.call("messages.list", api.list, run_thread, run_id=run_id),
            "list",
            item_kind="message",
        )
        data = page.get("data") or []
        check.expect(bool(data), f"messages.list: run_id={run_id} lists no message")
        for message in data:
            expect_fields(
                check, "messages.list(run_id)", message, {"run_id": run_id, "role": "assistant"}
            )
            check.expect(
                bool(text_of(message)), f"messages.list(run_id): {message.get('id')} has no text"
            )


def _spec(check_id: str, area: str, title: str) -> CheckSpec:
    return CheckSpec(check_id, area, title)


ASSISTANTS = Probe(
    "assistants",
    (
        _spec(
            "assistants.create",
            "assistants",
            "POST /assistants creates an assistant and echoes its fields",
        ),
        _spec(
            "assistants.retrieve", "assistants", "GET /assistants/{id} returns the same assistant"
        ),
        _spec("assistants.update", "assistants", "POST /assistants/{id} changes name and metadata"),
        _spec("assistants.list", "assistants", "GET /assistants lists the new assistant"),
        _spec(
            "assistants.delete",
            "assistants",
            "DELETE /assistants/{id} answers assistant.deleted; then 404",
        ),
    ),
    _assistants,
)
THREADS = Probe(
    "threads",
    (
        _spec(
            "threads.create", "threads", "POST /threads creates a thread with its initial messages"
        ),
        _spec("threads.retrieve", "threads", "GET /threads/{id} returns the same thread"),
        _spec("threads.update", "threads", "POST /threads/{id} changes metadata"),
        _spec("threads.delete", "threads", "DELETE /threads/{id} answers thread.deleted; then 404"),
        _spec(
            "threads.create_and_run",
            "threads",
            "POST /threads/runs makes a thread and a run that completes",
        ),
    ),
    _threads,
)
MESSAGES = Probe(
    "messages",
    (
        _spec("messages.create", "messages", "POST /threads/{id}/messages adds a user message"),
        _spec("messages.retrieve", "messages", "GET /threads/{id}/messages/{id} returns it"),
        _spec("messages.update", "messages", "POST /threads/{id}/messages/{id} changes metadata"),
        _spec(
            "messages.list", "messages", "GET /threads/{id}/messages lists newest first by default"
        ),
        _spec("messages.delete", "messages", "DELETE a message: thread.message.deleted; then gone"),
        _spec(
            "messages.list_by_run",
            "messages",
            "GET /threads/{id}/messages?run_id= lists the run's reply",
        ),
    ),
    _messages,
)
