"""Real, tiny PNG images for code_interpreter outputs (stdlib ``zlib``: no imaging library)."""

from __future__ import annotations

import hashlib
import struct
import zlib

__all__ = ["PNG_SIGNATURE", "tiny_png"]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def tiny_png(seed: str, size: int = 8) -> bytes:
    """A ``size``×``size`` RGB image whose colours come from ``seed`` (same seed, same bytes)."""
    digest = hashlib.sha256(seed.encode()).digest()
    rows = b"".join(
        b"\x00" + b"".join(digest[(x + y) % 30 : (x + y) % 30 + 3] for x in range(size))
        for y in range(size)
    )
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows))
        + _chunk(b"IEND", b"")
    )
