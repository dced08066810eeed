"""Many concurrent clients on one fake server, with the real async SDK (used by the soak tests
and by ``bench/soak.py``)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx2
import openai

from harness import AssistantsAPI
from harness.scenario.model import default_run_script

DEFAULT_REPLY = default_run_script().steps[-1].activity[0].text  # type: ignore[union-attr]


@dataclass(frozen=True)
class Outcome:
    """What one client saw: its run's id, thread and end, and its thread's messages."""

    question: str
    run_id: str
    thread_id: str
    status: str
    messages: tuple[tuple[str, str, str | None], ...] | None
    """(role, text, run id) of the thread's messages as the client was told them, oldest first
    (``None``: not asked; :func:`stored_problems` checks the server's side)."""


def client(base_url: str) -> openai.AsyncOpenAI:
    """One async SDK client for many concurrent runs: a generous timeout (a thousand tasks on a
    busy machine resume late, which the SDK's 5 s connect timeout would count against the
    server), and a pool of 100 connections (httpcore's pool costs grow with its size)."""
    return openai.AsyncOpenAI(
        base_url=base_url,
        api_key="sk-test",
        max_retries=0,
        timeout=120.0,
        http_client=openai.DefaultAsyncHttpxClient(
            limits=httpx2.Limits(max_connections=100, max_keepalive_connections=100)
        ),
    )


def _texts(
    messages: list[openai.types.beta.threads.Message],
) -> tuple[tuple[str, str, str | None], ...]:
    return tuple(
        (
            message.role,
            "".join(block.text.value for block in message.content if block.type == "text"),
            message.run_id,
        )
        for message in messages
    )


async def polled(
    client: openai.AsyncOpenAI, assistant_id: str, question: str, *, read_back: bool = False
) -> Outcome:
    """A thread and its run in one request, polled to the end (three requests), and with
    ``read_back`` the thread's messages listed."""
    run = await client.beta.threads.create_and_run_poll(
        assistant_id=assistant_id,
        thread={"messages": [{"role": "user", "content": question}]},
        poll_interval_ms=0,
    )
    messages = None
    if read_back:
        listed = await client.beta.threads.messages.list(run.thread_id, order="asc")
        messages = _texts(listed.data)
    return Outcome(question, run.id, run.thread_id, run.status, messages)


async def streamed(client: openai.AsyncOpenAI, assistant_id: str, question: str) -> Outcome:
    """The same, streamed: the run and its messages as the stream told them."""
    async with client.beta.threads.create_and_run_stream(
        assistant_id=assistant_id,
        thread={"messages": [{"role": "user", "content": question}]},
    ) as stream:
        await stream.until_done()
        run = await stream.get_final_run()
        told = await stream.get_final_messages()
    return Outcome(
        question, run.id, run.thread_id, run.status, (("user", question, None), *_texts(told))
    )


async def many(
    client: openai.AsyncOpenAI, count: int, *, stream: bool = False, prefix: str = "question"
) -> list[Outcome]:
    """``count`` clients at once, each with its own question, on one shared assistant."""
    assistant = await client.beta.assistants.create(model="gpt-4o")
    drive = streamed if stream else polled
    return list(
        await asyncio.gather(*(drive(client, assistant.id, f"{prefix} {n}") for n in range(count)))
    )


def problems(outcomes: list[Outcome], *, reply: str = DEFAULT_REPLY) -> list[str]:
    """Every way the outcomes differ from "each run completed, once, with exactly its own
    question and one reply in its thread"."""
    found = []
    if len({o.run_id for o in outcomes}) != len(outcomes):
        found.append("run ids repeat")
    if len({o.thread_id for o in outcomes}) != len(outcomes):
        found.append("thread ids repeat")
    for outcome in outcomes:
        if outcome.status != "completed":
            found.append(f"{outcome.question}: {outcome.run_id} ended {outcome.status}")
        elif outcome.messages is not None and outcome.messages != _expected(outcome, reply):
            found.append(f"{outcome.question}: told {outcome.messages}")
    return found


def stored_problems(
    api: AssistantsAPI, outcomes: list[Outcome], *, reply: str = DEFAULT_REPLY
) -> list[str]:
    """The same, checked in the server's tables: each thread holds its question and one reply
    of its own run, nothing lost, nothing doubled, nothing from another thread."""
    found = []
    for outcome in outcomes:
        stored = tuple(
            (
                m["role"],
                "".join(b["text"]["value"] for b in m["content"] if b["type"] == "text"),
                m["run_id"],
            )
            for m in api.state.store.messages.group(outcome.thread_id)
        )
        if stored != _expected(outcome, reply):
            found.append(f"{outcome.thread_id}: stored {stored}")
    return found


def _expected(outcome: Outcome, reply: str) -> tuple[tuple[str, str, str | None], ...]:
    return (("user", outcome.question, None), ("assistant", reply, outcome.run_id))
