"""Replay speed: loading a big cassette, replaying it, and lookup cost versus cassette length.

Builds synthetic cassettes shaped like real polled runs (create thread, message, run; 15 polls
of the run; list messages), then times:

* save and load of a 10,000-interaction cassette (YAML) and building the Replayer's index,
* replaying all 10,000 recorded requests in order,
* 1,000 requests against a 100- and a 10,000-interaction cassette; the ratio should stay
  near 1, since a lookup is one dict access whatever the cassette's length.
* the recording proxy recording 10,000 exchanges: the cost of the last 100 against the first
  100 (appending is constant time, so the ratio should stay near 1);
* in-process replay (``use_cassette``, an httpx2 client as openai 3.x uses) per request at 100
  and at 10,000 interactions, and plain vcrpy on the same 2,000-interaction cassette.

python bench/replay.py [--interactions 10000] [--lookups 1000] [--rounds 5] [--exchanges 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx2
from aiohttp import ClientSession, web

from harness.cassettes import (
    Cassette,
    Interaction,
    Replayer,
    Request,
    Response,
    load_cassette,
    recording_proxy_app,
    save_cassette,
    use_cassette,
)
from harness.server.runner import AppServer

API = "https://api.openai.com/v1"
JSON = {"Content-Type": "application/json"}
POLLS = 15
STORY = 3 + POLLS + 1


def _json(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


def _run(run: int, status: str) -> Response:
    body = {"id": f"run_{run:08d}", "object": "thread.run", "status": status, "usage": None}
    return Response(200, "OK", JSON, _json(body))


def synthetic(size: int) -> Cassette:
    """``size`` interactions: runs of 3 creates, 15 polls and a message list (19 each)."""
    interactions: list[Interaction] = []
    run = 0
    while len(interactions) < size:
        thread = f"{API}/threads/thread_{run:08d}"
        story = [
            Interaction(
                Request("POST", f"{API}/threads", JSON, _json({"metadata": {"n": run}})),
                Response(200, "OK", JSON, _json({"id": f"thread_{run:08d}", "object": "thread"})),
            ),
            Interaction(
                Request(
                    "POST", f"{thread}/messages", JSON, _json({"role": "user", "content": "hi"})
                ),
                Response(
                    200, "OK", JSON, _json({"id": f"msg_{run:08d}", "object": "thread.message"})
                ),
            ),
            Interaction(
                Request("POST", f"{thread}/runs", JSON, _json({"assistant_id": "asst_1"})),
                _run(run, "queued"),
            ),
        ]
        for poll in range(POLLS):
            status = "completed" if poll == POLLS - 1 else "in_progress"
            story.append(
                Interaction(Request("GET", f"{thread}/runs/run_{run:08d}"), _run(run, status))
            )
        story.append(
            Interaction(
                Request("GET", f"{thread}/messages?order=asc"),
                Response(200, "OK", JSON, _json({"object": "list", "data": [], "has_more": False})),
            )
        )
        interactions.extend(story)
        run += 1
    return Cassette(interactions[:size])


def best_of(rounds: int, action: Callable[[], object]) -> float:
    """The fastest of ``rounds`` timings of ``action``, in seconds."""
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return min(timings)


def replay_all(cassette: Cassette) -> None:
    replayer = Replayer(cassette)
    for interaction in cassette:
        replayer.respond(interaction.request)


def lookups(cassette: Cassette, count: int) -> Callable[[], None]:
    """``count`` requests spread over the whole cassette, against an already built Replayer.

    Every cassette gets the same mix (each position of a run's story equally often), and every
    request a URI of its own (another port, which matching ignores) so that no parsing cache
    favours the small cassette: only the cassette's length differs between two measurements.
    """
    replayer = Replayer(cassette)
    runs = len(cassette) // STORY
    positions = [((i * runs) // count) * STORY + i % STORY for i in range(count)]
    requests = [
        dataclasses.replace(
            cassette.interactions[position].request,
            uri=cassette.interactions[position].request.uri.replace(
                API, f"http://127.0.0.1:{20_000 + i}/v1"
            ),
        )
        for i, position in enumerate(positions)
    ]

    def run() -> None:
        for request in requests:
            replayer.respond(request)

    return run


# --- the recording proxy ------------------------------------------------------------------


def _upstream() -> web.Application:
    async def answer(request: web.Request) -> web.Response:
        body = await request.read()
        return web.json_response({"object": "thread.run", "status": "in_progress", "n": len(body)})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    return app


async def _record(proxy_url: str, exchanges: int) -> list[float]:
    timings = []
    async with ClientSession() as client:
        for number in range(exchanges):
            started = time.perf_counter()
            async with client.post(
                f"{proxy_url}/v1/threads/thread_1/runs/run_{number}",
                json={"n": number, "note": "x" * 200},
            ) as response:
                await response.read()
            timings.append(time.perf_counter() - started)
    return timings


def proxy_recording(exchanges: int) -> tuple[float, float, float]:
    """(first 100, last 100 median seconds, cassette MB) of recording ``exchanges``."""
    with tempfile.TemporaryDirectory() as folder, AppServer(_upstream()) as upstream:
        path = Path(folder) / "recorded.yaml"
        with AppServer(recording_proxy_app(upstream.url, path)) as proxy:
            timings = asyncio.run(_record(proxy.url, exchanges))
        size = path.stat().st_size / 1e6
        assert len(load_cassette(path)) == exchanges
    # Medians: on a shared machine a few scheduling stalls would swamp a mean of 100.
    return statistics.median(timings[:100]), statistics.median(timings[-100:]), size


# --- in-process replay ---------------------------------------------------------------------


def _inprocess_requests(cassette: Cassette, count: int) -> list[Request]:
    runs = len(cassette) // STORY
    positions = [((i * runs) // count) * STORY + i % STORY for i in range(count)]
    return [cassette.interactions[p].request for p in positions]


def _send_all(requests: list[Request]) -> None:
    with httpx2.Client() as client:
        for request in requests:
            client.request(request.method, request.uri, content=request.content or None)


def inprocess_replay(cassette: Cassette, count: int, rounds: int) -> float:
    """Seconds per request replayed in-process by ``use_cassette`` (``none``)."""
    requests = _inprocess_requests(cassette, count)
    with tempfile.TemporaryDirectory() as folder:
        path = save_cassette(cassette, Path(folder) / "c.yaml")
        with use_cassette(path, record_mode="none"):
            return best_of(rounds, lambda: _send_all(requests)) / count


def vcrpy_replay(cassette: Cassette, count: int) -> float:
    """Seconds per request replayed by plain vcrpy on the same file (its default matching)."""
    import vcr

    requests = _inprocess_requests(cassette, count)
    with tempfile.TemporaryDirectory() as folder:
        path = save_cassette(cassette, Path(folder) / "c.yaml")
        config = vcr.VCR(record_mode="none")
        with config.use_cassette(str(path), allow_playback_repeats=True):
            return best_of(1, lambda: _send_all(requests)) / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, default=10_000)
    parser.add_argument("--lookups", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--exchanges", type=int, default=10_000)
    args = parser.parse_args()
    big = synthetic(args.interactions)

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.yaml"
        save_time = best_of(1, lambda: save_cassette(big, path))
        size_mb = path.stat().st_size / 1e6
        load_time = best_of(min(args.rounds, 2), lambda: load_cassette(path))
        json_path = Path(folder) / "big.json"
        json_save = best_of(1, lambda: save_cassette(big, json_path))
        json_load = best_of(args.rounds, lambda: load_cassette(json_path))
    index_time = best_of(args.rounds, lambda: Replayer(big))
    replay_time = best_of(args.rounds, lambda: replay_all(big))

    small = synthetic(100)
    per_small = best_of(args.rounds, lookups(small, args.lookups)) / args.lookups
    per_big = best_of(args.rounds, lookups(big, args.lookups)) / args.lookups

    n = len(big)
    print(f"cassette: {n} interactions, {size_mb:.1f} MB of YAML")
    print(f"YAML save (scrub + write, atomic): {save_time * 1e3:8.1f} ms")
    print(f"YAML load (parse + decode):        {load_time * 1e3:8.1f} ms  (PyYAML's own pace)")
    print(f"JSON save / load:                  {json_save * 1e3:8.1f} / {json_load * 1e3:.1f} ms")
    print(f"build the replay index:            {index_time * 1e3:8.1f} ms")
    print(f"replay all {n} requests:        {replay_time * 1e3:8.1f} ms  (index included)")
    print(f"  per request:                     {(replay_time - index_time) / n * 1e6:8.1f} µs")
    for size, per in ((len(small), per_small), (n, per_big)):
        print(f"{args.lookups} lookups, {size:>6}-interaction cassette: {per * 1e6:6.1f} µs each")
    print(f"ratio {n} / {len(small)}: {per_big / per_small:.2f} (1.0 = independent of length)")

    first, last, size = proxy_recording(args.exchanges)
    print(f"proxy recording of {args.exchanges} exchanges ({size:.1f} MB):")
    print(f"  first 100: {first * 1e3:6.2f} ms each, last 100: {last * 1e3:6.2f} ms each")
    print(f"  ratio last / first: {last / first:.2f} (goal <= 1.2)")

    mid = synthetic(2_000)
    small_ip = inprocess_replay(small, args.lookups, args.rounds)
    big_ip = inprocess_replay(big, args.lookups, args.rounds)
    mid_ip = inprocess_replay(mid, args.lookups, args.rounds)
    mid_vcr = vcrpy_replay(mid, min(args.lookups, 200))  # vcrpy scans: keep it short
    print("in-process replay (use_cassette, httpx2 client):")
    print(f"  {len(small):>6} interactions: {small_ip * 1e6:7.1f} µs per request")
    print(f"  {n:>6} interactions: {big_ip * 1e6:7.1f} µs per request")
    print(f"  ratio {n} / {len(small)}: {big_ip / small_ip:.2f} (goal <= 1.2)")
    print(
        f"  at 2000: harness {mid_ip * 1e6:.1f} µs, plain vcrpy {mid_vcr * 1e6:.1f} µs per request"
    )
    print(f"  vcrpy / harness: {mid_vcr / mid_ip:.1f}x")


if __name__ == "__main__":
    main()
