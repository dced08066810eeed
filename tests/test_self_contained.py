"""The checkout is enough: no test or CI step reads the shared folder beside it; all data is sourced."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.recordings import RECORDINGS, recording_files

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
# Built from parts so that this file does not match its own patterns.
FORBIDDEN = re.compile(
    "|".join([r"\.\./" + "shared", "shared/" + "recordings", "/work/" + "shared"])
)


def _checked_files() -> list[Path]:
    tests = [p for p in (ROOT / "tests").rglob("*.py") if DATA not in p.parents]
    ci = [p for p in (ROOT / ".ci").iterdir() if p.is_file()]
    return sorted([*tests, *ci, ROOT / "conftest.py", *(ROOT / "examples").rglob("*.py")])


@pytest.mark.parametrize("path", _checked_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_test_or_ci_step_reads_shared(path: Path) -> None:
    hits = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
        if FORBIDDEN.search(line)
    ]
    assert not hits, "reach the recordings through tests/recordings.py:\n" + "\n".join(hits)


def test_recordings_are_in_the_repository() -> None:
    assert RECORDINGS == DATA / "recordings"
    assert {p.parent.name for p in recording_files()} == {"vcrpy", "ruby-vcr", "dotnet-test-proxy"}


def test_every_data_file_names_its_source() -> None:
    sources = (DATA / "SOURCES.md").read_text()
    listed = set(re.findall(r"^\| `([^`]+)` \|", sources, re.MULTILINE))
    on_disk = {str(p.relative_to(RECORDINGS)) for p in recording_files()}
    assert on_disk - listed == set(), "add these to tests/data/SOURCES.md"
    assert listed - on_disk == set(), "SOURCES.md lists files that are not there"
    for row in re.findall(r"^\| `[^`]+` \|.*$", sources, re.MULTILINE):
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert len(cells) == 5, row
        assert re.fullmatch(r"`[0-9a-f]{40}`", cells[3]), f"no full commit: {row}"
        assert cells[1].count("/") == 1, f"no owner/repository: {row}"
        assert cells[4], f"no licence: {row}"
