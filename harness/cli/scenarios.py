"""``harness scenarios``: list the built-in scenarios with their one-line descriptions."""

from __future__ import annotations

import argparse
from typing import Any

from harness.scenario import BUILTIN_PREFIX, builtin_scenarios

__all__ = ["register"]


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "scenarios", help="list the built-in scenarios", description=__doc__
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    scenarios = builtin_scenarios()
    width = max(len(BUILTIN_PREFIX + s.name) for s in scenarios)
    for scenario in scenarios:
        print(f"{BUILTIN_PREFIX + scenario.name:<{width}}  {scenario.description}")
    return 0
