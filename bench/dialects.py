"""Cost of a dialect request: AppBuilder's and Azure's wire vs. the core's own, in process.

Each round creates a thread with a message and runs it to completion (AppBuilder: one
``runs.run`` answering the finished run, which polls the core inside; Azure/OpenAI: create and
poll). Rounds accumulate in one server, so the first and last tenths show whether a request
costs more as the session grows.

    python bench/dialects.py [--rounds 300]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable

from harness import AssistantsAPI, ServerConfig
from harness.core import ApiRequest, ApiResponse
from harness.dialects.appbuilder import AppBuilderDialect
from harness.dialects.azure import AzureDialect

AUTH = {"authorization": "Bearer t", "openai-beta": "assistants=v2", "api-key": "k"}


def _json(response: ApiResponse) -> dict[str, object]:
    assert 200 <= response.status < 300, response.body
    assert isinstance(response.body, dict)
    return response.body


def appbuilder_round(dialect: AppBuilderDialect, assistant_id: str) -> int:
    def post(path: str, body: dict[str, object]) -> dict[str, object]:
        return _json(dialect.handle(ApiRequest("POST", path, (), AUTH, json.dumps(body).encode())))

    thread = post("/v2/threads", {"messages": [{"content": "hi", "role": "user"}]})
    run = post("/v2/threads/runs", {"thread_id": thread["id"], "assistant_id": assistant_id})
    assert run["status"] == "completed"
    return 2


def openai_round(
    handle: Callable[[str, str, dict[str, object] | None], ApiResponse], assistant_id: str
) -> int:
    thread = _json(handle("POST", "/threads", {"messages": [{"role": "user", "content": "hi"}]}))
    run = _json(handle("POST", f"/threads/{thread['id']}/runs", {"assistant_id": assistant_id}))
    requests = 2
    while run["status"] != "completed":
        run = _json(handle("GET", f"/threads/{thread['id']}/runs/{run['id']}", None))
        requests += 1
    return requests


def measure(name: str, round_: Callable[[], int], rounds: int) -> None:
    times: list[float] = []
    requests = 0
    for _ in range(rounds):
        started = time.perf_counter()
        count = round_()
        times.append((time.perf_counter() - started) / count)
        requests += count
    tenth = max(1, rounds // 10)
    first, last = statistics.median(times[:tenth]), statistics.median(times[-tenth:])
    print(
        f"{name:<11} {requests:>6} wire requests  median {statistics.median(times) * 1e6:7.0f} µs"
        f"/request  first tenth {first * 1e6:6.0f} µs  last tenth {last * 1e6:6.0f} µs"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=300)
    rounds = parser.parse_args().rounds

    api = AssistantsAPI(ServerConfig())
    appbuilder = AppBuilderDialect(api)
    created = appbuilder.handle(ApiRequest("POST", "/v2/assistants", (), AUTH, b'{"name": "b"}'))
    measure("appbuilder", lambda: appbuilder_round(appbuilder, str(_json(created)["id"])), rounds)

    def core(method: str, path: str, body: dict[str, object] | None) -> ApiResponse:
        data = json.dumps(body).encode() if body is not None else b""
        return api.handle(ApiRequest(method, path, (), AUTH, data))

    assistant = _json(core("POST", "/assistants", {"model": "gpt-4o", "instructions": "x"}))
    measure("openai /v1", lambda: openai_round(core, str(assistant["id"])), rounds)

    azure = AzureDialect(api)
    version = (("api-version", "2024-05-01-preview"),)

    def via_azure(method: str, path: str, body: dict[str, object] | None) -> ApiResponse:
        data = json.dumps(body).encode() if body is not None else b""
        return azure.handle(ApiRequest(method, "/openai" + path, version, AUTH, data))

    measure("azure", lambda: openai_round(via_azure, str(assistant["id"])), rounds)


if __name__ == "__main__":
    main()
