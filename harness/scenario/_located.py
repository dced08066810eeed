"""YAML parsing that remembers where every value was written."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from harness.errors import ScenarioError

__all__ = [
    "MAX_ALIASES",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_VALUES",
    "Located",
    "compose_bounded",
    "format_path",
    "parse_located",
    "syntax_message",
]

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


MAX_BYTES = 1024**2
"""Largest scenario document (a scenario is a page a reviewer reads, not a data dump)."""
MAX_DEPTH = 64
"""Deepest nesting of mappings and lists."""
MAX_ALIASES = 1000
"""Alias uses (``*name``) in one document."""
MAX_VALUES = 100_000
"""Values once aliases are expanded: a few hundred bytes of aliases can mean billions."""


def parse_located(text: str, source: str) -> Located:
    """Parse one YAML document; syntax errors, duplicate keys and documents past the size,
    depth and alias limits become located :class:`ScenarioError`s."""
    if len(text) > MAX_BYTES:
        raise ScenarioError(
            f"the document has {len(text)} characters; a scenario may have at most {MAX_BYTES}",
            source=source,
            line=1,
        )
    node = compose_bounded(text, source)
    if node is None:
        raise ScenarioError(
            "the document is empty; a scenario needs at least a name", source=source
        )
    builder = _Builder(source)
    data = builder.build(node, ())
    return Located(data, builder.positions, source)


def compose_bounded(text: str, source: str) -> yaml.Node | None:
    """The YAML node tree of ``text``, refused past the depth and alias limits."""
    loader = _BoundedLoader(text, source)
    try:
        return loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise ScenarioError(
            syntax_message(error, text),
            source=source,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    except yaml.YAMLError as error:
        raise ScenarioError(f"invalid YAML: {error}", source=source) from None
    finally:
        loader.dispose()


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe composer, counting depth and aliases as it goes (it recurses per level)."""

    def __init__(self, stream: str, source: str) -> None:
        super().__init__(stream)
        self._source = source
        self._depth = 0
        self._aliases = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise self._limit(event, f"more than {MAX_ALIASES} aliases (*name)")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise self._limit(event, f"mappings and lists nested more than {MAX_DEPTH} deep")
            node: yaml.Node | None = super().compose_node(parent, index)
            return node
        finally:
            self._depth -= 1

    def _limit(self, event: yaml.Event, what: str) -> ScenarioError:
        mark = event.start_mark
        return ScenarioError(
            f"the document has {what}; a scenario stays within it",
            source=self._source,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        )


_HINTS: tuple[tuple[str, str], ...] = (
    ("'\\t'", "a tab character: YAML indents with spaces only"),
    (
        "while scanning a quoted scalar",
        "an unclosed quote (a string opened with ' or \" never ends)",
    ),
    ("found unexpected end of stream", "an unclosed quote, [ or {"),
    ("flow sequence", "an unclosed [ (or a missing comma between items)"),
    ("flow mapping", "an unclosed { (or a missing comma between items)"),
    (
        "mapping values are not allowed",
        "a second ': ' on one line: quote a value holding ': ', or put the key on its own line",
    ),
    ("could not find expected ':'", "'key: value' needs a colon followed by a space"),
    ("did not find expected key", "the indentation: the keys of one mapping start in one column"),
    ("did not find expected '-'", "the indentation: the items of one list start in one column"),
    ("expected <block end>", "the indentation: a line is indented less or more than its siblings"),
    ("found undefined alias", "an alias *name with no &name anchor before it"),
    ("found character '@'", "'@' and '`' cannot start a plain value: quote it"),
    ("found character '`'", "'@' and '`' cannot start a plain value: quote it"),
    ("found character '%'", "'%' cannot start a plain value: quote it"),
)


def syntax_message(error: yaml.MarkedYAMLError, text: str) -> str:
    """PyYAML's problem, plus what to check on that line."""
    said = " ".join(part for part in (error.context, error.problem) if part)
    problem = error.problem or error.context or "invalid YAML"
    hint = next((advice for marker, advice in _HINTS if marker in said), None)
    mark = error.problem_mark or error.context_mark
    line = text.splitlines()[mark.line] if mark and mark.line < len(text.splitlines()) else ""
    if hint is None and "\t" in line:
        hint = _HINTS[0][1]
    if hint is None:
        hint = "indentation (spaces only), 'key: value' spacing and unclosed quotes or brackets"
    return f"invalid YAML: {problem}; check {hint}"


class _Builder:
    def __init__(self, source: str) -> None:
        self.source = source
        self.positions: dict[Path, tuple[int, int]] = {}
        self._constructor = yaml.constructor.SafeConstructor()
        self._open: set[int] = set()
        """Nodes being built: an alias to one of them is a document that contains itself."""
        self._values = 0

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        self._values += 1
        if self._values > MAX_VALUES:
            raise self._error(
                node,
                path,
                f"the document expands to more than {MAX_VALUES} values (through aliases?); "
                "a scenario stays within it",
            )
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        if id(node) in self._open:
            raise self._error(node, path, "an alias refers to a value that contains it")
        self._open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        finally:
            self._open.discard(id(node))

    def _error(self, node: yaml.Node, path: Path, message: str) -> ScenarioError:
        return ScenarioError(
            message,
            source=self.source,
            line=node.start_mark.line + 1,
            column=node.start_mark.column + 1,
            field=format_path(path),
        )

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
