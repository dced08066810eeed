"""API surfaces: where a recorded request's method and URL sit in the Assistants API.

The same Assistants operation is served under different URL layouts: OpenAI
(``{base}/v1/threads/…``), Azure OpenAI (``/openai/threads/…?api-version=…``, and its newer
``/openai/v1/threads/…``), Azure AI Foundry agents
(``/api/projects/{project}/threads/…?api-version=v1``). A :class:`Surface` describes one layout;
:func:`operation_of` reads a URL into an :class:`Operation`: the surface, the prefix before the
operation, the operation path (``/threads/thread_1/runs``, the same on every surface) and the
operation's own query (the surface's parameters, such as ``api-version``, removed).

Azure OpenAI serves the Assistants API under ``/openai/…`` only, never under
``/openai/deployments/{name}/…`` (that layout is for completions and embeddings).

Adding a surface (the extension point): build a ``Surface`` and put it in
:data:`BUILTIN_SURFACES` (before any surface whose pattern would also match its URLs), or pass
``surfaces=(*BUILTIN_SURFACES, mine)`` to the functions that take it. Nothing else changes:
validation, conversion and re-driving all read URLs through :func:`operation_of`::

    APPBUILDER = Surface(
        name="appbuilder",
        title="Baidu AppBuilder",
        prefix=r"/v2/app",          # a regex for what precedes the operation path
        surface_params=(),          # query parameters of the surface, not of the operation
    )

A surface whose URLs are not the Assistants resource layout (Baidu AppBuilder's
``POST /v2/threads/runs/query``) lists its exact ``operations`` and names its ``wire``: its
operation paths are then its own, not the Assistants', and only code that knows that wire (the
dialect, registered with the cassette layer in :mod:`harness.dialects.recorded`) reads them.

This module knows URLs only: no HTTP library, no dialect's wire shapes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

__all__ = [
    "ASSISTANTS_RESOURCES",
    "ASSISTANTS_WIRE",
    "AZURE_FOUNDRY",
    "AZURE_OPENAI",
    "BUILTIN_SURFACES",
    "OPENAI",
    "Operation",
    "Surface",
    "operation_of",
    "surface_names",
]

ASSISTANTS_RESOURCES = ("assistants", "threads", "files", "vector_stores")
"""First segments of an operation path of the Assistants API (with the files and vector
stores its tools use)."""

ASSISTANTS_WIRE = "assistants"
"""The :attr:`Surface.wire` of every surface that carries OpenAI's Assistants objects."""


@dataclass(frozen=True)
class Surface:
    """One URL layout of the Assistants API.

    ``prefix`` is a regular expression for the path before the operation (anchored at the
    start of the path; it may contain groups), ``surface_params`` the query parameters that
    belong to the surface rather than to the operation, ``default_query`` what to send when
    re-expressing an operation on this surface, ``base`` the path prefix used then.
    ``operations``, when given, are the surface's only operation paths (matched exactly,
    instead of the Assistants resource layout); ``wire`` names whose body shapes the surface
    carries: ``assistants`` (OpenAI's objects) or a dialect's name.
    """

    name: str
    title: str
    prefix: str
    surface_params: tuple[str, ...] = ()
    default_query: tuple[tuple[str, str], ...] = ()
    base: str = ""
    operations: tuple[str, ...] = ()
    wire: str = ASSISTANTS_WIRE
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.operations:
            exact = "|".join(re.escape(path) for path in self.operations)
            pattern = re.compile(rf"^(?P<prefix>{self.prefix})(?P<op>{exact})/?$")
        else:
            resources = "|".join(ASSISTANTS_RESOURCES)
            pattern = re.compile(rf"^(?P<prefix>{self.prefix})(?P<op>/(?:{resources})(?:/.*)?)$")
        object.__setattr__(self, "_pattern", pattern)

    def read(self, method: str, uri: str) -> Operation | None:
        """The operation ``method uri`` is on this surface, or None."""
        parts = urlsplit(uri)
        found = self._pattern.match(unquote(parts.path or "/"))
        if found is None:
            return None
        query = tuple(parse_qsl(parts.query, keep_blank_values=True))
        return Operation(
            surface=self,
            method=method.upper(),
            prefix=found.group("prefix"),
            path=found.group("op").rstrip("/") if self.operations else found.group("op"),
            query=tuple((k, v) for k, v in query if k not in self.surface_params),
        )

    def target(self, operation: Operation) -> str:
        """``operation`` re-expressed on this surface: its path and query, without host."""
        query = [*self.default_query, *operation.query]
        return self.base + operation.path + (f"?{urlencode(query)}" if query else "")


@dataclass(frozen=True)
class Operation:
    """An Assistants operation read from a URL, whatever its surface."""

    surface: Surface
    method: str
    prefix: str
    path: str
    """``/threads/thread_1/runs``: the same on every surface of the Assistants wire (a
    surface of another wire keeps its own: AppBuilder's ``/v2/threads/runs/query``)."""
    query: tuple[tuple[str, str], ...]
    """The operation's own query parameters (``limit``, ``order``…), in order."""

    @property
    def segments(self) -> list[str]:
        """The operation path's segments: ``['threads', 'thread_1', 'runs']``."""
        return [part for part in self.path.split("/") if part]


OPENAI = Surface(
    name="openai",
    title="OpenAI (/v1)",
    prefix=r"(?:/[^/]+)*?/v1",  # a compatible server may serve /v1 under a base path
    base="/v1",
)
AZURE_OPENAI = Surface(
    name="azure-openai",
    title="Azure OpenAI (/openai/…?api-version=…)",
    prefix=r"/openai(?:/v1)?",
    surface_params=("api-version",),
    default_query=(("api-version", "2024-05-01-preview"),),
    base="/openai",
)
AZURE_FOUNDRY = Surface(
    name="azure-foundry",
    title="Azure AI Foundry agents (/api/projects/{project}/…?api-version=v1)",
    prefix=r"/api/projects/[^/]+",
    surface_params=("api-version",),
    default_query=(("api-version", "v1"),),
    base="/api/projects/project",
)

BUILTIN_SURFACES: tuple[Surface, ...] = (AZURE_FOUNDRY, AZURE_OPENAI, OPENAI)
"""Every known surface, most specific first (``/openai/v1/…`` is Azure's, not OpenAI's)."""


def operation_of(
    method: str, uri: str, surfaces: Sequence[Surface] = BUILTIN_SURFACES
) -> Operation | None:
    """The Assistants operation of a recorded request, or None if no surface reads it."""
    for surface in surfaces:
        found = surface.read(method, uri)
        if found is not None:
            return found
    return None


def surface_names(surfaces: Sequence[Surface] = BUILTIN_SURFACES) -> str:
    """``OpenAI (/v1), Azure OpenAI (…), …`` for messages."""
    return ", ".join(surface.title for surface in reversed(tuple(surfaces)))
