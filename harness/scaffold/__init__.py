"""A new project's starting files: scenarios with their schema, a test using the plugin, a README.

The files are real files in ``files/`` (``*.tmpl`` names keep this repository's tools from taking
the starter tests for its own); :func:`scaffold` copies them and writes the scenario schema into
``specs/``, where the starter scenario's ``$schema`` comment points.
"""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

from harness.errors import ConfigError
from harness.schemas import files as schema_files

if sys.version_info >= (3, 11):
    from importlib.resources.abc import Traversable
else:
    from importlib.abc import Traversable

__all__ = ["scaffold", "scaffold_paths"]

_TEMPLATE_SUFFIX = ".tmpl"


def _templates() -> list[tuple[Path, Traversable]]:
    """(path in the project, template) for every starting file, sorted."""
    found: list[tuple[Path, Traversable]] = []
    pending: list[tuple[Path, Traversable]] = [(Path(), resources.files(__name__) / "files")]
    while pending:
        relative, folder = pending.pop()
        for entry in folder.iterdir():
            if entry.is_dir():
                pending.append((relative / entry.name, entry))
            elif entry.is_file():
                found.append((relative / entry.name.removesuffix(_TEMPLATE_SUFFIX), entry))
    return sorted(found, key=lambda pair: pair[0])


def scaffold_paths() -> list[Path]:
    """The paths, relative to the project, that :func:`scaffold` writes."""
    schemas = [Path("specs") / name for name in schema_files.referenced_files("scenario")]
    return sorted([*(path for path, _ in _templates()), *schemas])


def scaffold(project: Path) -> list[Path]:
    """Write the starting files into ``project`` (created if needed); the paths written.

    Nothing is written when any of the files exists already: the error names them all.
    """
    existing = [path for path in scaffold_paths() if (project / path).exists()]
    if existing:
        names = ", ".join(str(project / path) for path in existing)
        raise ConfigError(f"would overwrite {names}; remove them or pick another folder")
    written: list[Path] = []
    for relative, template in _templates():
        target = project / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(template.read_bytes())
        written.append(target)
    written += schema_files.write_files(project / "specs", ["scenario"])
    return sorted(written)
