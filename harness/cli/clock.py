"""``harness clock [advance SECONDS]``: read or move a running server's virtual clock.

The twin of ``GET``/``POST /__harness/clock``: an unanswered tool call expires, a slow
``in_progress`` step ends, without anyone waiting. Prints the virtual time after the change.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from harness.cli._control import add_base_url_option, call

__all__ = ["register"]


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "clock", help="read or advance a running server's virtual clock", description=__doc__
    )
    add_base_url_option(parser)
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    advance = actions.add_parser("advance", help="move the virtual clock forward")
    advance.add_argument("seconds", type=float, help="virtual seconds to move on (>= 0)")
    add_base_url_option(advance, nested=True)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.action == "advance":
        answer = call(args.base_url, "POST", "clock", {"advance_s": args.seconds})
    else:
        answer = call(args.base_url, "GET", "clock")
    print(json.dumps(answer))
    return 0
