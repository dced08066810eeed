"""JSON Schemas (draft 2020-12) of the Assistants API v2 objects, and a small API to use them.

Each kind is one ``KIND.schema.json`` file shipped in this package (``run``, ``message``,
``stream_event``, …, and ``scenario``); pieces shared between kinds live in ``shared.defs.json``
and are reached through ``$ref``, resolved locally with a :mod:`referencing` registry.
The schemas describe what the real API sent, which is sometimes looser than OpenAI's spec; every
such decision is written down in a ``$comment`` of the schema concerned.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match, relevance

from harness.errors import ConfigError, SchemaValidationError
from harness.schemas import _registry

__all__ = [
    "iter_errors",
    "kind_of",
    "names",
    "schema",
    "validate",
    "validate_list",
]

_KIND_BY_OBJECT: Mapping[str, str] = MappingProxyType(
    {
        "assistant": "assistant",
        "assistant.deleted": "assistant.deleted",
        "file": "file",
        "list": "list",
        "thread": "thread",
        "thread.deleted": "thread.deleted",
        "thread.message": "message",
        "thread.message.deleted": "thread.message.deleted",
        "thread.message.delta": "message_delta",
        "thread.run": "run",
        "thread.run.step": "run_step",
        "thread.run.step.delta": "run_step_delta",
        "vector_store": "vector_store",
        "vector_store.deleted": "vector_store.deleted",
        "vector_store.file": "vector_store.file",
        "vector_store.file.deleted": "vector_store.file.deleted",
        "vector_store.files_batch": "vector_store.files_batch",
        "vector_store.file_content.page": "vector_store.file_content.page",
        "vector_store.search_results.page": "vector_store.search_results.page",
    }
)

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def names() -> list[str]:
    """Sorted names of the available kinds: one per ``*.schema.json`` file of the package."""
    return _registry.kinds()


def schema(kind: str) -> dict[str, Any]:
    """A copy of the schema document of ``kind``; :class:`ConfigError` if there is none."""
    document = _registry.load(kind)
    if document is None:
        raise _unknown(kind)
    return document


def validate(kind: str, obj: Any) -> None:
    """Check ``obj`` against ``kind``; raise :class:`SchemaValidationError` for the best error.

    The error's ``path`` is JSON-path-like (``data[0].status``); for a missing required property
    it ends with the missing property's name. A wrong ``object`` tag is reported before anything
    else, since it makes every other error noise.
    """
    error = _best(_validator(kind).iter_errors(obj))
    if error is not None:
        raise _convert(kind, error)


def iter_errors(kind: str, obj: Any) -> list[SchemaValidationError]:
    """Every error of ``obj`` against ``kind``, most relevant first; empty when it is valid."""
    errors = sorted(_validator(kind).iter_errors(obj), key=_rank, reverse=True)
    return [_convert(kind, error) for error in errors]


def validate_list(obj: Any, item_kind: str) -> None:
    """Check a list envelope and that every item of ``data`` is a valid ``item_kind``.

    Errors are reported as kind ``list`` with paths such as ``data[2].status``.
    """
    item_validator = _validator(item_kind)
    validate("list", obj)
    for index, item in enumerate(obj["data"]):
        error = _best(item_validator.iter_errors(item))
        if error is not None:
            raise _convert("list", error, prefix=("data", index))


def kind_of(obj: Any) -> str | None:
    """The kind of an API payload, from its ``object`` field (or ``error`` key); None if unknown.

    ``{"event": ..., "data": ...}`` pairs are ``stream_event``.
    """
    if not isinstance(obj, dict):
        return None
    tag = obj.get("object")
    if isinstance(tag, str):
        if tag == "file" and "deleted" in obj:
            return "file.deleted"  # the Files API's DELETE answers with object "file"
        return _KIND_BY_OBJECT.get(tag)
    if "error" in obj:
        return "error"
    if "event" in obj and "data" in obj:
        return "stream_event"
    return None


def _validator(kind: str) -> Draft202012Validator:
    compiled = _registry.validator(kind)
    if compiled is None:
        raise _unknown(kind)
    return compiled


def _is_wrong_tag(error: ValidationError) -> bool:
    return error.validator == "const" and bool(error.path) and error.path[-1] == "object"


def _rank(error: ValidationError) -> tuple[bool, Any]:
    return _is_wrong_tag(error), relevance(error)


def _best(errors: Iterable[ValidationError]) -> ValidationError | None:
    found = list(errors)
    tags = [error for error in found if _is_wrong_tag(error)]
    if tags:
        return min(tags, key=lambda error: len(error.path))
    best: ValidationError | None = best_match(found)
    return best


def _unknown(kind: str) -> ConfigError:
    return ConfigError(f"unknown schema {kind!r}; known: {', '.join(names())}")


def _convert(
    kind: str, error: ValidationError, prefix: tuple[str | int, ...] = ()
) -> SchemaValidationError:
    parts: list[str | int] = [*prefix, *error.absolute_path]
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = _missing_property(error, error.instance)
        if missing is not None:
            parts.append(missing)
    return SchemaValidationError(kind, _format_path(parts), error.message)


def _missing_property(error: ValidationError, instance: dict[str, Any]) -> str | None:
    """The property a ``required`` error is about (jsonschema yields one error per name)."""
    required = error.validator_value
    if not isinstance(required, list):
        return None
    for name in required:
        if isinstance(name, str) and name not in instance and error.message.startswith(repr(name)):
            return name
    return None


def _format_path(parts: Iterable[str | int]) -> str:
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _IDENTIFIER.fullmatch(part):
            text += f".{part}" if text else part
        else:
            text += f"[{json.dumps(part)}]"
    return text
