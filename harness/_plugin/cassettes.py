"""Where a test's cassette lives, as pytest-recording lays them out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

__all__ = ["cassette_path"]


def cassette_path(node: pytest.Item, root: Path, given: str | None) -> Path:
    """``<root>/<module>/<test>.yaml`` (``root`` relative to the test file), or ``given``.

    A relative ``given`` path is taken under ``<root>``; parametrized ids become safe file names.
    """
    base = root if root.is_absolute() else node.path.parent / root
    if given is not None:
        path = Path(given)
        return path if path.is_absolute() else base / path
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", node.name).strip("-")
    return base / node.path.stem / f"{name}.yaml"
