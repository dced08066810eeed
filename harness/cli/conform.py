"""``harness conform --base-url URL``: run the conformance battery against any Assistants server.

Prints one line per check, then the score and a table by area; writes JUnit XML and Markdown
reports on request. Exits 1 when the score is below ``--min-score`` (default 100).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from harness.conformance import AREAS, CHECKS, CheckResult, run_conformance
from harness.conformance._appbuilder import APPBUILDER_CHECKS
from harness.conformance._wire import AZURE
from harness.errors import ConfigError

__all__ = ["main", "register", "run"]


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "conform",
        help="score an Assistants-compatible server with the conformance battery",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    parser.set_defaults(run=run)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--base-url",
        required=True,
        help="the API root: http://host/v1 (openai), the endpoint (azure), GATEWAY_URL "
        "(appbuilder)",
    )
    parser.add_argument(
        "--dialect",
        choices=("openai", "azure", "appbuilder"),
        default="openai",
        help="the wire to test (default openai)",
    )
    parser.add_argument(
        "--api-key",
        default=None,
        help="bearer key (default: $OPENAI_API_KEY, else a dummy key)",
    )
    parser.add_argument("--junit", default=None, metavar="FILE", help="write JUnit XML here")
    parser.add_argument("--markdown", default=None, metavar="FILE", help="write Markdown here")
    parser.add_argument(
        "--html", default=None, metavar="FILE", help="write a self-contained HTML page here"
    )
    parser.add_argument(
        "--min-score",
        type=float,
        default=100.0,
        metavar="PERCENT",
        help="exit 1 below this score (default 100)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        metavar="S",
        help="seconds each request may take (default 10)",
    )
    parser.add_argument(
        "--max-wait",
        type=float,
        default=60.0,
        metavar="S",
        help="seconds to wait for a run to change status (default 60)",
    )
    parser.add_argument("--model", default="gpt-4o", help="model of the assistants created")
    parser.add_argument(
        "--area",
        action="append",
        choices=sorted({*AREAS, *(spec.area for spec in APPBUILDER_CHECKS)}),
        default=None,
        help="run only the checks of this area (repeatable)",
    )
    parser.add_argument(
        "--quiet", action="store_true", help="no line per check; only failures and the score"
    )


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Run the battery as ``args`` say; returns the exit status."""
    stream = out or sys.stdout
    if not 0 <= args.min_score <= 100:
        raise ConfigError(f"--min-score {args.min_score:g} is not a percentage in 0..100")
    battery = APPBUILDER_CHECKS if args.dialect == "appbuilder" else CHECKS
    skipped = AZURE.skipped if args.dialect == "azure" else frozenset()
    total = sum(
        1
        for spec in battery
        if (args.area is None or spec.area in args.area) and spec.id not in skipped
    )
    done = 0

    def progress(result: CheckResult) -> None:
        nonlocal done
        done += 1
        if not args.quiet or not result.passed:
            print(f"[{done:>3}/{total}] {result.line()}", file=stream, flush=True)

    api_key = args.api_key or os.environ.get("OPENAI_API_KEY") or "sk-harness-conformance"
    report = run_conformance(
        args.base_url,
        api_key=api_key,
        progress=progress,
        timeout=args.timeout,
        max_wait=args.max_wait,
        model=args.model,
        areas=args.area,
        dialect=args.dialect,
    )
    print("", file=stream)
    print(report.summary(), file=stream)
    if args.junit:
        report.to_junit(args.junit)
        print(f"JUnit XML written to {args.junit}", file=stream)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as handle:
            handle.write(report.to_markdown())
        print(f"Markdown report written to {args.markdown}", file=stream)
    if args.html:
        report.to_html(args.html)
        print(f"HTML report written to {args.html}", file=stream)
    if report.score < args.min_score:
        print(
            f"harness conform: score {report.score:.1f} % is below --min-score "
            f"{args.min_score:g} %",
            file=stream,
        )
        return 1
    return 0


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """``harness conform`` on its own (before it is listed in ``harness.cli``)."""
    parser = argparse.ArgumentParser(prog="harness conform", description=__doc__)
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return run(args, out)
    except ConfigError as error:
        print(f"harness conform: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
