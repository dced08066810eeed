"""Where the real recordings are: ``tests/data/recordings``, kept in the repository (see SOURCES.md)."""

from __future__ import annotations

from pathlib import Path

RECORDINGS = Path(__file__).resolve().parent / "data" / "recordings"


def recording_files() -> list[Path]:
    """Every recorded session, sorted."""
    files = sorted(p for p in RECORDINGS.rglob("*") if p.is_file() and p.suffix != ".md")
    assert files, f"no recordings under {RECORDINGS}"
    return files
