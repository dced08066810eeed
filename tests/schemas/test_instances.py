"""Example instances of JSON Schemas (the arguments the fake sends to a client's own tools):
valid, reproducible from a seed, usable inside ``@given`` tests and from other threads."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.errors import HarnessError, SchemaExampleError
from harness.schemas.instances import example_instance
from tests.declared_tools import SHOP_TOOLS

ORDER = SHOP_TOOLS[0]["function"]["parameters"]

SCHEMAS: dict[str, dict[str, Any]] = {
    "required nested object and array": ORDER,
    "enum and const": {
        "type": "object",
        "required": ["unit", "kind"],
        "properties": {"unit": {"enum": ["c", "f", 3, None]}, "kind": {"const": {"a": [1]}}},
    },
    "formats": {
        "type": "object",
        "required": ["when", "day", "mail", "link", "uuid", "ip"],
        "properties": {
            "when": {"type": "string", "format": "date-time"},
            "day": {"type": "string", "format": "date"},
            "mail": {"type": "string", "format": "email"},
            "link": {"type": "string", "format": "uri"},
            "uuid": {"type": "string", "format": "uuid"},
            "ip": {"type": "string", "format": "ipv4"},
        },
    },
    "pattern and lengths": {
        "type": "object",
        "required": ["zip", "code", "long"],
        "properties": {
            "zip": {"type": "string", "pattern": "^[0-9]{5}(-[0-9]{4})?$"},
            "code": {"type": "string", "minLength": 2, "maxLength": 3},
            "long": {"type": "string", "minLength": 30},
        },
    },
    "numbers": {
        "type": "object",
        "required": ["a", "b", "c", "d", "e"],
        "properties": {
            "a": {"type": "integer", "minimum": -5, "maximum": -3},
            "b": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 0.001},
            "c": {"type": "integer", "multipleOf": 7, "minimum": 20},
            "d": {"type": "number", "maximum": -1000},
            "e": {"type": "integer", "exclusiveMinimum": 41, "exclusiveMaximum": 43},
        },
    },
    "local refs, recursion": {
        "$defs": {
            "node": {
                "type": "object",
                "required": ["name", "children"],
                "properties": {
                    "name": {"type": "string"},
                    "children": {"type": "array", "items": {"$ref": "#/$defs/node"}},
                },
            }
        },
        "$ref": "#/$defs/node",
    },
    "anyOf oneOf allOf": {
        "type": "object",
        "required": ["either", "one", "all"],
        "properties": {
            "either": {"anyOf": [{"type": "integer"}, {"type": "string", "minLength": 4}]},
            "one": {"oneOf": [{"type": "boolean"}, {"type": "null"}]},
            "all": {
                "allOf": [
                    {"type": "object", "required": ["x"], "properties": {"x": {"type": "integer"}}},
                    {"required": ["y"], "properties": {"y": {"enum": ["yes"]}}},
                ]
            },
        },
    },
    "nullable types, untyped values": {
        "type": "object",
        "required": ["maybe", "anything", "free"],
        "properties": {"maybe": {"type": ["string", "null"]}, "anything": {}, "free": True},
    },
    "closed objects with minProperties": {
        "type": "object",
        "minProperties": 2,
        "additionalProperties": False,
        "properties": {"a": {"type": "string"}, "b": {"type": "string"}, "c": {"type": "string"}},
    },
    "arrays: unique, bounded, prefix": {
        "type": "object",
        "required": ["tags", "pair"],
        "properties": {
            "tags": {
                "type": "array",
                "items": {"enum": ["a", "b", "c"]},
                "minItems": 2,
                "maxItems": 3,
                "uniqueItems": True,
            },
            "pair": {
                "type": "array",
                "prefixItems": [{"type": "integer"}, {"type": "string"}],
                "items": False,
            },
        },
    },
    "draft 7: definitions, tuple items": {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "definitions": {"n": {"type": "integer", "minimum": 3}},
        "type": "object",
        "required": ["t", "n"],
        "properties": {
            "t": {"type": "array", "items": [{"type": "string"}, {"$ref": "#/definitions/n"}]},
            "n": {"$ref": "#/definitions/n"},
        },
    },
    "draft 4: boolean exclusive bounds": {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "type": "integer",
        "minimum": 10,
        "exclusiveMinimum": True,
        "maximum": 12,
        "exclusiveMaximum": True,
    },
    "no parameters": {"type": "object", "properties": {}},
    "examples and defaults": {
        "type": "object",
        "required": ["city", "units", "bad"],
        "properties": {
            "city": {"type": "string", "examples": ["Paris", "Lima"]},
            "units": {"enum": ["metric", "imperial"], "default": "metric"},
            "bad": {"type": "integer", "examples": ["not an integer"]},
        },
    },
}


@pytest.mark.parametrize("name", sorted(SCHEMAS))
@pytest.mark.parametrize("seed", [0, 1, "run/3"])
def test_examples_are_valid_and_reproducible(name: str, seed: int | str) -> None:
    schema = SCHEMAS[name]
    value = example_instance(schema, seed=seed)
    cls = jsonschema.validators.validator_for(schema)
    cls(schema, format_checker=cls.FORMAT_CHECKER).validate(value)
    assert example_instance(schema, seed=seed) == value


def test_required_parameters_are_always_there() -> None:
    for seed in range(20):
        value = example_instance(ORDER, seed=seed)
        assert {"order_id", "filters"} <= set(value)
        assert "status" in value["filters"]
        assert value["filters"]["status"] in ("open", "shipped", "returned")


def test_the_schema_s_own_examples_and_defaults_come_first() -> None:
    schema = SCHEMAS["examples and defaults"]
    cities = {example_instance(schema, seed=seed)["city"] for seed in range(12)}
    assert cities <= {"Paris", "Lima"}
    assert isinstance(example_instance(schema)["bad"], int)  # a wrong example is not used


def test_seeds_choose_among_the_valid_values() -> None:
    values = {repr(example_instance(ORDER, seed=seed)) for seed in range(10)}
    assert len(values) > 1


@pytest.mark.parametrize(
    ("schema", "problem"),
    [
        ({"type": "integer", "minimum": 5, "maximum": 1}, "no integer in [5, 1]"),
        ({"type": "strnig"}, "not a valid JSON Schema"),
        ({"$ref": "https://example.com/remote.json"}, "only local $refs are followed"),
        ({"enum": []}, "an empty enum admits no value"),
        ({"type": "string", "not": {"type": "string"}}, "should not be valid"),
        (
            {"type": "object", "minProperties": 2, "additionalProperties": False},
            "minProperties exceeds the properties allowed",
        ),
    ],
)
def test_schemas_without_an_example_say_why(schema: dict[str, Any], problem: str) -> None:
    with pytest.raises(SchemaExampleError) as caught:
        example_instance(schema)
    assert problem in str(caught.value)
    assert isinstance(caught.value, HarnessError)


# -- any schema built from the supported keywords ------------------------------------------------

_LEAVES = st.one_of(
    st.builds(
        lambda low, span: {"type": "integer", "minimum": low, "maximum": low + span},
        st.integers(-50, 50),
        st.integers(0, 20),
    ),
    st.builds(lambda low: {"type": "number", "exclusiveMinimum": low}, st.floats(-1e6, 1e6)),
    st.builds(lambda n: {"type": "string", "minLength": n}, st.integers(0, 12)),
    st.builds(lambda n: {"type": "string", "maxLength": n}, st.integers(0, 12)),
    st.lists(
        st.integers() | st.text(max_size=5) | st.none(), min_size=1, max_size=4, unique=True
    ).map(lambda values: {"enum": values}),
    st.sampled_from([{"type": "boolean"}, {"type": "null"}, {"format": "email", "type": "string"}]),
    st.just({"type": "string", "pattern": "^[A-Z]{3}-[0-9]{2,4}$"}),
)


def _composites(children: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    names = st.text("abcdefghij_", min_size=1, max_size=6)
    objects = st.dictionaries(names, children, max_size=4).flatmap(
        lambda props: st.builds(
            lambda required, closed: {
                "type": "object",
                "properties": props,
                "required": required,
                "additionalProperties": not closed,
            },
            st.lists(st.sampled_from(sorted(props)), unique=True) if props else st.just([]),
            st.booleans(),
        )
    )
    arrays = st.builds(
        lambda items, low: {"type": "array", "items": items, "minItems": low},
        children,
        st.integers(0, 3),
    )
    unions = st.lists(children, min_size=1, max_size=3).map(lambda options: {"anyOf": options})
    return objects | arrays | unions


SCHEMA_TREES = st.recursive(_LEAVES, _composites, max_leaves=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SCHEMA_TREES, st.integers(0, 2**32))
def test_any_supported_schema_gets_a_valid_example(schema: dict[str, Any], seed: int) -> None:
    """Also runs the generator inside a @given test, where hypothesis' own engine is busy."""
    value = example_instance(schema, seed=seed)
    jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(value)


@settings(max_examples=20, deadline=None)
@given(st.sampled_from(sorted(SCHEMAS)))
def test_examples_made_on_other_threads_are_the_same(name: str) -> None:
    """The server thread makes the same arguments as the test's own thread."""
    schema = SCHEMAS[name]
    with ThreadPoolExecutor(max_workers=2) as pool:
        made = list(pool.map(lambda seed: example_instance(schema, seed=seed), [5, 5, 6]))
    assert made[0] == made[1] == example_instance(schema, seed=5)
    assert made[2] == example_instance(schema, seed=6)
