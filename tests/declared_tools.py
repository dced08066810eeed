"""A client's own function tools, as a real shop would declare them, and a check of the calls
the fake makes to them: declared names, arguments valid against their ``parameters``."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import jsonschema

LOOKUP_ORDER: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "lookup_order",
        "description": "Find an order by its id.",
        "parameters": {
            "type": "object",
            "required": ["order_id", "filters"],
            "additionalProperties": False,
            "properties": {
                "order_id": {"type": "string", "pattern": "^ord_[0-9]{4}$"},
                "filters": {
                    "type": "object",
                    "required": ["status"],
                    "additionalProperties": False,
                    "properties": {
                        "status": {"enum": ["open", "shipped", "returned"]},
                        "tags": {
                            "type": "array",
                            "minItems": 1,
                            "items": {"type": "string", "minLength": 2},
                        },
                    },
                },
                "lines": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["sku", "quantity"],
                        "properties": {
                            "sku": {"type": "string"},
                            "quantity": {"type": "integer", "minimum": 1, "maximum": 9},
                        },
                    },
                },
            },
        },
    },
}

CONVERT_UNITS: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "convert_units",
        "parameters": {
            "type": "object",
            "required": ["value", "to"],
            "properties": {
                "value": {"type": "number", "exclusiveMinimum": -273.15},
                "to": {"enum": ["celsius", "fahrenheit"]},
            },
        },
    },
}

SHOP_TOOLS: list[dict[str, Any]] = [LOOKUP_ORDER, CONVERT_UNITS]
"""Two tools with required, nested, enum and pattern parameters."""


def check_calls(calls: Iterable[Any], tools: Sequence[Mapping[str, Any]] = SHOP_TOOLS) -> list[str]:
    """The names of ``calls`` (SDK tool-call objects or dicts), after checking that each names a
    declared function and that its arguments are valid against that function's parameters."""
    by_name = {tool["function"]["name"]: tool["function"] for tool in tools}
    names = []
    for call in calls:
        function = call["function"] if isinstance(call, Mapping) else call.function
        name = function["name"] if isinstance(function, Mapping) else function.name
        text = function["arguments"] if isinstance(function, Mapping) else function.arguments
        assert name in by_name, f"{name!r} is not one of the declared {sorted(by_name)}"
        jsonschema.validate(json.loads(text), by_name[name].get("parameters", {"type": "object"}))
        names.append(name)
    return names
