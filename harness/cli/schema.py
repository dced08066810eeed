"""``harness schema NAME``: print one of the JSON Schemas (``--list`` for their names)."""

from __future__ import annotations

import argparse
import json
from typing import Any

__all__ = ["register"]


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "schema", help="print a JSON Schema shipped with harness", description=__doc__
    )
    parser.add_argument("name", nargs="?", help="schema name, e.g. run, message, scenario")
    parser.add_argument("--list", action="store_true", help="list the schema names")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from harness import schemas

    if args.list or not args.name:
        print("\n".join(schemas.names()))
        return 0
    print(json.dumps(schemas.schema(args.name), indent=2))
    return 0
