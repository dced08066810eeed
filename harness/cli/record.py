"""``harness record``: a recording reverse proxy for clients in any language.

Point the client's base URL at the printed address; every exchange is forwarded to the upstream
(and only there), streamed back as it arrives, scrubbed and appended to the cassette atomically.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from harness.cassettes import recording_proxy_app
from harness.cli._serving import serve_until_interrupted

__all__ = ["register"]


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "record", help="record a cassette through a reverse proxy", description=__doc__
    )
    parser.add_argument(
        "--upstream", required=True, help="server to forward to, e.g. http://127.0.0.1:8080"
    )
    parser.add_argument("--cassette", required=True, type=Path, help="cassette file to write")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    app = recording_proxy_app(args.upstream, args.cassette)
    serve_until_interrupted(
        app,
        args.host,
        args.port,
        lambda url: f"harness: recording {url}/v1 → {args.upstream} into {args.cassette}",
    )
    return 0
