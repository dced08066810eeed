"""Time one 10-request lifecycle through the openai SDK: our fake server vs. a canned-JSON floor.

The flow: create assistant, thread, message, run; poll to requires_action; submit tool outputs;
poll to completed; list messages. The floor is a bare aiohttp app answering the same requests
with precomputed JSON, so the ratio is the price of the fake's real behaviour.

    python bench/lifecycle.py [--rounds 300]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import openai
from aiohttp import web

from harness import AssistantsAPI, FakeServer, ServerConfig
from harness.core import ApiRequest
from harness.scenario import load_scenario
from harness.transport import InProcessTransport

warnings.simplefilter("ignore", DeprecationWarning)

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {
            "type": "object",
            "required": ["city"],
            "properties": {"city": {"type": "string"}, "unit": {"enum": ["c", "f"]}},
        },
    },
}
"""The client's own tool: the built-in's tool round calls it."""


def lifecycle(client: openai.OpenAI) -> int:
    """The measured flow; returns the number of requests made."""
    requests = 0
    assistant = client.beta.assistants.create(model="gpt-4o", tools=[WEATHER])  # type: ignore[list-item]
    thread = client.beta.threads.create()
    client.beta.threads.messages.create(thread.id, role="user", content="Weather in Paris?")
    run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    requests += 4
    while run.status != "requires_action":
        run = client.beta.threads.runs.retrieve(run.id, thread_id=thread.id)
        requests += 1
    assert run.required_action is not None
    call = run.required_action.submit_tool_outputs.tool_calls[0]
    run = client.beta.threads.runs.submit_tool_outputs(
        run.id, thread_id=thread.id, tool_outputs=[{"tool_call_id": call.id, "output": "18"}]
    )
    requests += 1
    while run.status != "completed":
        run = client.beta.threads.runs.retrieve(run.id, thread_id=thread.id)
        requests += 1
    client.beta.threads.messages.list(thread.id)
    return requests + 1


def canned_app() -> web.Application:
    """The floor: the same answers, precomputed, by path shape and call count."""
    api = AssistantsAPI(ServerConfig(), load_scenario("builtin:tool-call-then-completed"))
    headers = {"authorization": "Bearer x", "openai-beta": "assistants=v2"}
    recorded: dict[str, list[bytes]] = {}

    def record(method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = api.handle(
            ApiRequest(method, path, headers=headers, body=json.dumps(body or {}).encode())
        )
        recorded.setdefault(f"{method} {_shape(path)}", []).append(response.encoded_body())
        result: dict[str, Any] = response.body
        return result

    assistant = record("POST", "/assistants", {"model": "gpt-4o", "tools": [WEATHER]})
    thread = record("POST", "/threads")
    record("POST", f"/threads/{thread['id']}/messages", {"role": "user", "content": "x"})
    run = record("POST", f"/threads/{thread['id']}/runs", {"assistant_id": assistant["id"]})
    run_path = f"/threads/{thread['id']}/runs/{run['id']}"
    for _ in range(2):
        run = record("GET", run_path)
    call = run["required_action"]["submit_tool_outputs"]["tool_calls"][0]
    record(
        "POST",
        run_path + "/submit_tool_outputs",
        {"tool_outputs": [{"tool_call_id": call["id"], "output": "18"}]},
    )
    for _ in range(2):
        record("GET", run_path)
    record("GET", f"/threads/{thread['id']}/messages")
    counters: dict[str, int] = {}

    async def handler(request: web.Request) -> web.Response:
        await request.read()
        key = f"{request.method} {_shape(request.path.removeprefix('/v1'))}"
        answers = recorded[key]
        index = counters.get(key, 0)
        counters[key] = (index + 1) % len(answers)
        return web.Response(body=answers[index], content_type="application/json")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    return app


def _shape(path: str) -> str:
    return "/".join(part.split("_")[0] if "_" in part else part for part in path.split("/"))


@contextmanager
def serve_in_thread(app: web.Application) -> Iterator[str]:
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app, access_log=None)
    loop.run_until_complete(runner.setup())
    site = web.TCPSite(runner, "127.0.0.1", 0)
    loop.run_until_complete(site.start())
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.run_until_complete(runner.cleanup())
        loop.close()


def measure(
    base_url: str,
    rounds: int,
    before_each: Callable[[], None],
    http_client: openai.DefaultHttpxClient | None = None,
) -> list[float]:
    client = openai.OpenAI(
        base_url=base_url, api_key="sk-bench", max_retries=0, http_client=http_client
    )
    for _ in range(20):  # warm up connections and code paths
        before_each()
        lifecycle(client)
    timings = []
    for _ in range(rounds):
        before_each()
        started = time.perf_counter()
        count = lifecycle(client)
        timings.append(time.perf_counter() - started)
    assert count == 10, count
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    scenario = load_scenario("builtin:tool-call-then-completed")
    api = AssistantsAPI(ServerConfig(poll_after_ms=0), scenario)
    with FakeServer(api) as server:
        ours = measure(server.base_url, args.rounds, api.reset)
    with serve_in_thread(canned_app()) as floor_url:
        floor = measure(floor_url, args.rounds, lambda: None)
    transport = openai.DefaultHttpxClient(transport=InProcessTransport(api))
    in_process = measure("http://harness.invalid/v1", args.rounds, api.reset, transport)
    ours_ms = statistics.median(ours) * 1000
    floor_ms = statistics.median(floor) * 1000
    in_process_ms = statistics.median(in_process) * 1000
    print(f"10-request lifecycle via openai {openai.__version__}, median of {args.rounds}:")
    print(f"  harness fake server : {ours_ms:7.2f} ms")
    print(f"  canned-JSON floor   : {floor_ms:7.2f} ms")
    print(f"  ratio               : {ours_ms / floor_ms:7.2f}x  (target <= 1.3x)")
    print(f"  in-process transport: {in_process_ms:7.2f} ms  (no sockets: same core, same SDK)")


if __name__ == "__main__":
    main()
