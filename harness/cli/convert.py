"""``harness convert CASSETTE -o SCENARIO``: make an editable scenario out of a recording.

With ``--verify``, the recorded requests are sent again to a fake server playing the new scenario
and to a replay of the recording, and the two stories (run statuses, assistant texts, stream
events) must match.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from harness.cassettes import import_file
from harness.cassettes.convert import convert_cassette
from harness.schemas import files

__all__ = ["register"]


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "convert", help="convert a recording into a scenario", description=__doc__
    )
    parser.add_argument("cassette", type=Path, help="the recording (any importable format)")
    parser.add_argument("-o", "--output", required=True, type=Path, help="scenario YAML to write")
    parser.add_argument("--name", default=None, help="scenario name (default: the output's stem)")
    parser.add_argument(
        "--verify", action="store_true", help="check the scenario tells the recording's story"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    cassette = import_file(args.cassette)
    # Editors resolve the schema comment relative to the scenario: point at the project's copy,
    # or put one beside the scenario.
    schema = files.find_scenario_schema(args.output)
    header = files.editor_comment(args.output, schema or args.output.parent / files.SCENARIO_FILE)
    text = convert_cassette(cassette, name=args.name or args.output.stem, header=header)
    _write_atomically(args.output, text)
    if schema is None:
        (written,) = files.write_files(args.output.parent, ["scenario"])
        print(f"{written}: the scenario schema, for editors")
    print(f"{args.output}: scenario written from {args.cassette}")
    if args.verify:
        from harness.cassettes.verify import compare_with_recording

        differences = compare_with_recording(cassette, args.output)
        for line in differences:
            print(line, file=sys.stderr)
        if differences:
            return 1
        print(f"{args.output}: plays the same story as the recording")
    return 0


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
