"""Safe YAML for cassettes: a loader for vcrpy's benign tags, a dumper that keeps text readable."""

from __future__ import annotations

from typing import IO, Any

import yaml

__all__ = ["dump_yaml", "load_yaml"]

try:  # libyaml's parser and emitter, several times faster
    from yaml import CSafeDumper as _BaseDumper
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeDumper as _BaseDumper  # type: ignore[assignment]
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


class _Loader(_BaseLoader):
    """SafeLoader plus the plain-data ``!!python/str|unicode|tuple`` tags old vcrpy wrote."""


def _scalar(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    assert isinstance(node, yaml.ScalarNode)
    return loader.construct_scalar(node)


def _tuple(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    assert isinstance(node, yaml.SequenceNode)
    return tuple(loader.construct_sequence(node))


_Loader.add_constructor("tag:yaml.org,2002:python/str", _scalar)
_Loader.add_constructor("tag:yaml.org,2002:python/unicode", _scalar)
_Loader.add_constructor("tag:yaml.org,2002:python/tuple", _tuple)


class _Dumper(_BaseDumper):
    """SafeDumper writing multi-line strings as literal blocks (``|``) where YAML allows it.

    The emitter falls back to a quoted style by itself when a literal block could not hold the
    string exactly (trailing spaces, ``\\r``, control characters), so text always round-trips.
    Never writes anchors and aliases (``&id001``), even for shared objects.
    """

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str(dumper: _Dumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def load_yaml(text: str) -> Any:
    """Parse YAML safely (raises ``yaml.YAMLError`` on bad input)."""
    return yaml.load(text, Loader=_Loader)


def dump_yaml(data: Any, stream: IO[str]) -> None:
    """Write ``data`` as block-style YAML, keys in insertion order, Unicode kept as is."""
    yaml.dump(
        data,
        stream,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )
