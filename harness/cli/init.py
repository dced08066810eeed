"""``harness init [DIR]``: start a project that tests an Assistants client with harness.

Writes ``specs/`` (a starter scenario and the scenario JSON Schema its ``$schema`` comment points
at, so editors complete and check it offline), ``tests/`` (a small client and tests using the
pytest plugin) and a short README. Existing files are never overwritten.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

__all__ = ["register"]


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "init", help="scaffold a project: scenarios, their schema, a test", description=__doc__
    )
    parser.add_argument(
        "directory", nargs="?", default=Path(), type=Path, help="where (default: here)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from harness.scaffold import scaffold

    for path in scaffold(args.directory):
        print(f"  wrote {path}")
    where = "" if args.directory == Path() else f"cd {args.directory} && "
    print(f"next: {where}pytest   (needs pytest: pip install pytest)")
    return 0
