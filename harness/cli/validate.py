"""``harness validate PATH...``: check scenario files; list every error and exit 1."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.scenario import BUILTIN_PREFIX, scenario_errors
from harness.scenario.loader import load_scenario

__all__ = ["register", "validate_paths"]


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "validate", help="validate scenario files or cassettes", description=__doc__
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files, folders or builtin:NAME")
    parser.set_defaults(run=lambda args: validate_paths(args.paths))


def _expand(paths: list[str]) -> list[str]:
    result: list[str] = []
    for text in paths:
        path = Path(text)
        if path.is_dir():
            result += sorted(str(p) for p in path.rglob("*.y*ml"))
        else:
            result.append(text)
    return result


def validate_paths(paths: list[str]) -> int:
    """Print every problem of every file; 0 when all are valid, 1 otherwise."""
    failures = 0
    for text in _expand(paths):
        problems = _problems(text)
        if problems:
            failures += 1
            for problem in problems:
                print(problem, file=sys.stderr)
        else:
            print(f"{text}: ok")
    return 1 if failures else 0


def _problems(text: str) -> list[str]:
    if text.startswith(BUILTIN_PREFIX):
        try:
            load_scenario(text)
        except HarnessError as error:
            return [str(error)]
        return []
    try:
        content = Path(text).read_text("utf-8")
    except OSError as error:
        return [f"{text}: cannot read: {error.strerror}"]
    except UnicodeDecodeError:
        return [f"{text}: not UTF-8 text"]
    return [str(error) for error in scenario_errors(content, source=text)]
