"""Request-body and query validation that answers with the real API's error messages."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

from harness.core.wellformed import INVALID_JSON, parse_json
from harness.errors import ApiError

__all__ = ["Params", "bad_request", "parse_json_body", "type_name"]

_TYPE_NAMES = {
    bool: "a boolean",
    int: "an integer",
    float: "a decimal",
    str: "a string",
    list: "an array",
    dict: "an object",
    type(None): "null",
}


def type_name(value: Any) -> str:
    """How the API names the JSON type of ``value`` in its messages."""
    return _TYPE_NAMES.get(type(value), "an unknown type")


def bad_request(message: str, *, param: str | None = None, code: str | None = None) -> ApiError:
    return ApiError(400, message, param=param, code=code)


def parse_json_body(raw: bytes, *, required: bool) -> dict[str, Any]:
    """The request's JSON object; an empty body is ``{}`` unless the operation needs one."""
    if not raw.strip():
        if required:
            raise bad_request(INVALID_JSON)
        return {}
    data = parse_json(raw)
    if not isinstance(data, dict):
        raise bad_request(
            f"Invalid type for request body: expected an object, but got {type_name(data)} "
            "instead.",
            code="invalid_type",
        )
    return data


class Params:
    """Typed access to a JSON object with OpenAI's error messages; rejects unknown keys.

    ``where`` is the object's own path in the request (``tools[0].file_search``), so every
    message names the full parameter; :meth:`nested` and :meth:`objects` descend into members.
    """

    def __init__(
        self,
        data: Mapping[str, Any],
        *,
        allowed: Collection[str],
        strict: bool,
        relaxed: bool = False,
        where: str = "",
    ) -> None:
        self.data = data
        self.strict = strict
        self.relaxed = relaxed
        """Permissive mode: types are checked, ranges and lengths are not."""
        self.where = where
        if strict:
            for key in data:
                if key not in allowed:
                    raise bad_request(f"Unrecognized request argument supplied: {self.name(key)}")

    @classmethod
    def of(
        cls,
        value: Any,
        where: str,
        *,
        allowed: Collection[str] = (),
        strict: bool = False,
        relaxed: bool = False,
    ) -> Params:
        """``value`` (found at ``where``) as Params, once it is known to be an object."""
        if not isinstance(value, dict):
            raise bad_request(
                f"Invalid type for '{where}': expected an object, but got {type_name(value)} "
                "instead.",
                param=where,
                code="invalid_type",
            )
        return cls(value, allowed=allowed, strict=strict, relaxed=relaxed, where=where)

    def name(self, key: str) -> str:
        """The full parameter name of member ``key``."""
        return f"{self.where}.{key}" if self.where else key

    def has(self, name: str) -> bool:
        return name in self.data

    def raw(self, name: str) -> Any:
        return self.data.get(name)

    def required(self, name: str) -> Any:
        if self.data.get(name) is None:
            full = self.name(name)
            raise bad_request(
                f"Missing required parameter: '{full}'.",
                param=full,
                code="missing_required_parameter",
            )
        return self.data[name]

    def _typed(self, name: str, value: Any, kinds: tuple[type, ...], label: str) -> Any:
        # JSON true/false are not numbers, though Python's bool is an int.
        wrong_bool = isinstance(value, bool) and bool not in kinds
        if wrong_bool or not isinstance(value, kinds):
            full = self.name(name)
            raise bad_request(
                f"Invalid type for '{full}': expected {label}, but got {type_name(value)} instead.",
                param=full,
                code="invalid_type",
            )
        return value

    def string(
        self,
        name: str,
        *,
        required: bool = False,
        max_length: int | None = None,
        pattern: re.Pattern[str] | None = None,
    ) -> str | None:
        value = self.required(name) if required else self.data.get(name)
        if value is None:
            return None
        text: str = self._typed(name, value, (str,), "a string")
        full = self.name(name)
        if max_length is not None and len(text) > max_length and not self.relaxed:
            raise bad_request(
                f"Invalid '{full}': string too long. Expected a string with maximum length "
                f"{max_length}, but got a string with length {len(text)} instead.",
                param=full,
                code="string_above_max_length",
            )
        if pattern is not None and pattern.fullmatch(text) is None and not self.relaxed:
            raise bad_request(
                f"Invalid '{full}': string does not match pattern. Expected a string that "
                f"matches the pattern '{pattern.pattern}'.",
                param=full,
                code="invalid_value",
            )
        return text

    def id_ref(self, name: str, prefix: str) -> str:
        """A required id parameter that must start with ``prefix`` (any id when relaxed)."""
        value: str = self._typed(name, self.required(name), (str,), "a string")
        if not value.startswith(prefix) and not self.relaxed:
            full = self.name(name)
            raise bad_request(
                f"Invalid '{full}': '{value}'. Expected an ID that begins with '{prefix}'.",
                param=full,
                code="invalid_value",
            )
        return value

    def number(
        self,
        name: str,
        *,
        minimum: float | None = None,
        maximum: float | None = None,
        integer: bool = False,
    ) -> float | int | None:
        value = self.data.get(name)
        if value is None:
            return None
        kinds: tuple[type, ...] = (int,) if integer else (int, float)
        number: float | int = self._typed(
            name, value, kinds, "an integer" if integer else "a decimal"
        )
        kind = "integer" if integer else "decimal"
        if self.relaxed:
            return number
        full = self.name(name)
        if minimum is not None and number < minimum:
            raise bad_request(
                f"Invalid '{full}': {kind} below minimum value. Expected a value >= "
                f"{_fmt(minimum)}, but got {number} instead.",
                param=full,
                code=f"{kind}_below_min_value",
            )
        if maximum is not None and number > maximum:
            raise bad_request(
                f"Invalid '{full}': {kind} above maximum value. Expected a value <= "
                f"{_fmt(maximum)}, but got {number} instead.",
                param=full,
                code=f"{kind}_above_max_value",
            )
        return number

    def boolean(self, name: str) -> bool | None:
        value = self.data.get(name)
        if value is None:
            return None
        result: bool = self._typed(name, value, (bool,), "a boolean")
        return result

    def choice(self, name: str, options: Collection[str], *, required: bool = False) -> str | None:
        value = self.string(name, required=required)
        if value is not None and value not in options:
            raise invalid_choice(self.name(name), value, options)
        return value

    def array(self, name: str, *, max_items: int | None = None) -> list[Any] | None:
        value = self.data.get(name)
        if value is None:
            return None
        items: list[Any] = self._typed(name, value, (list,), "an array")
        if max_items is not None and len(items) > max_items and not self.relaxed:
            full = self.name(name)
            raise bad_request(
                f"Invalid '{full}': array too long. Expected an array with maximum length "
                f"{max_items}, but got an array with length {len(items)} instead.",
                param=full,
                code="array_above_max_length",
            )
        return items

    def strings(self, name: str, *, max_items: int | None = None) -> list[str] | None:
        """An array whose every item is a string."""
        items = self.array(name, max_items=max_items)
        if items is None:
            return None
        for index, item in enumerate(items):
            self._typed(f"{name}[{index}]", item, (str,), "a string")
        return items

    def obj(self, name: str) -> dict[str, Any] | None:
        value = self.data.get(name)
        if value is None:
            return None
        result: dict[str, Any] = self._typed(name, value, (dict,), "an object")
        return result

    def nested(
        self, name: str, *, allowed: Collection[str] | None = None, required: bool = False
    ) -> Params | None:
        """Member ``name`` as Params (``None`` when absent); ``allowed`` rejects other keys."""
        value = self.required(name) if required else self.data.get(name)
        if value is None:
            return None
        return Params.of(
            value,
            self.name(name),
            allowed=allowed or (),
            strict=self.strict and allowed is not None,
            relaxed=self.relaxed,
        )

    def objects(
        self, name: str, *, allowed: Collection[str] | None = None, max_items: int | None = None
    ) -> list[Params]:
        """Member ``name``, an array of objects, as Params (empty when absent)."""
        items = self.array(name, max_items=max_items) or []
        return [
            Params.of(
                item,
                f"{self.name(name)}[{index}]",
                allowed=allowed or (),
                strict=self.strict and allowed is not None,
                relaxed=self.relaxed,
            )
            for index, item in enumerate(items)
        ]

    def metadata(self) -> dict[str, str] | None:
        # Checked in full even when relaxed: the object must stay valid against its schema.
        return check_metadata(self.data.get("metadata"))


