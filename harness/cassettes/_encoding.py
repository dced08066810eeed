"""Undo ``Content-Encoding`` (gzip, deflate, brotli) so bodies are stored and matched as text."""

from __future__ import annotations

import dataclasses
import importlib
import zlib
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TypeVar

from harness.cassettes._model import Request, Response
from harness.errors import CassetteError

__all__ = ["decode_content", "decoded"]

M = TypeVar("M", Request, Response)


def _gunzip(data: bytes) -> bytes:
    return zlib.decompress(data, zlib.MAX_WBITS | 16)


def _inflate(data: bytes) -> bytes:
    try:
        return zlib.decompress(data)
    except zlib.error:  # raw deflate, as some servers send it
        return zlib.decompress(data, -zlib.MAX_WBITS)


def _unbrotli(data: bytes) -> bytes:
    try:
        brotli = importlib.import_module("brotli")
    except ImportError:
        if _is_text(data):  # already decoded by whoever captured it (HAR, proxies)
            raise _AlreadyDecoded from None
        raise CassetteError(
            "the body is brotli-compressed (Content-Encoding: br) and the 'brotli' package "
            "is not installed; pip install brotli"
        ) from None
    result: bytes = brotli.decompress(data)
    return result


class _AlreadyDecoded(Exception):
    """The body does not look encoded: keep it as it is."""


_DECODERS: Mapping[str, Callable[[bytes], bytes]] = MappingProxyType(
    {
        "gzip": _gunzip,
        "x-gzip": _gunzip,
        "deflate": _inflate,
        "br": _unbrotli,
        "identity": lambda data: data,
    }
)


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
    codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
    for coding in reversed(codings):
        decoder = _DECODERS.get(coding)
        if decoder is None:
            raise CassetteError(f"cannot decode Content-Encoding {coding!r}")
        try:
            data = decoder(data)
        except _AlreadyDecoded:
            continue
        except CassetteError:
            raise
        except Exception as error:  # zlib.error, brotli.error, ...
            if not _is_text(data):
                raise CassetteError(f"cannot decode a {coding!r} body: {error}") from error
    return data


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
    headers = tuple(
        (name, str(len(raw)) if name.lower() == "content-length" else value)
        for name, value in message.headers
        if name.lower() != "content-encoding"
    )
    new_body: bytes | str | None = raw.decode("utf-8") if _is_text(raw) else raw
    if body is None and not raw:
        new_body = None
    return dataclasses.replace(message, headers=headers, body=new_body)
