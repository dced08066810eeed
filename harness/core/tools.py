"""Which functions a scripted ``requires_action`` calls, with which arguments.

A scenario's tool call either names a function or is ``declared`` (``name=None``): bound, when the
step is entered, to the run's own function tools (the run's ``tools``, which come from the
assistant unless the run overrides them): the k-th unnamed call of a step takes declared function
k, cycling when there are more calls than functions. Calls without ``arguments`` get arguments
valid against the function's JSON Schema ``parameters`` (:mod:`harness.schemas.instances`),
reproducible from the server's seed.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from harness.errors import SchemaExampleError
from harness.scenario.model import ToolCallSpec
from harness.schemas.instances import SchemaExamples

__all__ = ["ArgumentFactory", "BoundCall", "ToolBinding", "bind_tool_calls", "declared_functions"]

_NO_PARAMETERS: Mapping[str, Any] = {"type": "object", "properties": {}}
"""What a function without ``parameters`` accepts: the real API sent ``{}`` to it."""


@dataclass(frozen=True)
class BoundCall:
    """One function call, ready to be shown to the client."""

    name: str
    arguments: str
    id: str | None = None


@dataclass(frozen=True)
class ToolBinding:
    """The calls of one step, and what the server must report about them."""

    calls: tuple[BoundCall, ...]
    declared: tuple[str, ...] = ()
    """The names of the run's function tools, in order."""
    undeclared: tuple[str, ...] = ()
    """Names the scenario (or a forced ``tool_choice``) calls that the run did not declare."""
    notes: tuple[str, ...] = ()
    """Calls dropped (nothing declared to bind to) and arguments that had to fall back."""


@dataclass
class ArgumentFactory:
    """Generated arguments of each function, cached by schema (bounded, least recent out)."""

    seed: int | str = 0
    max_entries: int = 256
    _cache: OrderedDict[tuple[str, int], tuple[str, str | None]] = field(
        default_factory=OrderedDict, repr=False
    )
    _schemas: OrderedDict[str, SchemaExamples | SchemaExampleError] = field(
        default_factory=OrderedDict, repr=False
    )

    def arguments(self, function: Mapping[str, Any], variant: int = 0) -> tuple[str, str | None]:
        """The arguments JSON text for ``function``'s ``parameters``, and why it fell back to
        ``{}`` (``None`` when it did not). ``variant`` tells apart calls of one step."""
        schema = function.get("parameters")
        if schema is None:
            schema = _NO_PARAMETERS
        try:
            text = json.dumps(schema, sort_keys=True, separators=(",", ":"))
        except (TypeError, ValueError):
            return "{}", "its parameters are not JSON"
        key = (text, variant)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        try:
            value = self._examples(text, schema).example(f"{self.seed}/{variant}")
            result: tuple[str, str | None] = (json.dumps(value, separators=(",", ":")), None)
        except SchemaExampleError as error:
            result = ("{}", str(error))
        _remember(self._cache, key, result, self.max_entries)
        return result

    def _examples(self, text: str, schema: Any) -> SchemaExamples:
        """The checked schema (checking against the meta-schema is the costly part)."""
        known = self._schemas.get(text)
        if known is None:
            try:
                known = SchemaExamples(schema)
            except SchemaExampleError as error:
                known = error
            _remember(self._schemas, text, known, self.max_entries)
        if isinstance(known, SchemaExampleError):
            raise known
        return known


def _remember(cache: OrderedDict[Any, Any], key: Any, value: Any, limit: int) -> None:
    cache[key] = value
    if len(cache) > limit:
        cache.popitem(last=False)


def declared_functions(tools: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The ``function`` objects of a run's function tools, in order."""
    return [
        tool["function"]
        for tool in tools
        if tool.get("type") == "function" and isinstance(tool.get("function"), Mapping)
    ]


def bind_tool_calls(
    specs: Sequence[ToolCallSpec],
    tools: Sequence[Mapping[str, Any]],
    factory: ArgumentFactory,
) -> ToolBinding:
    """Bind a step's scripted calls to the run's declared ``tools``."""
    functions = declared_functions(tools)
    by_name = {str(function.get("name")): function for function in functions}
    calls: list[BoundCall] = []
    undeclared: list[str] = []
    notes: list[str] = []
    unnamed = 0
    for position, spec in enumerate(specs):
        if spec.name is None:
            if not functions:
                notes.append(
                    f"tool call {position + 1} is 'declared' but the run declares no function "
                    "tools: dropped"
                )
                continue
            function = functions[unnamed % len(functions)]
            unnamed += 1
            name = str(function.get("name"))
        else:
            name = spec.name
            function = by_name.get(name, {})
            if name not in by_name and name not in undeclared:
                undeclared.append(name)
        arguments = spec.arguments
        if arguments is None:
            arguments, problem = factory.arguments(function, variant=position)
            if problem is not None:
                notes.append(f"arguments for {name} fell back to {{}}: {problem}")
        calls.append(BoundCall(name, arguments, spec.id))
    return ToolBinding(tuple(calls), tuple(by_name), tuple(undeclared), tuple(notes))
