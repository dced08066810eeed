"""Per-test cost of ``--harness-coverage`` (and ``--harness-html``).

In process: the core's collection (counting in the engine, stream, faults and journal) per
request, as the difference between a tool-round lifecycle played with and without counting;
and what the plugin adds per test (the coverage as JSON on the report, read back and merged).
Then end to end: the same generated suite (the ``terminal`` built-ins and a slow run, driven with
``create_and_poll``) runs in a pytest subprocess without reporting options, with
``--harness-coverage``, and with ``--harness-html``; the best of ``--repeat`` wall times of
each is compared, per test.

    python bench/coverage.py [--cases 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from harness import AssistantsAPI, ServerConfig
from harness.core import ApiRequest
from harness.core.coverage import Coverage
from harness.scenario import load_scenario

sys.path.insert(0, str(Path(__file__).parent))

from plugin import HARNESS_SUITE, NAMES, run_suite


def _call(api: AssistantsAPI, method: str, path: str, body: Any = None) -> Any:
    raw = json.dumps(body).encode() if body is not None else b""
    headers = {"authorization": "Bearer sk", "openai-beta": "assistants=v2"}
    response = api.handle(ApiRequest(method, path, headers=headers, body=raw))
    return response.body


def _tool_round(api: AssistantsAPI) -> int:
    """One run through a tool round, polled; returns the requests made."""
    api.reset()
    tool = {"type": "function", "function": {"name": "lookup"}}
    assistant = _call(api, "POST", "/assistants", {"model": "gpt-4o", "tools": [tool]})
    thread = _call(api, "POST", "/threads", {"messages": [{"role": "user", "content": "Hi"}]})
    run = _call(api, "POST", f"/threads/{thread['id']}/runs", {"assistant_id": assistant["id"]})
    requests = 3
    while run["status"] not in ("completed", "failed", "expired", "cancelled", "incomplete"):
        if run["status"] == "requires_action":
            calls = run["required_action"]["submit_tool_outputs"]["tool_calls"]
            outputs = [{"tool_call_id": call["id"], "output": "1"} for call in calls]
            path = f"/threads/{thread['id']}/runs/{run['id']}/submit_tool_outputs"
            run = _call(api, "POST", path, {"tool_outputs": outputs})
        else:
            run = _call(api, "GET", f"/threads/{thread['id']}/runs/{run['id']}")
        requests += 1
    return requests


def micro(n: int) -> None:
    api = AssistantsAPI(ServerConfig())
    api.load_scenario(load_scenario("builtin:two-tool-rounds"))
    original = Coverage.hit
    variants = {"counting": original, "not counting": lambda *_: None}
    timings = {label: float("inf") for label in variants}
    for _ in range(5):  # interleaved, best of 5: the machine is shared
        for label, hit in variants.items():
            Coverage.hit = hit  # type: ignore[method-assign]
            _tool_round(api)
            started = time.perf_counter()
            requests = sum(_tool_round(api) for _ in range(n))
            elapsed = (time.perf_counter() - started) / requests * 1e6
            timings[label] = min(timings[label], elapsed)
    Coverage.hit = original  # type: ignore[method-assign]
    print(f"in process, two tool rounds x {n}:")
    for label, micros in timings.items():
        print(f"  {label:<14} {micros:7.1f} µs per request")
    print(f"  collection    {timings['counting'] - timings['not counting']:+7.2f} µs per request")
    _tool_round(api)
    coverage = api.state.journal.coverage
    total = Coverage()
    started = time.perf_counter()
    for _ in range(n):
        text = json.dumps(coverage.as_json())
        total.merge(json.loads(text))
    print(
        f"  per test in the plugin (JSON section, read back, merged): "
        f"{(time.perf_counter() - started) / n * 1e6:.1f} µs ({len(text)} bytes)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20, help="cases per built-in")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each variant")
    parser.add_argument("--n", type=int, default=300, help="lifecycles of the micro timing")
    parser.add_argument("--skip-suites", action="store_true", help="only the in-process part")
    options = parser.parse_args()
    micro(options.n)
    if options.skip_suites:
        return
    tests = len(NAMES) * options.cases
    with tempfile.TemporaryDirectory() as root:
        directory = Path(root)
        (directory / "pytest.ini").write_text("[pytest]\n")
        body = HARNESS_SUITE.replace("NAMES", repr(NAMES)).replace("CASES", str(options.cases))
        (directory / "test_suite.py").write_text(body)
        variants = {
            "no report options": (),
            "--harness-coverage": ("--harness-coverage",),
            "--harness-coverage-json": (f"--harness-coverage-json={root}/coverage.json",),
            "--harness-html": (f"--harness-html={root}/report.html",),
        }
        best = {
            label: min(run_suite(directory, *args) for _ in range(options.repeat))
            for label, args in variants.items()
        }
    base = best["no report options"]
    print(f"{tests} lifecycle tests, best of {options.repeat}:")
    for label, seconds in best.items():
        extra = (seconds - base) / tests * 1000
        print(f"  {label:<26} {seconds:6.2f} s  {extra:+.3f} ms per test")


if __name__ == "__main__":
    main()
