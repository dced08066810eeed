"""Where the real recordings are: ``shared/recordings`` beside the checkout, as CI lays it out."""

from __future__ import annotations

import os
from pathlib import Path

RECORDINGS = Path(
    os.environ.get(
        "HARNESS_RECORDINGS", Path(__file__).resolve().parents[2] / "shared" / "recordings"
    )
)


def recording_files() -> list[Path]:
    """Every recorded session (not the README), sorted."""
    files = sorted(p for p in RECORDINGS.rglob("*") if p.is_file() and p.suffix != ".md")
    assert files, f"no recordings under {RECORDINGS}; set HARNESS_RECORDINGS"
    return files
