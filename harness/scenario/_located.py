"""YAML parsing that remembers where every value was written."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from harness.errors import ScenarioError

__all__ = ["Located", "format_path", "parse_located"]

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Located:
    """Parsed data plus the (line, column) of each value, keyed by its path."""

    data: Any
    positions: dict[Path, tuple[int, int]]
    source: str

    def where(self, path: Path) -> tuple[int, int] | None:
        """Position of ``path``, or of its nearest written ancestor."""
        for cut in range(len(path), -1, -1):
            position = self.positions.get(path[:cut])
            if position is not None:
                return position
        return None

    def error(self, path: Path, message: str) -> ScenarioError:
        position = self.where(path) or (None, None)
        return ScenarioError(
            message,
            source=self.source,
            line=position[0],
            column=position[1],
            field=format_path(path),
        )


def format_path(path: Path) -> str:
    """``runs[0].steps[2].status``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def parse_located(text: str, source: str) -> Located:
    """Parse one YAML document; syntax errors and duplicate keys become :class:`ScenarioError`."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise ScenarioError(
            f"invalid YAML: {error.problem or error.context}",
            source=source,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    except yaml.YAMLError as error:
        raise ScenarioError(f"invalid YAML: {error}", source=source) from None
    if node is None:
        raise ScenarioError(
            "the document is empty; a scenario needs at least a name", source=source
        )
    builder = _Builder(source)
    data = builder.build(node, ())
    return Located(data, builder.positions, source)


class _Builder:
    def __init__(self, source: str) -> None:
        self.source = source
        self.positions: dict[Path, tuple[int, int]] = {}
        self._constructor = yaml.constructor.SafeConstructor()

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        return self._scalar(node)

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self._scalar(key_node)
            if key in result:
                line, column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
                raise ScenarioError(
                    f"duplicate key {key!r}",
                    source=self.source,
                    line=line,
                    column=column,
                    field=format_path((*path, str(key))),
                )
            result[key] = self.build(value_node, (*path, str(key)))
        return result

    def _scalar(self, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise ScenarioError(
                "a mapping key must be a plain value",
                source=self.source,
                line=node.start_mark.line + 1,
                column=node.start_mark.column + 1,
            )
        return self._constructor.construct_object(node, deep=True)
