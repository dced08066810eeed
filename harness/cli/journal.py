"""``harness journal``: what a running server saw: contract violations, run timelines, requests.

The twin of ``GET /__harness/journal``; prints its JSON. Exits 1 when the client broke its side
of the contract (any violation), so a script can fail on it.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from harness.cli._control import add_base_url_option, call

__all__ = ["register"]


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "journal", help="print a running server's journal", description=__doc__
    )
    add_base_url_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    journal = call(args.base_url, "GET", "journal")
    print(json.dumps(journal, indent=2))
    return 1 if journal.get("violations") else 0
