"""Soak: a thousand concurrent SDK clients on one fake server, polled and streamed, and runs
amid unrelated traffic; every run ends as scripted, with exactly its own messages."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx2
import pytest

from harness import AssistantsAPI, FakeServer, ServerConfig
from harness.lifecycle import TERMINAL_STATUSES
from harness.scenario import parse_scenario
from tests.soak import drivers

pytestmark = pytest.mark.timeout(300)

RUNS = 1000


@pytest.fixture(scope="module")
def soak_server() -> Iterator[FakeServer]:
    with FakeServer(AssistantsAPI(ServerConfig(poll_after_ms=0))) as server:
        yield server


@pytest.fixture
def server(soak_server: FakeServer) -> FakeServer:
    soak_server.api.load_scenario(None)
    return soak_server


@pytest.mark.parametrize("stream", [False, True], ids=["polled", "streamed"])
async def test_a_thousand_concurrent_runs_all_complete(server: FakeServer, stream: bool) -> None:
    async with drivers.client(server.base_url) as client:
        outcomes = await drivers.many(client, RUNS, stream=stream)
    assert len(outcomes) == RUNS
    assert drivers.problems(outcomes) == []
    assert drivers.stored_problems(server.api, outcomes) == []
    assert len(server.api.state.store.runs) == RUNS
    assert server.api.state.journal.violations == []


EXPIRING = 10
MIXED = (
    "name: mixed\ndefault_run:\n  steps: [queued, in_progress, "
    f"{{status: completed, message: {drivers.DEFAULT_REPLY!r}}}]\nruns:\n"
) + "".join(
    f"""  - match: {{content: "^expire {n}$"}}
    steps:
      - queued
      - status: in_progress
        after_ms: 60000
        expires_after_s: 5
      - completed
"""
    for n in range(EXPIRING)
)


async def test_runs_amid_unrelated_traffic_expire_only_where_scripted(server: FakeServer) -> None:
    server.api.load_scenario(parse_scenario(MIXED))
    headers = {"Authorization": "Bearer sk-other", "OpenAI-Beta": "assistants=v2"}
    async with (
        drivers.client(server.base_url) as client,
        httpx2.AsyncClient(base_url=server.base_url, headers=headers, timeout=120) as other,
    ):
        assistant = await client.beta.assistants.create(model="gpt-4o")

        async def unrelated() -> None:
            """Someone else's traffic: more requests than a run's 600 s of expiry."""
            for _ in range(8):
                assert (await other.get("/assistants", params={"limit": 1})).status_code == 200
                assert (await other.post("/threads", json={})).status_code == 200

        async def run(question: str) -> drivers.Outcome:
            return await drivers.polled(client, assistant.id, question)

        questions = [f"expire {n}" for n in range(EXPIRING)]
        questions += [f"question {n}" for n in range(300 - EXPIRING)]
        results = await asyncio.gather(
            *(run(q) for q in questions), *(unrelated() for _ in range(40))
        )
    outcomes = [r for r in results if isinstance(r, drivers.Outcome)]
    ended = {o.question: o.status for o in outcomes}
    assert {q for q, status in ended.items() if status == "expired"} == set(questions[:EXPIRING])
    completed = [o for o in outcomes if o.question.startswith("question")]
    assert drivers.problems(completed) == []
    assert drivers.stored_problems(server.api, completed) == []
    journal = server.api.state.journal
    for outcome in outcomes[:EXPIRING]:
        assert journal.timeline(outcome.run_id) == "queued › in_progress ×5 › expired"
    assert all(o.status in TERMINAL_STATUSES for o in outcomes)
    assert server.api.state.scripts.unscripted == []
    assert journal.violations == []
