"""Streaming speed: time to first event, and events per second on a long streamed answer.

The server runs as its own process (``harness serve --scenario``), as it does for a client in
another language, so the client's measurements don't share a GIL with the server.

python bench/streaming.py [--rounds 200] [--chunks 2000]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import httpx2

warnings.simplefilter("ignore", DeprecationWarning)
HEADERS = {"Authorization": "Bearer sk-bench", "OpenAI-Beta": "assistants=v2"}
THREAD = {"messages": [{"role": "user", "content": "Tell me a long story."}]}


def scenario_text(chunks: int) -> str:
    pieces = ", ".join(f'"w{i} "' for i in range(chunks))
    text = "".join(f"w{i} " for i in range(chunks))
    return (
        "name: long-stream\ndefault_run:\n  steps:\n    - queued\n    - in_progress\n"
        f"    - status: completed\n      messages: [{{text: '{text}', chunks: [{pieces}]}}]\n"
    )


def stream_once(
    client: httpx2.Client, base_url: str, thread_id: str, assistant_id: str
) -> tuple[float, float, int]:
    """(seconds to the first event, seconds to the end, events received)."""
    started = time.perf_counter()
    first = 0.0
    events = 0
    with client.stream(
        "POST",
        f"{base_url}/threads/{thread_id}/runs",
        json={"assistant_id": assistant_id, "stream": True},
        headers=HEADERS,
    ) as response:
        if response.status_code != 200:
            raise SystemExit(f"stream refused: {response.status_code} {response.read()!r}")
        for line in response.iter_lines():
            if line.startswith("event: "):
                events += 1
                if events == 1:
                    first = time.perf_counter() - started
    return first, time.perf_counter() - started, events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--chunks", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        scenario = Path(folder) / "long-stream.yaml"
        scenario.write_text(scenario_text(args.chunks))
        server = subprocess.Popen(
            [sys.executable, "-m", "harness", "serve", "--scenario", str(scenario)],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert server.stdout is not None
            base = server.stdout.readline().split()[-3]
            run(base, args.rounds)
        finally:
            server.terminate()
            server.wait(timeout=10)


def run(base: str, rounds: int) -> None:
    with httpx2.Client() as client:
        assistant = client.post(f"{base}/assistants", json={"model": "m"}, headers=HEADERS).json()
        firsts = []
        for _ in range(rounds):
            thread = client.post(f"{base}/threads", json=THREAD, headers=HEADERS).json()
            first, _total, _ = stream_once(client, base, thread["id"], assistant["id"])
            firsts.append(first)
        thread = client.post(f"{base}/threads", json=THREAD, headers=HEADERS).json()
        _first, total, events = stream_once(client, base, thread["id"], assistant["id"])
    print(f"time to first event, median of {rounds}: {statistics.median(firsts) * 1000:.2f} ms")
    print(f"long stream: {events} events in {total * 1000:.1f} ms = {events / total:,.0f} events/s")


if __name__ == "__main__":
    main()
