"""The ``harness`` command: one module per subcommand, each with ``register(subparsers)``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from importlib import import_module

from harness import __version__
from harness.errors import HarnessError

__all__ = ["main"]

_COMMANDS = (
    "serve",
    "demo",
    "scenarios",
    "validate",
    "record",
    "replay",
    "import_",
    "convert",
    "conform",
    "schema",
    "init",
    "clock",
    "journal",
    "reset",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="harness",
        description="Contract testing and record/replay for OpenAI Assistants API clients.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in _COMMANDS:
        import_module(f"harness.cli.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status: int = args.run(args)
    except HarnessError as error:
        print(f"harness {args.command}: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`harness demo | head`): stop quietly, as Unix tools do. Point
        # stdout at nothing so the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    return status
