"""Example instances of a JSON Schema: arguments a client's own function tools accept.

:func:`example_instance` builds a value from the schema's keywords (``type``, ``properties``,
``required``, ``items``, ``enum``, ``const``, ``examples``, ``default``, bounds, lengths,
``pattern``, ``format``, local ``$ref``, ``anyOf``/``oneOf``/``allOf``) with a
:class:`random.Random` seeded from ``seed``, so the same seed always gives the same value, and no
global or thread state is touched (it works from the server thread and inside a ``@given`` test
alike). Every value is checked with :mod:`jsonschema` before it is returned; a few
differently-seeded attempts are made, then :class:`~harness.errors.SchemaExampleError` says why
none fits.

Why not hypothesis-jsonschema: it drives private Hypothesis internals (``cu.many(...).more()``)
that Hypothesis 6.1xx removed, so it fails on every object schema with the Hypothesis this project
uses; and ``hypothesis.find`` shrinks through the engine's per-thread state on every call.
Patterns are expanded with :mod:`rstr`.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from random import Random
from typing import Any

import jsonschema
import referencing.exceptions
import rstr
from jsonschema.exceptions import best_match

from harness.errors import SchemaExampleError

__all__ = ["SchemaExamples", "example_instance"]

_ATTEMPTS = 8
_MAX_DEPTH = 4
"""Deeper than this, objects keep only required keys and arrays only ``minItems`` items."""
_MAX_REF_DEPTH = 32
_WORDS = ("example", "sample", "alpha", "delta", "value", "north", "amber", "cedar")
_FORMATS: Mapping[str, str] = {
    "date-time": "2026-01-15T09:30:00Z",
    "date": "2026-01-15",
    "time": "09:30:00Z",
    "email": "someone@example.com",
    "idn-email": "someone@example.com",
    "uri": "https://example.com/resource",
    "iri": "https://example.com/resource",
    "uri-reference": "https://example.com/resource",
    "url": "https://example.com/resource",
    "hostname": "example.com",
    "idn-hostname": "example.com",
    "ipv4": "192.0.2.10",
    "ipv6": "2001:db8::10",
    "uuid": "3f2b8c1e-6d4a-4e8b-9c1f-2a7d5e9b0c41",
    "duration": "P1D",
}
_TYPE_HINTS = (
    ("object", ("properties", "required", "additionalProperties", "minProperties")),
    ("array", ("items", "prefixItems", "minItems", "maxItems", "uniqueItems")),
    ("string", ("minLength", "maxLength", "pattern", "format")),
    ("number", ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")),
)


class _Unsupported(Exception):
    """This attempt cannot build a value for the schema."""


class SchemaExamples:
    """Example values of one schema: the schema is checked once, then any number of seeds."""

    def __init__(self, schema: Mapping[str, Any] | bool) -> None:
        """Raises :class:`~harness.errors.SchemaExampleError` for an invalid JSON Schema."""
        cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
        try:
            cls.check_schema(schema)  # type: ignore[arg-type]  # booleans are schemas too
        except jsonschema.SchemaError as error:
            raise SchemaExampleError(f"not a valid JSON Schema: {error.message}") from None
        self.schema = schema
        self._cls = cls
        self._validator = cls(schema, format_checker=cls.FORMAT_CHECKER)

    def example(self, seed: int | str = 0) -> Any:
        """A value valid against the schema, the same for the same ``seed``.

        Raises :class:`~harness.errors.SchemaExampleError` when no value was found
        (unsatisfiable, a remote ``$ref``, a ``not`` every attempt hit).
        """
        problem = "no attempt made"
        for attempt in range(_ATTEMPTS):
            builder = _Builder(self.schema, Random(f"{seed}/{attempt}"), self._cls)
            try:
                value = builder.value(self.schema, 0, 0)
            except _Unsupported as error:
                problem = str(error)
                continue
            mismatch = best_match(self._validator.iter_errors(value))
            if mismatch is None:
                return value
            where = "/".join(str(part) for part in mismatch.absolute_path) or "(root)"
            problem = f"{where}: {mismatch.message}"
        raise SchemaExampleError(f"no value found in {_ATTEMPTS} attempts; last problem: {problem}")


def example_instance(schema: Mapping[str, Any] | bool, *, seed: int | str = 0) -> Any:
    """A value valid against ``schema``, the same for the same ``seed``; see
    :class:`SchemaExamples` (use it to make several values of one schema)."""
    return SchemaExamples(schema).example(seed)


class _Builder:
    """One attempt: walks the schema and draws every free choice from ``rng``."""

    def __init__(
        self, root: Mapping[str, Any] | bool, rng: Random, cls: type[jsonschema.protocols.Validator]
    ) -> None:
        self.root = root
        self.rng = rng
        self.cls = cls

    def value(self, node: Any, depth: int, refs: int) -> Any:
        if node is True or node == {}:
            return self.rng.choice(_WORDS)
        if node is False:
            raise _Unsupported("the schema 'false' admits no value")
        if not isinstance(node, Mapping):
            raise _Unsupported(f"not a schema: {node!r}")
        if "$ref" in node:
            if refs > _MAX_REF_DEPTH:
                raise _Unsupported("the schema refers to itself too deeply")
            target = self._resolve(node["$ref"])
            merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
            return self.value(merged, depth, refs + 1)
        if "const" in node:
            return copy.deepcopy(node["const"])
        if "enum" in node:
            if not node["enum"]:
                raise _Unsupported("an empty enum admits no value")
            return copy.deepcopy(self.rng.choice(node["enum"]))
        hints = self._hints(node)
        if hints:  # the schema's own examples and default, where they fit it
            return copy.deepcopy(self.rng.choice(hints))
        if "allOf" in node:
            return self.value(_merge_all(node), depth, refs)
        for keyword in ("anyOf", "oneOf"):
            if keyword in node:
                branch = self.rng.choice(node[keyword])
                rest = {k: v for k, v in node.items() if k != keyword}
                if isinstance(branch, Mapping):
                    branch = _merge_all({"allOf": [rest, branch]})
                return self.value(branch, depth, refs)
        kind = self._type(node)
        if kind == "object":
            return self._object(node, depth, refs)
        if kind == "array":
            return self._array(node, depth, refs)
        if kind == "string":
            return self._string(node)
        if kind in ("integer", "number"):
            return self._number(node, integer=kind == "integer")
        if kind == "boolean":
            return self.rng.choice((True, False))
        if kind == "null":
            return None
        raise _Unsupported(f"unknown type {kind!r}")

    def _hints(self, node: Mapping[str, Any]) -> list[Any]:
        given = node.get("examples")
        candidates = list(given) if isinstance(given, list) else []
        if "default" in node:
            candidates.append(node["default"])
        if not candidates:
            return []
        try:
            validator = self.cls(dict(node), format_checker=self.cls.FORMAT_CHECKER)
            return [value for value in candidates if validator.is_valid(value)]
        except referencing.exceptions.Unresolvable:
            return []  # a $ref inside the node: its examples cannot be checked alone

    def _resolve(self, ref: str) -> Any:
        if not ref.startswith("#"):
            raise _Unsupported(f"only local $refs are followed, not {ref!r}")
        node: Any = self.root
        for part in ref[1:].lstrip("/").split("/") if ref != "#" else ():
            part = part.replace("~1", "/").replace("~0", "~")
            if isinstance(node, Mapping) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                raise _Unsupported(f"$ref {ref!r} points at nothing")
        return node

    def _type(self, node: Mapping[str, Any]) -> str:
        declared = node.get("type")
        if isinstance(declared, str):
            return declared
        if isinstance(declared, list) and declared:
            solid = [kind for kind in declared if kind != "null"]
            return str(self.rng.choice(solid or declared))
        for kind, keywords in _TYPE_HINTS:
            if any(keyword in node for keyword in keywords):
                return kind
        return "string"

    def _object(self, node: Mapping[str, Any], depth: int, refs: int) -> dict[str, Any]:
        properties: Mapping[str, Any] = node.get("properties") or {}
        required = [key for key in node.get("required") or () if isinstance(key, str)]
        extra = node.get("additionalProperties", True)
        out: dict[str, Any] = {}
        for key in [*required, *(key for key in properties if key not in required)]:
            optional = key not in required
            if optional and (depth >= _MAX_DEPTH or self.rng.random() < 0.5):
                continue
            out[key] = self.value(properties.get(key, extra), depth + 1, refs)
        wanted = node.get("minProperties", 0)
        for key in properties:
            if len(out) >= wanted:
                break
            out.setdefault(key, self.value(properties[key], depth + 1, refs))
        number = 0
        while len(out) < wanted:
            if extra is False:
                raise _Unsupported("minProperties exceeds the properties allowed")
            number += 1
            out.setdefault(f"extra_{number}", self.value(extra, depth + 1, refs))
        return out

    def _array(self, node: Mapping[str, Any], depth: int, refs: int) -> list[Any]:
        prefix = node.get("prefixItems")
        items = node.get("items", True)
        if isinstance(items, list):  # draft 4-7 tuple form
            prefix, items = items, node.get("additionalItems", True)
        prefix = list(prefix or ())
        low = int(node.get("minItems", 0))
        high = int(node.get("maxItems", max(low, len(prefix)) + 2))
        count = low if depth >= _MAX_DEPTH else self.rng.randint(max(low, min(1, high)), high)
        count = max(count, min(len(prefix), high)) if prefix else count
        out: list[Any] = []
        for index in range(count):
            schema = prefix[index] if index < len(prefix) else items
            if schema is False:
                break
            out.append(self._fresh(schema, out, node.get("uniqueItems", False), depth, refs))
        return out

    def _fresh(self, schema: Any, taken: list[Any], unique: bool, depth: int, refs: int) -> Any:
        for _ in range(8):
            value = self.value(schema, depth + 1, refs)
            if not unique or value not in taken:
                return value
        raise _Unsupported("uniqueItems: not enough distinct values")

    def _string(self, node: Mapping[str, Any]) -> str:
        low = int(node.get("minLength", 0))
        high = node.get("maxLength")
        pattern = node.get("pattern")
        if pattern is not None:
            text = rstr.Rstr(self.rng).xeger(pattern)
        elif node.get("format") in _FORMATS:
            text = _FORMATS[node["format"]]
        else:
            text = self.rng.choice(_WORDS)
            if len(text) < low:
                text += "x" * (low - len(text))
        if high is not None and len(text) > int(high) and pattern is None:
            text = text[: int(high)]
        return text

    def _number(self, node: Mapping[str, Any], *, integer: bool) -> int | float:
        low, high = _bounds(node, integer=integer)
        step = node.get("multipleOf")
        if step is not None:
            first, last = math.ceil(low / step), math.floor(high / step)
            if first > last:
                raise _Unsupported(f"no multiple of {step} in [{low}, {high}]")
            value = self.rng.randint(first, last) * step
            return int(value) if integer or float(value).is_integer() else value
        if integer:
            first, last = math.ceil(low), math.floor(high)
            if first > last:
                raise _Unsupported(f"no integer in [{low}, {high}]")
            return self.rng.randint(first, last)
        first, last = math.ceil(low * 4), math.floor(high * 4)
        if first > last:  # a narrow interval: its middle
            return (low + high) / 2
        return self.rng.randint(first, last) / 4


def _bounds(node: Mapping[str, Any], *, integer: bool) -> tuple[float, float]:
    """The closed interval values are drawn from; 1..100 when the schema leaves it open.

    An exclusive bound moves inwards by 1 for integers and by a hair for numbers."""
    low: float | None = node.get("minimum")
    high: float | None = node.get("maximum")
    exclusive_low, exclusive_high = node.get("exclusiveMinimum"), node.get("exclusiveMaximum")
    if isinstance(exclusive_low, bool):  # draft 4: a flag on minimum
        exclusive_low = low if exclusive_low else None
    if isinstance(exclusive_high, bool):
        exclusive_high = high if exclusive_high else None
    if exclusive_low is not None:
        moved = exclusive_low + 1 if integer else math.nextafter(exclusive_low, math.inf)
        low = moved if low is None else max(low, moved)
    if exclusive_high is not None:
        moved = exclusive_high - 1 if integer else math.nextafter(exclusive_high, -math.inf)
        high = moved if high is None else min(high, moved)
    if low is None and high is None:
        return 1, 100
    if low is None:
        assert high is not None
        return min(1, high), high
    if high is None:
        return low, low + 99
    return low, high


def _merge_all(node: Mapping[str, Any]) -> dict[str, Any]:
    """``allOf`` folded into one schema: properties and required joined, other keys overlaid
    (the result is validated against the real schema afterwards)."""
    merged: dict[str, Any] = {k: v for k, v in node.items() if k != "allOf"}
    for part in node.get("allOf") or ():
        if not isinstance(part, Mapping):
            continue
        part = _merge_all(part) if "allOf" in part else part
        for key, value in part.items():
            if key == "properties":
                merged["properties"] = {**merged.get("properties", {}), **value}
            elif key == "required":
                merged["required"] = [*merged.get("required", []), *value]
            else:
                merged.setdefault(key, value)
    return merged
