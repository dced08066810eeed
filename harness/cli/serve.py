"""``harness serve``: run the fake server until interrupted."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

from harness.cli._dialect_options import add_dialect_options, dialect_banner
from harness.cli._serving import serve_until_interrupted
from harness.core import AssistantsAPI, ServerConfig
from harness.dialects import make_dialect
from harness.scenario import load_scenario
from harness.server.app import create_app
from harness.server.tls import ThrowawayTLS

__all__ = ["config_from_args", "register"]


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "serve", help="serve the fake Assistants API on loopback", description=__doc__
    )
    add_server_options(parser)
    add_dialect_options(parser)
    parser.set_defaults(run=run)


def add_server_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default 0: any free port)")
    parser.add_argument("--seed", type=int, default=0, help="seed of generated ids (default 0)")
    parser.add_argument(
        "--poll-after-ms", type=int, default=5, help="openai-poll-after-ms sent on run retrievals"
    )
    parser.add_argument(
        "--clock-tick-ms",
        type=int,
        default=1000,
        help="virtual ms each retrieval of a run adds to that run's time (default 1000)",
    )
    parser.add_argument("--api-key", default=None, help="accept only this API key")
    parser.add_argument(
        "--permissive",
        action="store_true",
        help="answer any well-formed request for any id (objects materialise on first use)",
    )
    parser.add_argument(
        "--profile",
        choices=("default", "sunset"),
        default="default",
        help="sunset: answer 404 on every Assistants path, as the API has since 2026-08-26",
    )
    parser.add_argument(
        "--scenario", default=None, metavar="PATH_OR_BUILTIN", help="scenario to play"
    )
    parser.add_argument(
        "--clock-start", type=int, default=None, help="virtual clock start (Unix seconds)"
    )


def config_from_args(args: argparse.Namespace, **overrides: Any) -> ServerConfig:
    if args.clock_start is not None:
        overrides["clock_start"] = args.clock_start
    return ServerConfig(
        poll_after_ms=args.poll_after_ms,
        seed=args.seed,
        clock_tick_ms=args.clock_tick_ms,
        api_key=args.api_key,
        permissive=args.permissive,
        profile=args.profile,
        **overrides,
    )


def run(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario) if args.scenario else None
    api = AssistantsAPI(config_from_args(args), scenario)
    played = f" playing {scenario.name}" if scenario else ""
    with tempfile.TemporaryDirectory(prefix="harness-tls-") as directory:
        tls = ThrowawayTLS.create(Path(directory)) if args.tls else None
        serve_until_interrupted(
            create_app(api, dialect=make_dialect(args.dialect, api)),
            args.host,
            args.port,
            lambda url: dialect_banner(args.dialect, url, tls) + played,
            ssl_context=tls.server_context if tls else None,
        )
    return 0
