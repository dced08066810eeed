"""The schemas as files: name any shipped file, and put them where editors find them offline.

Editors (the YAML language server behind VS Code, JetBrains, Neovim…) read a scenario's
``# yaml-language-server: $schema=PATH`` comment and resolve ``PATH`` relative to the scenario
file, and a schema's own ``$ref: shared.defs.json#…`` relative to the schema file. So the schemas
are written as plain files into the user's project (``specs/``), byte-for-byte as shipped, and the
comment is a relative path: it works offline and never depends on this package's install path.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from harness.errors import ConfigError
from harness.schemas import _registry

__all__ = [
    "SCENARIO_FILE",
    "editor_comment",
    "file_name",
    "file_text",
    "find_scenario_schema",
    "referenced_files",
    "write_files",
]

SCENARIO_FILE = "scenario.schema.json"
# Folders that end the search for a project's own copy of the scenario schema.
_PROJECT_MARKERS = (".git", "pyproject.toml", "setup.cfg", "package.json")


def file_name(name: str) -> str:
    """The shipped file named ``name``: a kind (``run``), a file (``shared.defs.json``), a stem."""
    files = _registry.file_names()
    for candidate in (name, name + _registry.SUFFIX, name + ".json"):
        if candidate in files:
            return candidate
    known = ", ".join(files)
    raise ConfigError(f"unknown schema {name!r}; known: {known}")


def file_text(name: str) -> str:
    """The exact text of a shipped schema file (see :func:`file_name` for ``name``)."""
    text = _registry.file_text(file_name(name))
    assert text is not None  # file_name only returns shipped names
    return text


def referenced_files(name: str) -> list[str]:
    """``name``'s file followed by every file it reaches through ``$ref``, transitively."""
    order = [file_name(name)]
    for current in order:
        for target in sorted(_external_refs(json.loads(file_text(current)))):
            if target not in order:
                order.append(file_name(target))
    return order


def write_files(folder: Path, names: Iterable[str]) -> list[Path]:
    """Write each named schema and the files it references into ``folder``; the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name in names:
        for shipped in referenced_files(name):
            path = folder / shipped
            if path not in written:
                path.write_text(file_text(shipped), encoding="utf-8")
                written.append(path)
    return written


def editor_comment(scenario: Path, schema: Path) -> str:
    """The first line that points editors from ``scenario`` at ``schema``, as a relative path."""
    relative = os.path.relpath(schema.resolve(), scenario.resolve().parent)
    return f"# yaml-language-server: $schema={Path(relative).as_posix()}\n"


def find_scenario_schema(scenario: Path) -> Path | None:
    """The project's copy of the scenario schema for the scenario file ``scenario``, if any.

    Looks in the scenario's folder and its ancestors (and their ``specs/``) up to the project's
    root (the first folder with ``.git``, ``pyproject.toml``…).
    """
    for folder in _folders_up_to_project_root(scenario.resolve().parent):
        for candidate in (folder / SCENARIO_FILE, folder / "specs" / SCENARIO_FILE):
            if candidate.is_file():
                return candidate
    return None


def _folders_up_to_project_root(start: Path) -> Iterator[Path]:
    for folder in (start, *start.parents):
        yield folder
        if any((folder / marker).exists() for marker in _PROJECT_MARKERS):
            return


def _external_refs(node: Any) -> Iterator[str]:
    """File parts of every ``$ref`` that leaves the document (``shared.defs.json#/$defs/id``)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and not value.startswith("#"):
                yield value.partition("#")[0].rsplit("/", 1)[-1]
            else:
                yield from _external_refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _external_refs(item)
