"""Loading of the schema files shipped in this package, and their compiled validators."""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

__all__ = ["BASE_URI", "SUFFIX", "file_names", "file_text", "kinds", "load", "validator"]

BASE_URI = "https://harness.invalid/schemas/"
SUFFIX = ".schema.json"


@functools.lru_cache(maxsize=1)
def _texts() -> tuple[tuple[str, str], ...]:
    """(file name, text) of every ``*.json`` file of the package, sorted by name."""
    folder = resources.files(__package__ or "harness.schemas")
    return tuple(
        sorted(
            (entry.name, entry.read_text("utf-8"))
            for entry in folder.iterdir()
            if entry.is_file() and entry.name.endswith(".json")
        )
    )


def file_names() -> list[str]:
    """Every shipped file: the ``*.schema.json`` kinds and what they share (``*.defs.json``)."""
    return [name for name, _ in _texts()]


def file_text(name: str) -> str | None:
    """The exact text of one shipped file, or None when there is none."""
    return dict(_texts()).get(name)


def kinds() -> list[str]:
    """Sorted kind names: every ``NAME.schema.json`` file, without the suffix."""
    return sorted(name.removesuffix(SUFFIX) for name, _ in _texts() if name.endswith(SUFFIX))


def load(kind: str) -> dict[str, Any] | None:
    """A fresh copy of the schema document of ``kind``, or None when there is none."""
    for name, text in _texts():
        if name == kind + SUFFIX:
            document: dict[str, Any] = json.loads(text)
            return document
    return None


@functools.lru_cache(maxsize=1)
def _registry() -> Registry[Any]:
    """Every shipped file, under its ``$id`` (or BASE_URI + file name); no remote retrieval."""
    pairs = []
    for name, text in _texts():
        contents = json.loads(text)
        uri = (
            contents.get("$id", BASE_URI + name) if isinstance(contents, dict) else BASE_URI + name
        )
        resource = Resource.from_contents(contents, default_specification=DRAFT202012)
        pairs.append((uri, resource))
    registry: Registry[Any] = Registry().with_resources(pairs)
    return registry.crawl()


@functools.cache
def validator(kind: str) -> Draft202012Validator | None:
    """The compiled validator of ``kind`` (format checking off), or None for an unknown kind."""
    document = load(kind)
    if document is None:
        return None
    return Draft202012Validator(document, registry=_registry())
