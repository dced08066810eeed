"""Per-test cost of the pytest plugin: the reset, the clients, and whole generated suites.

The reset (``api.load_scenario``) and client construction are what every test pays on top of
its own requests. Generated suites then measure it end to end, in a pytest subprocess: the
marginal cost of the fixtures (the slope between 200 and 1000 tests that request
``harness_client`` and make no request, against the same tests without fixtures), and 200
lifecycle tests (the ``terminal`` built-ins and a slow run, 20 times each), serially and with
``-n 2``, next to pytest's floor.

    python bench/plugin.py [--n 2000] [--skip-suites]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import openai

from harness import AssistantsAPI, ServerConfig
from harness._plugin.servers import async_client, plain_tls, sync_client
from harness.pytest_plugin import TERMINAL_LIFECYCLES
from harness.scenario import load_scenario

warnings.simplefilter("ignore", DeprecationWarning)

CASES = 20
NAMES = [*TERMINAL_LIFECYCLES, "slow-in-progress"]

HARNESS_SUITE = """
import pytest

POLL_STOP = {"requires_action", "completed", "failed", "cancelled", "expired", "incomplete"}


@pytest.mark.harness_lifecycles(NAMES)
@pytest.mark.parametrize("n", range(CASES))
def test_lifecycle(harness_client, n):
    client = harness_client
    tool = {"type": "function", "function": {"name": "lookup"}}
    assistant = client.beta.assistants.create(model="gpt-4o", tools=[tool])
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    assert run.status in POLL_STOP
"""

FIXTURES_SUITE = """
import pytest


@pytest.mark.harness_lifecycles(NAMES, allow_unused=True)
@pytest.mark.parametrize("n", range(CASES))
def test_lifecycle(harness_client, n):
    pass
"""

FLOOR_SUITE = """
import pytest


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("n", range(CASES))
def test_lifecycle(name, n):
    pass
"""


def per_call(function: Callable[[], object], n: int) -> float:
    """Mean microseconds per call of ``function`` over ``n`` calls."""
    started = time.perf_counter()
    for _ in range(n):
        function()
    return (time.perf_counter() - started) / n * 1e6


def micro(n: int) -> None:
    api = AssistantsAPI(ServerConfig())
    completed = load_scenario("builtin:completed")
    two_rounds = load_scenario("builtin:two-tool-rounds")
    url = "http://127.0.0.1:9/v1"
    tls = plain_tls()
    slow_n = max(10, n // 40)

    def parse() -> object:
        return load_scenario("builtin:completed")

    def sdk_default() -> None:
        openai.OpenAI(base_url=url, api_key="sk").close()

    rows: list[tuple[str, Callable[[], object], int]] = [
        ("api.load_scenario(None)", lambda: api.load_scenario(None), n),
        ("api.load_scenario(builtin:completed)", lambda: api.load_scenario(completed), n),
        ("api.load_scenario(builtin:two-tool-rounds)", lambda: api.load_scenario(two_rounds), n),
        ("parse builtin:completed (once per session)", parse, slow_n),
        ("harness_client: OpenAI(...) + close()", lambda: sync_client(url, tls).close(), n),
        ("harness_async_client: AsyncOpenAI(...)", lambda: async_client(url, tls), n),
        ("SDK default: OpenAI(base_url=, api_key=) + close()", sdk_default, slow_n),
    ]
    print("per-test costs")
    for label, function, count in rows:
        print(f"  {label:<52} {per_call(function, count):>9.1f} µs  (n={count})")


def run_suite(directory: Path, *args: str) -> float:
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-o",
        "asyncio_default_fixture_loop_scope=function",
        *args,
        str(directory),
    ]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=directory, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout[-3000:]}{done.stderr}")
    return elapsed


def suite(root: Path, label: str, source: str, cases: int, *args: str) -> float:
    """Wall time of one generated suite of ``len(NAMES) * cases`` tests."""
    directory = Path(root, f"{label}-{cases}")
    directory.mkdir(exist_ok=True)
    (directory / "pytest.ini").write_text("[pytest]\n")
    body = source.replace("NAMES", repr(NAMES)).replace("CASES", str(cases))
    (directory / "test_suite.py").write_text(body)
    return run_suite(directory, *args)


def suites() -> None:
    small, large = len(NAMES) * CASES, len(NAMES) * CASES * 5
    print(
        "\ngenerated suites: wall time of `python -m pytest -q` in a subprocess,"
        f" {os.cpu_count()} CPUs"
    )
    with tempfile.TemporaryDirectory() as root:
        print(f"  marginal cost per test (slope between {small} and {large} tests):")
        slopes = {}
        for label, source in (("floor", FLOOR_SUITE), ("fixtures", FIXTURES_SUITE)):
            few = suite(Path(root), label, source, CASES)
            many = suite(Path(root), label, source, CASES * 5)
            slopes[label] = (many - few) / (large - small) * 1000
            print(
                f"    {label:<9} {small} tests {few:5.2f} s, {large} tests {many:5.2f} s:"
                f" {slopes[label]:.2f} ms per test"
            )
        print(
            "    harness_client + harness_server fixtures, no request:"
            f" {slopes['fixtures'] - slopes['floor']:+.2f} ms per test over pytest's own"
        )
        print(f"  {small} lifecycle tests (create_and_poll over the terminal built-ins + slow):")
        for mode, args in (("serial", ()), ("-n 2", ("-n", "2"))):
            cells = []
            for extra in ((), ("--harness-poll-after-ms=0",)):
                elapsed = suite(Path(root), "lifecycles", HARNESS_SUITE, CASES, *extra, *args)
                cells.append(f"poll-after {'0' if extra else '5'} ms {elapsed:5.2f} s")
            floor = suite(Path(root), "floor", FLOOR_SUITE, CASES, *args)
            print(f"    {mode:<7} " + ", ".join(cells) + f"; floor {floor:5.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="iterations of the micro timings")
    parser.add_argument("--skip-suites", action="store_true", help="only the micro timings")
    options = parser.parse_args()
    micro(options.n)
    if not options.skip_suites:
        suites()


if __name__ == "__main__":
    main()
