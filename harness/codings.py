"""Undo a body's ``Content-Encoding`` (gzip, deflate, brotli): one decoder for every reader.

The fake server reads requests strictly (:mod:`harness.core.wellformed` turns each failure into
the API's 4xx envelope); the cassette layer reads recordings leniently (a body captured already
decoded is kept). Both call :func:`undo_codings` and decide what its errors mean. Decoding is
bounded: a body that would expand past ``limit`` stops with :class:`CodingTooLarge`, so a small
bomb cannot grow unbounded.

This module knows bytes only: no HTTP library, no error envelope.
"""

from __future__ import annotations

import importlib
import zlib
from collections.abc import Callable, Mapping
from types import MappingProxyType

__all__ = [
    "CodingError",
    "CodingTooLarge",
    "CorruptCoding",
    "UnsupportedCoding",
    "codings_of",
    "undo_codings",
]


class CodingError(Exception):
    """A body could not be decoded; ``coding`` is the coding that failed."""

    def __init__(self, coding: str, detail: str = "") -> None:
        super().__init__(f"{coding}: {detail}" if detail else coding)
        self.coding = coding
        self.detail = detail


class UnsupportedCoding(CodingError):
    """A coding no decoder knows, or brotli without the ``brotli`` package."""


class CodingTooLarge(CodingError):
    """The body expands past the limit."""


class CorruptCoding(CodingError):
    """The data is not valid for its coding (or truncated, or followed by more data)."""


def _zlib(wbits: int) -> Callable[[bytes, int], bytes]:
    def decode(data: bytes, limit: int) -> bytes:
        decompressor = zlib.decompressobj(wbits)
        result = decompressor.decompress(data, limit + 1)
        if len(result) > limit:
            raise CodingTooLarge("zlib")
        if not decompressor.eof or decompressor.unused_data:
            raise ValueError("truncated or trailing data")
        return result

    return decode


def _inflate(data: bytes, limit: int) -> bytes:
    try:
        return _zlib(zlib.MAX_WBITS)(data, limit)
    except zlib.error:  # raw deflate, as some clients and servers send it
        return _zlib(-zlib.MAX_WBITS)(data, limit)


def _unbrotli(data: bytes, limit: int) -> bytes:
    try:
        brotli = importlib.import_module("brotli")
    except ImportError:
        raise UnsupportedCoding("br", "install the 'brotli' package") from None
    decompressor = brotli.Decompressor()
    result: bytes = decompressor.process(data)
    if len(result) > limit:
        raise CodingTooLarge("br")
    if not decompressor.is_finished():
        raise ValueError("truncated data")
    return result


_DECODERS: Mapping[str, Callable[[bytes, int], bytes]] = MappingProxyType(
    {
        "gzip": _zlib(zlib.MAX_WBITS | 16),
        "x-gzip": _zlib(zlib.MAX_WBITS | 16),
        "deflate": _inflate,
        "br": _unbrotli,
        "identity": lambda data, limit: data,
    }
)


def codings_of(content_encoding: str) -> list[str]:
    """The codings a ``Content-Encoding`` value names, in the order they were applied."""
    return [c.strip().lower() for c in content_encoding.split(",") if c.strip()]


def undo_codings(data: bytes, content_encoding: str, *, limit: int) -> bytes:
    """``data`` with every coding of ``content_encoding`` undone (last applied, first undone).

    Raises :class:`UnsupportedCoding`, :class:`CodingTooLarge` or :class:`CorruptCoding`.
    """
    for coding in reversed(codings_of(content_encoding)):
        decoder = _DECODERS.get(coding)
        if decoder is None:
            raise UnsupportedCoding(repr(coding)[:60])
        try:
            data = decoder(data, limit)
        except CodingError as error:
            raise type(error)(coding, error.detail) from None
        except Exception as error:  # zlib.error, brotli.error, truncated data
            raise CorruptCoding(coding, str(error)) from None
    return data
