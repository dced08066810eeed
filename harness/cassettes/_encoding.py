"""Undo ``Content-Encoding`` (gzip, deflate, brotli) so bodies are stored and matched as text."""

from __future__ import annotations

import dataclasses
from typing import TypeVar

from harness.cassettes._model import Request, Response, decoded_headers
from harness.codings import CodingTooLarge, CorruptCoding, UnsupportedCoding, undo_codings
from harness.errors import CassetteError

__all__ = ["decode_content", "decoded"]

M = TypeVar("M", Request, Response)


_LIMIT = 1024**3
"""Recordings are trusted files: a body may expand this far (a bound all the same)."""


def _is_text(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def decode_content(data: bytes, content_encoding: str) -> bytes:
    """``data`` with every coding in ``content_encoding`` undone (last applied, first undone).

    A body that fails to decode but is valid UTF-8 is taken as already decoded (HAR files and
    some recorders keep the header but store plain text). Unknown codings raise CassetteError.
    """
    try:
        return undo_codings(data, content_encoding, limit=_LIMIT)
    except (CorruptCoding, UnsupportedCoding) as error:
        # Not the coding it claims (or brotli, unreadable here), yet text: already decoded by
        # whoever captured it (HAR files, proxies). An unknown coding is never guessed at.
        decodable = isinstance(error, CorruptCoding) or error.coding == "br"
        if decodable and _is_text(data):
            return data
        if isinstance(error, UnsupportedCoding) and error.coding == "br":
            raise CassetteError(
                "the body is brotli-compressed (Content-Encoding: br) and the 'brotli' package "
                "is not installed; pip install brotli"
            ) from None
        if isinstance(error, UnsupportedCoding):
            raise CassetteError(f"cannot decode Content-Encoding {error.coding}") from None
        raise CassetteError(f"cannot decode a {error.coding!r} body: {error.detail}") from None
    except CodingTooLarge as error:
        raise CassetteError(f"a {error.coding!r} body expands past {_LIMIT} bytes") from None


def decoded(message: M) -> M:
    """``message`` with its body decoded and as text when it is UTF-8.

    ``Content-Encoding`` is dropped and ``Content-Length``, when present, fixed to the new size.
    """
    encoding = message.header("content-encoding")
    body = message.body
    if encoding is None:
        if isinstance(body, bytes) and _is_text(body):
            return dataclasses.replace(message, body=body.decode("utf-8"))
        return message
    raw = decode_content(message.content, encoding)
    headers = decoded_headers(message.headers, len(raw))
    new_body: bytes | str | None = raw.decode("utf-8") if _is_text(raw) else raw
    if body is None and not raw:
        new_body = None
    return dataclasses.replace(message, headers=headers, body=new_body)
