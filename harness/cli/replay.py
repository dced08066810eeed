"""``harness replay CASSETTE``: serve a cassette over HTTP, polling-aware.

Repeated identical requests advance through the recorded answers, then keep the last one; a
request that matches nothing gets a 404 naming the nearest recorded requests.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from harness.cassettes import import_file, replay_app
from harness.cli._serving import serve_until_interrupted

__all__ = ["register"]


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "replay", help="serve a recorded cassette over HTTP", description=__doc__
    )
    parser.add_argument(
        "cassette", type=Path, help="cassette (vcrpy, Ruby VCR, .NET test-proxy, HAR)"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    cassette = import_file(args.cassette)
    serve_until_interrupted(
        replay_app(cassette),
        args.host,
        args.port,
        lambda url: (
            f"harness: replaying {args.cassette} ({len(cassette)} interactions) at {url}/v1"
        ),
    )
    return 0
