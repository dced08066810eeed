"""Soak one fake server: a thousand concurrent async SDK clients, polled and streamed.

Prints, for each: wall time, requests per second and whether every run completed with exactly
its own messages; then the process's peak RSS, its RSS after ``reset()`` (and after one more
round, which must reuse that memory rather than grow it), and the core's cost per request at the
start and at the end of a long session (it must not grow). The clients share the process (and
its GIL) with the server, so the figures are the SDK's cost as much as the fake's.

    python bench/soak.py [--runs 1000] [--session 20000]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import resource
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the drivers live with the tests

from harness import AssistantsAPI, FakeServer, ServerConfig
from harness.core import ApiRequest
from tests.soak import drivers

warnings.simplefilter("ignore", DeprecationWarning)
HEADERS = {"authorization": "Bearer sk-test", "openai-beta": "assistants=v2"}


def rss_mb() -> float:
    """The current resident set size (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def concurrent(server: FakeServer, runs: int, *, stream: bool) -> None:
    api = server.api
    api.reset()
    async with drivers.client(server.base_url) as client:
        started = time.perf_counter()
        outcomes = await drivers.many(client, runs, stream=stream)
        wall = time.perf_counter() - started
    requests = len(api.state.journal.requests)
    problems = drivers.problems(outcomes) + drivers.stored_problems(api, outcomes)
    print(
        f"{runs} concurrent {'streamed' if stream else 'polled'} runs: {wall:.2f} s, "
        f"{requests} requests, {requests / wall:.0f} requests/s, "
        f"{sum(o.status == 'completed' for o in outcomes)} completed, "
        f"{len(problems)} problems{': ' + problems[0] if problems else ''}"
    )


def session_cost(total_runs: int) -> None:
    """The core alone (no SDK, no sockets): µs per request over the first and last tenth of a
    session of ``total_runs`` polled runs, each one thread, one run, two polls, one list."""
    api = AssistantsAPI(ServerConfig(poll_after_ms=0))
    body = json.dumps({"model": "gpt-4o"}).encode()
    assistant = api.handle(ApiRequest("POST", "/assistants", headers=HEADERS, body=body)).body

    def one(number: int) -> None:
        create = {
            "assistant_id": assistant["id"],
            "thread": {"messages": [{"role": "user", "content": f"question {number}"}]},
        }
        run = api.handle(
            ApiRequest("POST", "/threads/runs", headers=HEADERS, body=json.dumps(create).encode())
        ).body
        path = f"/threads/{run['thread_id']}/runs/{run['id']}"
        for _ in range(2):
            api.handle(ApiRequest("GET", path, headers=HEADERS))
        api.handle(ApiRequest("GET", f"/threads/{run['thread_id']}/messages", headers=HEADERS))

    tenth = max(1, total_runs // 10)
    costs = []
    for part in range(10):
        started = time.perf_counter()
        for number in range(part * tenth, (part + 1) * tenth):
            one(number)
        costs.append((time.perf_counter() - started) / (tenth * 4) * 1e6)
    print(
        f"core cost per request over a {total_runs * 4}-request session: "
        f"{costs[0]:.0f} µs in the first tenth, {costs[-1]:.0f} µs in the last"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--session", type=int, default=20000, help="runs in the session test")
    args = parser.parse_args()
    print(f"RSS at start: {rss_mb():.0f} MB")
    with FakeServer(AssistantsAPI(ServerConfig(poll_after_ms=0))) as server:
        asyncio.run(concurrent(server, args.runs, stream=False))
        asyncio.run(concurrent(server, args.runs, stream=True))
        print(f"peak RSS: {peak_rss_mb():.0f} MB (now {rss_mb():.0f} MB)")
        server.api.reset()
        gc.collect()
        kept = server.api.state.store.counts()
        print(f"RSS after reset(): {rss_mb():.0f} MB; objects kept: {kept}")
        # CPython keeps freed memory for reuse: another round after the reset must not grow it.
        asyncio.run(concurrent(server, args.runs, stream=False))
        print(f"RSS after reset() and another round: {rss_mb():.0f} MB (peak {peak_rss_mb():.0f})")
    session_cost(args.session)


if __name__ == "__main__":
    main()
