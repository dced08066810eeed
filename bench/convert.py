"""Cost of converting and verifying a recording, per interaction, as recordings grow.

An AppBuilder session is recorded in process (each round: a thread, ``runs.run`` to the tool
call, ``runs.run(tool_output=...)`` to the answer), for a short and a long recording. Each is
converted to a scenario (``harness convert``) and verified (its requests sent again to a replay
and to a fake playing the scenario, over HTTP). The per-interaction figures of the two lengths
show whether the cost grows with the recording.

    python bench/convert.py [--short 20] [--long 200]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from harness import AssistantsAPI, ServerConfig
from harness.cassettes import Cassette, Interaction, Request, Response
from harness.cassettes.convert import convert_cassette
from harness.cassettes.verify import compare_with_recording
from harness.core import ApiRequest
from harness.dialects.appbuilder import AppBuilderDialect
from harness.scenario import parse_scenario

AUTH = {"authorization": "Bearer t"}
TOOL = {
    "type": "function",
    "function": {"name": "get_weather", "description": "w", "parameters": {"type": "object"}},
}


_RUN = """
  - steps:
      - queued
      - in_progress
      - status: requires_action
        tool_calls: [{name: get_weather, arguments: {city: Paris}}]
      - in_progress
      - {status: completed, message: It is 18 degrees.}"""


def record(rounds: int) -> Cassette:
    script = "name: bench\nruns:" + _RUN * rounds
    api = AssistantsAPI(ServerConfig(), parse_scenario(script, source="bench"))
    dialect = AppBuilderDialect(api)
    interactions: list[Interaction] = []

    def post(path: str, body: dict[str, object]) -> dict[str, object]:
        raw = json.dumps(body)
        answer = dialect.handle(ApiRequest("POST", path, (), AUTH, raw.encode()))
        assert answer.status == 200, answer.body
        interactions.append(
            Interaction(
                Request("POST", f"http://gateway{path}", {"Content-Type": "application/json"}, raw),
                Response(200, "OK", {"Content-Type": "application/json"}, json.dumps(answer.body)),
            )
        )
        assert isinstance(answer.body, dict)
        return answer.body

    assistant = post("/v2/assistants", {"name": "w", "instructions": "x", "tools": [TOOL]})
    for _ in range(rounds):
        thread = post("/v2/threads", {"messages": [{"content": "hi", "role": "user"}]})
        ids = {"thread_id": thread["id"], "assistant_id": assistant["id"]}
        run = post("/v2/threads/runs", ids)
        call = run["required_action"]["submit_tool_outputs"]["tool_calls"][0]  # type: ignore[index]
        output = {"tool_call_id": call["id"], "output": "18", "run_id": run["id"]}
        done = post("/v2/threads/runs", {**ids, "tool_output": output})
        assert done["status"] == "completed"
    return Cassette(interactions)


def measure(rounds: int, folder: Path) -> tuple[int, float, float]:
    cassette = record(rounds)
    converted = float("inf")
    for _ in range(3):  # the best of three: conversion is quick and the machine is shared
        started = time.perf_counter()
        text = convert_cassette(cassette, name=f"bench-{rounds}")
        converted = min(converted, time.perf_counter() - started)
    scenario = folder / f"bench-{rounds}.yaml"
    scenario.write_text(text)
    started = time.perf_counter()
    differences = compare_with_recording(cassette, scenario)
    verified = time.perf_counter() - started
    assert differences == [], differences
    return len(cassette), converted, verified


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--short", type=int, default=20, help="rounds of the short recording")
    parser.add_argument("--long", type=int, default=200, help="rounds of the long recording")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        figures = [measure(rounds, Path(folder)) for rounds in (args.short, args.long)]
    print(f"{'interactions':>12} {'convert µs/int':>15} {'verify ms/int':>14}")
    for count, converted, verified in figures:
        print(f"{count:>12} {converted / count * 1e6:>15.0f} {verified / count * 1e3:>14.2f}")
    (short_n, short_c, short_v), (long_n, long_c, long_v) = figures
    print(
        f"long/short per interaction: convert {long_c / long_n / (short_c / short_n):.2f}x, "
        f"verify {long_v / long_n / (short_v / short_n):.2f}x"
    )


if __name__ == "__main__":
    main()
