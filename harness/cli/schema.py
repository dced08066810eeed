"""``harness schema NAME``: print one of the JSON Schemas, or write them where editors find them.

``NAME`` is a kind (``run``, ``message``, ``scenario``…) or a shipped file (``shared.defs.json``,
which the object schemas reference). ``--write DIR`` writes the named schema (all of them without
a name) and every file it references into ``DIR``, so that relative ``$ref``s resolve offline.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

__all__ = ["register"]


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "schema", help="print a JSON Schema shipped with harness", description=__doc__
    )
    parser.add_argument(
        "name", nargs="?", help="schema kind or file, e.g. run, scenario, shared.defs.json"
    )
    parser.add_argument("--list", action="store_true", help="list the schema names")
    parser.add_argument(
        "--write", type=Path, metavar="DIR", help="write the schema(s) and what they reference"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from harness.schemas import _registry, files

    if args.write is not None:
        names = [args.name] if args.name else _registry.file_names()
        for path in files.write_files(args.write, names):
            print(path)
        return 0
    if args.list or not args.name:
        kinds = _registry.kinds()
        pieces = [name for name in _registry.file_names() if not name.endswith(_registry.SUFFIX)]
        print("\n".join([*kinds, *pieces]))
        return 0
    sys.stdout.write(files.file_text(args.name))
    return 0
