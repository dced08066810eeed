"""``harness import FILE -o CASSETTE``: turn a recording of any known format into a cassette.

Reads vcrpy YAML/JSON, Ruby VCR, the .NET System.ClientModel test-proxy and HAR; writes vcrpy's
format with bodies decoded and secrets scrubbed, atomically.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from harness.cassettes import import_file, save_cassette

__all__ = ["register"]


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "import", help="import a recording into a vcrpy cassette", description=__doc__
    )
    parser.add_argument("source", type=Path, help="the recording")
    parser.add_argument("-o", "--output", required=True, type=Path, help="cassette to write")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    cassette = import_file(args.source)
    save_cassette(cassette, args.output)
    print(f"{args.output}: {len(cassette)} interactions imported from {args.source}")
    return 0
