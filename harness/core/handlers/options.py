"""The nested request options several operations share: tools, tool_choice, response_format,
truncation_strategy, tool_resources, attachments, message content blocks and tool outputs.

Each is read through :class:`~harness.core.params.Params`, so a wrong shape anywhere gets the
API's message naming the full parameter (``tools[0].file_search.max_num_results``), never a
crash. Unknown keys inside these objects are let through: the API grew them over time.
"""

from __future__ import annotations

import functools
import json
import re
from importlib import resources
from typing import Any

from harness.core.objects import JSON, text_content
from harness.core.params import Params, bad_request, invalid_choice, type_name

__all__ = [
    "check_attachments",
    "check_reasoning_effort",
    "check_response_format",
    "check_tool_choice",
    "check_tool_resources",
    "check_truncation",
    "content_blocks",
    "normalize_tools",
    "tool_outputs",
]

_TOOL_TYPES = ("code_interpreter", "function", "file_search")
_NAME = re.compile(r"^[a-zA-Z0-9_-]+$")
_DETAIL = ("auto", "low", "high")
_BLOCK_TYPES = ("text", "image_file", "image_url")


@functools.cache
def _reasoning_efforts() -> tuple[str, ...]:
    """The values the schemas allow (read from them, so the two never disagree)."""
    shared = resources.files("harness.schemas").joinpath("shared.defs.json").read_text("utf-8")
    values = json.loads(shared)["$defs"]["reasoning_effort"]["enum"]
    return tuple(value for value in values if value is not None)


def check_reasoning_effort(params: Params) -> None:
    params.choice("reasoning_effort", _reasoning_efforts())


def normalize_tools(params: Params, name: str = "tools", *, max_items: int = 128) -> list[JSON]:
    """Validate ``tools`` and fill in what the API filled in (``strict: false``, ranking)."""
    result: list[JSON] = []
    for tool in params.objects(name, max_items=max_items):
        kind = tool.choice("type", _TOOL_TYPES, required=True)
        if kind == "function":
            function = tool.nested("function", required=True)
            assert function is not None
            function.string("name", required=True, max_length=64, pattern=_NAME)
            function.string("description")
            function.obj("parameters")
            function.boolean("strict")
            result.append(
                {
                    "type": "function",
                    "function": {**function.data, "strict": function.raw("strict") or False},
                }
            )
        elif kind == "file_search":
            options = tool.nested("file_search")
            ranking: Any = None
            max_results: Any = None
            if options is not None:
                max_results = options.number("max_num_results", minimum=1, maximum=50, integer=True)
                ranking_params = options.nested("ranking_options")
                if ranking_params is not None:
                    ranking_params.choice("ranker", ("auto", "default_2024_08_21"))
                    ranking_params.number("score_threshold", minimum=0, maximum=1)
                    ranking = dict(ranking_params.data)
            result.append(
                {
                    "type": "file_search",
                    "file_search": {
                        "max_num_results": max_results,
                        "ranking_options": ranking
                        or {"ranker": "default_2024_08_21", "score_threshold": 0.0},
                    },
                }
            )
        else:
            result.append({"type": kind})
    return result


def check_tool_choice(params: Params) -> None:
    """``none``/``auto``/``required``, or an object naming a tool (a function by name)."""
    value = params.raw("tool_choice")
    if value is None or value in ("none", "auto", "required"):
        return
    if isinstance(value, str):
        raise invalid_choice(params.name("tool_choice"), value, ("none", "auto", "required"))
    if not isinstance(value, dict):
        where = params.name("tool_choice")
        raise bad_request(
            f"Invalid type for '{where}': expected one of a string or an object, but got "
            f"{type_name(value)} instead.",
            param=where,
            code="invalid_type",
        )
    choice = params.nested("tool_choice")
    assert choice is not None
    if choice.choice("type", _TOOL_TYPES, required=True) == "function":
        function = choice.nested("function", required=True)
        assert function is not None
        function.string("name", required=True)


def check_truncation(params: Params) -> None:
    strategy = params.nested("truncation_strategy")
    if strategy is None:
        return
    strategy.choice("type", ("auto", "last_messages"), required=True)
    strategy.number("last_messages", minimum=1, integer=True)


def check_response_format(params: Params) -> None:
    """``auto``, or ``{type: text | json_object | json_schema, json_schema: {name, schema}}``."""
    value = params.raw("response_format")
    if value is None or value == "auto":
        return
    if isinstance(value, str):
        raise invalid_choice(params.name("response_format"), value, ("auto",))
    response_format = params.nested("response_format")
    assert response_format is not None
    kind = response_format.choice("type", ("text", "json_object", "json_schema"), required=True)
    if kind == "json_schema":
        schema = response_format.nested("json_schema", required=True)
        assert schema is not None
        schema.string("name", required=True, max_length=64, pattern=_NAME)
        schema.string("description")
        schema.obj("schema")
        schema.boolean("strict")


def check_tool_resources(params: Params, name: str = "tool_resources") -> None:
    resources = params.nested(name)
    if resources is None:
        return
    interpreter = resources.nested("code_interpreter")
    if interpreter is not None:
        interpreter.strings("file_ids", max_items=20)
    search = resources.nested("file_search")
    if search is not None:
        search.strings("vector_store_ids", max_items=1)
        for store in search.objects("vector_stores", max_items=1):
            store.strings("file_ids", max_items=10_000)
            store.obj("chunking_strategy")
            store.metadata()


def check_attachments(params: Params) -> list[Any]:
    attachments = params.objects("attachments")
    for attachment in attachments:
        attachment.string("file_id", required=True)
        for tool in attachment.objects("tools"):
            tool.choice("type", ("code_interpreter", "file_search"), required=True)
    return [dict(attachment.data) for attachment in attachments]


def content_blocks(params: Params) -> list[JSON]:
    """``content``: a string, or a non-empty array of text / image_file / image_url blocks."""
    value = params.required("content")
    if isinstance(value, str):
        return [text_content(value)]
    where = params.name("content")
    if not isinstance(value, list):
        raise bad_request(
            f"Invalid type for '{where}': expected one of a string or array of objects, but got "
            f"{type_name(value)} instead.",
            param=where,
            code="invalid_type",
        )
    if not value:
        raise bad_request(
            f"Invalid '{where}': empty array. Expected an array with minimum length 1, but got an "
            "empty array instead.",
            param=where,
            code="empty_array",
        )
    blocks: list[JSON] = []
    for block in params.objects("content"):
        kind = block.choice("type", _BLOCK_TYPES, required=True)
        if kind == "text":
            text = block.string("text", required=True)
            assert text is not None
            blocks.append(text_content(text))
            continue
        assert kind is not None
        image = block.nested(kind, required=True)
        assert image is not None
        image.string("file_id" if kind == "image_file" else "url", required=True)
        image.choice("detail", _DETAIL)
        blocks.append({"type": kind, kind: {"detail": "auto", **image.data}})
    return blocks


def tool_outputs(params: Params) -> list[JSON]:
    """``tool_outputs``: objects with a ``tool_call_id`` and a string ``output``."""
    params.required("tool_outputs")
    checked: list[JSON] = []
    for output in params.objects("tool_outputs"):
        output.string("tool_call_id", required=True)
        output.string("output")
        checked.append(dict(output.data))
    return checked