def invalid_choice(name: str, value: str, options: Collection[str]) -> ApiError:
    quoted = [f"'{option}'" for option in options]
    listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + f" and {quoted[-1]}"
    return bad_request(
        f"Invalid value: '{value}'. Supported values are: {listed}.",
        param=name,
        code="invalid_value",
    )


def check_metadata(value: Any) -> dict[str, str] | None:
    """Validate ``metadata``: at most 16 string pairs, keys ≤ 64 and values ≤ 512 characters."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise bad_request(
            f"Invalid type for 'metadata': expected an object, but got {type_name(value)} instead.",
            param="metadata",
            code="invalid_type",
        )
    if len(value) > 16:
        raise bad_request(
            "Invalid 'metadata': too many properties. Expected an object with at most 16 "
            f"properties, but got an object with {len(value)} properties instead.",
            param="metadata",
            code="object_above_max_properties",
        )
    for key, item in value.items():
        if len(key) > 64:
            raise bad_request(
                f"Invalid property name in 'metadata': '{key}' is too long. Expected a string "
                f"with maximum length 64, but got a string with length {len(key)} instead.",
                param=f"metadata.{key}",
                code="property_name_above_max_length",
            )
        if not isinstance(item, str):
            raise bad_request(
                f"Invalid type for 'metadata.{key}': expected a string, but got "
                f"{type_name(item)} instead.",
                param=f"metadata.{key}",
                code="invalid_type",
            )
        if len(item) > 512:
            raise bad_request(
                f"Invalid 'metadata.{key}': string too long. Expected a string with maximum "
                f"length 512, but got a string with length {len(item)} instead.",
                param=f"metadata.{key}",
                code="string_above_max_length",
            )
    return dict(value)


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)
