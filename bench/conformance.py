"""Time the conformance battery against our fake server: size, requests and run time.

    python bench/conformance.py [--rounds 5] [--validate]

Each round runs the whole battery against a fresh validating fake server over loopback HTTP
(the first round also pays for imports and schema compilation, so it is reported apart).
"""

from __future__ import annotations

import argparse
import statistics
import time

from harness import AssistantsAPI, FakeServer, ServerConfig
from harness.conformance import CHECKS, run_conformance


def one_round(validate: bool) -> tuple[float, int, float]:
    """(seconds, requests, score) of one battery against a fresh server."""
    config = ServerConfig(validate_responses=validate)
    with FakeServer(AssistantsAPI(config)) as server:
        started = time.perf_counter()
        report = run_conformance(server.base_url)
        return time.perf_counter() - started, report.requests, report.score


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--validate", action="store_true", help="the server validates its own answers too"
    )
    args = parser.parse_args()
    first, requests, score = one_round(args.validate)
    times = [one_round(args.validate)[0] for _ in range(args.rounds)]
    areas = len({spec.area for spec in CHECKS})
    print(f"battery: {len(CHECKS)} checks in {areas} areas, {requests} requests, score {score:g} %")
    print(f"first round (cold): {first * 1000:.0f} ms")
    print(
        f"warm rounds: median {statistics.median(times) * 1000:.0f} ms, "
        f"min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms "
        f"({statistics.median(times) / requests * 1000:.2f} ms per request)"
    )


if __name__ == "__main__":
    main()
