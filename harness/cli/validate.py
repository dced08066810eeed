"""``harness validate PATH...``: check scenarios and cassettes; list every error, exit 1 on any.

A cassette is checked against the JSON Schemas and the run lifecycle (drift is a warning).
"""

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


_SUFFIXES = (".yaml", ".yml", ".json", ".har")


def _expand(paths: list[str]) -> list[str]:
    result: list[str] = []
    for text in paths:
        path = Path(text)
        if path.is_dir():
            result += sorted(str(p) for p in path.rglob("*") if p.suffix in _SUFFIXES)
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
    if _looks_like_cassette(content):
        return _cassette_problems(Path(text))
    return [str(error) for error in scenario_errors(content, source=text)]


def _looks_like_cassette(content: str) -> bool:
    head = content[:4000]
    markers = ("interactions:", '"interactions"', '"Entries"', '"log"')
    return any(marker in head for marker in markers)


def _cassette_problems(path: Path) -> list[str]:
    """Errors only: warnings (drift) are printed but do not fail the check."""
    from harness.cassettes import import_file
    from harness.cassettes.checks import cassette_problems

    try:
        problems = cassette_problems(import_file(path))
    except HarnessError as error:
        return [str(error)]
    for problem in problems:
        if problem.severity == "warning":
            print(f"{path}: {problem}", file=sys.stderr)
    return [f"{path}: {problem}" for problem in problems if problem.severity == "error"]
