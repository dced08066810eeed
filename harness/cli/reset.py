"""``harness reset``: forget every object and journal entry of a running server.

The twin of ``POST /__harness/reset``: the scenario plays again from its start, the clock goes
back to its start; use it between two test cases of a suite in any language.
"""

from __future__ import annotations

import argparse
from typing import Any

from harness.cli._control import add_base_url_option, call

__all__ = ["register"]


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "reset", help="reset a running server", description=__doc__
    )
    add_base_url_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    call(args.base_url, "POST", "reset")
    print("reset")
    return 0
