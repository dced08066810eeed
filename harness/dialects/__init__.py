"""Dialects: other wires (Baidu AppBuilder, Azure OpenAI, Azure AI Foundry) over the one core.

A dialect is a thin adapter. It turns its wire's request (paths, auth, body shapes) into
OpenAI-shaped :class:`~harness.core.ApiRequest` values for :class:`~harness.core.AssistantsAPI`,
and the core's answers (objects, timestamps, stream events, errors) back into its wire's shapes.
Lifecycle, scenarios, faults, contract rules and the journal stay in the core, shared by all.
"""

from __future__ import annotations

from collections.abc import Iterable

from harness.core import AssistantsAPI
from harness.dialects.base import Dialect
from harness.errors import ConfigError

__all__ = ["DIALECT_NAMES", "Dialect", "make_dialect", "make_dialects"]

DIALECT_NAMES = ("openai", "appbuilder", "azure")
"""``openai`` is the core's own wire (``/v1``); the others are mounted beside it."""


def make_dialects(names: str | Iterable[str], api: AssistantsAPI) -> tuple[Dialect, ...]:
    """The dialects called ``names`` (one name, or several) over one core."""
    chosen = [names] if isinstance(names, str) else list(names)
    return tuple(d for d in (make_dialect(name, api) for name in chosen) if d is not None)


def make_dialect(name: str, api: AssistantsAPI) -> Dialect | None:
    """The dialect called ``name`` over ``api`` (``None`` for ``openai``, the core's own wire)."""
    if name == "openai":
        return None
    if name == "appbuilder":
        from harness.dialects.appbuilder import AppBuilderDialect

        return AppBuilderDialect(api)
    if name == "azure":
        from harness.dialects.azure import AzureDialect

        return AzureDialect(api)
    raise ConfigError(f"unknown dialect {name!r}; choose one of {', '.join(DIALECT_NAMES)}")
