"""MkDocs hook: pages generated at build time from the code, so they cannot drift from it.

``<!-- generated: cli -->`` becomes the help of every ``harness`` command, read from the argparse
parsers; ``<!-- generated: scenario -->`` becomes the reference of every scenario field, read
from ``scenario.schema.json``. Used by ``mkdocs.yml`` (``hooks:``) and by the tests.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

MARKERS = {"<!-- generated: cli -->": "cli", "<!-- generated: scenario -->": "scenario"}


def on_page_markdown(markdown: str, **_: Any) -> str:
    for marker, kind in MARKERS.items():
        if marker in markdown:
            markdown = markdown.replace(
                marker, cli_reference() if kind == "cli" else scenario_reference()
            )
    return markdown


# -- the command line ----------------------------------------------------------------------------


def cli_reference() -> str:
    """Every command and sub-action with its full ``--help``, in the parser's order."""
    from harness.cli import build_parser

    os.environ.setdefault("COLUMNS", "100")  # argparse wraps help to the terminal's width
    parser = build_parser()
    parts = ["```text", parser.format_help().rstrip(), "```", ""]
    for name, sub in _subcommands(parser):
        parts += [f"## `harness {name}`", "", "```text", sub.format_help().rstrip(), "```", ""]
        for action_name, action in _subcommands(sub):
            parts += [f"### `harness {name} {action_name}`", "", "```text"]
            parts += [action.format_help().rstrip(), "```", ""]
    return "\n".join(parts)


def _subcommands(parser: argparse.ArgumentParser) -> list[tuple[str, argparse.ArgumentParser]]:
    # argparse has no public way to list sub-parsers; _SubParsersAction is the documented type.
    found: list[tuple[str, argparse.ArgumentParser]] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            found += list(action.choices.items())
    return found


# -- the scenario format -------------------------------------------------------------------------


def scenario_reference() -> str:
    """A table per object of the scenario schema: field, type, description."""
    from harness.schemas import schema

    document = schema("scenario")
    parts = ["## The document", "", _table(document), ""]
    for name, definition in document.get("$defs", {}).items():
        parts += [f"## `{name}`", ""]
        if definition.get("description"):
            parts += [definition["description"], ""]
        if "properties" in definition:
            parts += [_table(definition), ""]
        elif "oneOf" in definition:
            parts += ["One of:", ""]
            for option in definition["oneOf"]:
                parts.append(f"- {_type(option)}" + _fields_of(option))
            parts.append("")
        else:
            parts += [f"Type: {_type(definition)}", ""]
    return "\n".join(parts)


def _table(node: dict[str, Any]) -> str:
    required = set(node.get("required", ()))
    rows = ["| field | type | required | description |", "|---|---|---|---|"]
    for field, spec in node.get("properties", {}).items():
        description = str(spec.get("description", "")) + _fields_of(spec)
        description = description.replace("|", "\\|").replace("\n", " ")
        mark = "yes" if field in required else ""
        rows.append(f"| `{field}` | {_type(spec)} | {mark} | {description} |")
    return "\n".join(rows)


def _fields_of(node: dict[str, Any]) -> str:
    if "properties" not in node:
        return ""
    required = set(node.get("required", ()))
    fields = [f"`{name}`{'*' if name in required else ''}" for name in node["properties"]]
    return f" Fields: {', '.join(fields)}" + (" (* required)." if required else ".")


def _type(node: Any) -> str:
    if not isinstance(node, dict):
        return "any"
    if "$ref" in node:
        name = str(node["$ref"]).rsplit("/", 1)[-1]
        return f"[{name}](#{name})"
    if "const" in node:
        return f"`{node['const']!r}`".replace("'", '"')
    if "enum" in node:
        values = ", ".join(f"`{value}`" for value in node["enum"][:12])
        return f"one of {values}" + (", …" if len(node["enum"]) > 12 else "")
    for key in ("oneOf", "anyOf"):
        if key in node:
            return " or ".join(_type(option) for option in node[key])
    kind = node.get("type", "any")
    kind = " or ".join(kind) if isinstance(kind, list) else str(kind)
    if kind == "array" and "items" in node:
        return f"array of {_type(node['items'])}"
    return kind
