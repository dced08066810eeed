"""``harness validate PATH...``: check scenarios and cassettes; list every error, exit 1 on any.

A cassette is checked against the JSON Schemas and the run lifecycle (drift is a warning).
What the checker cannot read (requests on no known API surface, unknown objects) is reported
as unchecked; a cassette with nothing checkable fails as ``unchecked``, never passes as ``ok``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

from harness.errors import HarnessError, ScenarioError
from harness.scenario import BUILTIN_PREFIX, scenario_errors
from harness.scenario.loader import load_scenario, read_scenario_file

__all__ = ["register", "validate_paths"]


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "validate", help="validate scenario files or cassettes", description=__doc__
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files, folders or builtin:NAME")
    parser.set_defaults(run=lambda args: validate_paths(args.paths))


_SUFFIXES = (".yaml", ".yml", ".json", ".har")
_SCHEMA_FILES = (".schema.json", ".defs.json")


def _expand(paths: list[str]) -> list[str]:
    result: list[str] = []
    for text in paths:
        path = Path(text)
        if path.is_dir():
            # The JSON Schemas kept beside scenarios for editors are not scenarios.
            result += sorted(
                str(p)
                for p in path.rglob("*")
                if p.suffix in _SUFFIXES and not p.name.endswith(_SCHEMA_FILES)
            )
        else:
            result.append(text)
    return result


def validate_paths(paths: list[str]) -> int:
    """Print every problem of every file; 0 when all are valid, 1 otherwise."""
    failures = 0
    for text in _expand(paths):
        problems, verdict = _problems(text)
        if problems:
            failures += 1
            for problem in problems:
                print(problem, file=sys.stderr)
        else:
            print(f"{text}: {verdict}")
    return 1 if failures else 0


def _problems(text: str) -> tuple[list[str], str]:
    """The errors of one file, and what to print when there are none."""
    if text.startswith(BUILTIN_PREFIX):
        try:
            load_scenario(text)
        except HarnessError as error:
            return [str(error)], ""
        return [], "ok"
    path = Path(text)
    try:
        content = read_scenario_file(path)
    except ScenarioError as error:
        return [str(error)], ""
    if _is_cassette(content, path):
        return _cassette_problems(path)
    return [str(error) for error in scenario_errors(content, source=text)], "ok"


_CASSETTE_KEYS = frozenset({"interactions", "http_interactions", "Entries", "log"})
_SCENARIO_KEYS = frozenset(
    {"name", "description", "assistants", "threads", "runs", "default_run", "faults", "contract"}
)


def _is_cassette(content: str, path: Path) -> bool:
    """Classify by the document's top-level keys, never by what its strings say.

    JSON (``.json``, ``.har``) is parsed whole and given to the importers' own format
    detection; YAML is read as a stream of parse events, which stops at the first top-level key
    that decides (no alias is expanded, and a long cassette is not parsed twice).
    """
    if path.suffix in (".json", ".har"):
        try:
            data = json.loads(content)
        except (ValueError, RecursionError):
            return False  # reported by the scenario loader, with its location
        from harness.cassettes._importers import detect_format

        return detect_format(data) is not None
    depth = 0
    key_next = False
    try:
        for event in yaml.parse(content, Loader=yaml.SafeLoader):
            if depth == 1:
                if key_next and isinstance(event, yaml.ScalarEvent):
                    if event.value in _CASSETTE_KEYS:
                        return True
                    if event.value in _SCENARIO_KEYS:
                        return False
                if not isinstance(event, yaml.CollectionEndEvent):
                    key_next = not key_next  # keys and values alternate in the root mapping
            if isinstance(event, yaml.CollectionStartEvent):
                if depth == 0:
                    if not isinstance(event, yaml.MappingStartEvent):
                        return False
                    key_next = True
                depth += 1
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return False  # a syntax error: the scenario loader says where and what to check
    return False


def _cassette_problems(path: Path) -> tuple[list[str], str]:
    """Errors, or a verdict saying how much was checked. Warnings and unchecked parts are
    printed but do not fail the check; a cassette where nothing could be checked does."""
    from harness.cassettes import import_file
    from harness.cassettes.checks import check_cassette

    try:
        report = check_cassette(import_file(path))
    except HarnessError as error:
        return [str(error)], ""
    for problem in report.problems:
        if problem.severity == "warning":
            print(f"{path}: {problem}", file=sys.stderr)
    errors = [f"{path}: {problem}" for problem in report.problems if problem.severity == "error"]
    if errors:
        return errors, ""
    if report.interactions and not report.checked:
        first = report.unchecked[0]
        return [
            f"{path}: unchecked: none of its {report.interactions} interactions could be "
            f"checked ({first})"
        ], ""
    for part in report.unchecked:
        print(f"{path}: {part}", file=sys.stderr)
    if report.unchecked:
        return [], (
            f"ok ({report.checked} of {report.interactions} interactions checked, "
            f"{len(report.unchecked)} unchecked)"
        )
    return [], "ok"
