"""The dialects' surfaces, checks and readings of recorded traffic, for the cassette layer.

:mod:`harness.surfaces` describes URL layouts and knows no dialect; a dialect whose wire is
not the Assistants' (AppBuilder) describes its own :class:`~harness.surfaces.Surface`, the
check of its recorded answers and the reading of its exchanges as Assistants ones (for
conversion and verification), and this module puts them beside the built-in surfaces. The
cassette layer reads surfaces from :data:`CASSETTE_SURFACES` and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any

from harness.dialects.appbuilder import recorded as appbuilder
from harness.dialects.exchange import RecordingReader
from harness.surfaces import BUILTIN_SURFACES, Surface

__all__ = [
    "CASSETTE_SURFACES",
    "DIALECT_SURFACES",
    "RECORDED_CHECKS",
    "RECORDING_READERS",
    "RecordedCheck",
]

RecordedCheck = Callable[[str, int, Any, "Iterable[tuple[str, str]] | None"], list[tuple[str, str]]]
"""``(operation path, status, JSON body, stream events) -> [(where, message)]``."""

DIALECT_SURFACES: tuple[Surface, ...] = (appbuilder.SURFACE,)
"""The surfaces of the dialects whose wire is not the Assistants' (Azure's URLs are built in)."""

CASSETTE_SURFACES: tuple[Surface, ...] = (*BUILTIN_SURFACES, *DIALECT_SURFACES)
"""Every surface a recording may be on, most specific first."""

RECORDED_CHECKS: Mapping[str, RecordedCheck] = MappingProxyType(
    {appbuilder.SURFACE.wire: appbuilder.recorded_problems}
)
"""The check of recorded answers for each dialect wire, by :attr:`Surface.wire`."""

RECORDING_READERS: Mapping[str, RecordingReader] = MappingProxyType(
    {appbuilder.SURFACE.wire: appbuilder.read_exchanges}
)
"""How each dialect wire's recorded exchanges read as Assistants exchanges, by
:attr:`Surface.wire`."""
