"""``multipart/form-data`` bodies (file uploads), parsed in the core from bytes and Content-Type.

The parsing itself is python-multipart's (the parser Starlette and FastAPI use): it handles
boundaries inside binary data, quoted parameters and partial parts, which a hand-written split
would not. Parts are kept in memory: uploads are bounded by the server's body limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from harness.core.params import bad_request

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

__all__ = ["FormData", "Part", "parse_form"]


@dataclass(frozen=True)
class Part:
    """One field of the form: its name, its file name (for a file) and its bytes."""

    name: str
    data: bytes
    filename: str | None = None
    content_type: str | None = None


@dataclass(frozen=True)
class FormData:
    """The parts of a form, in order."""

    parts: tuple[Part, ...] = field(default_factory=tuple)

    def get(self, name: str) -> Part | None:
        """The last part called ``name`` (as a form library would keep it)."""
        found = [part for part in self.parts if part.name == name]
        return found[-1] if found else None

    def names(self) -> list[str]:
        return [part.name for part in self.parts]


def parse_form(body: bytes, content_type: str | None) -> FormData:
    """The parts of ``body``; a 400 envelope for anything that is not a well-formed form."""
    media_type, options = parse_options_header(content_type or "")
    if media_type != b"multipart/form-data":
        raise bad_request(
            f"Invalid Content-Type header ({content_type or 'none'}), expected "
            "multipart/form-data. (HINT: If you're using curl, you can pass "
            "-H 'Content-Type: multipart/form-data')"
        )
    boundary = options.get(b"boundary")
    if not boundary:
        raise bad_request("Invalid multipart/form-data body: the Content-Type has no boundary.")
    collector = _Collector()
    try:
        parser = MultipartParser(boundary, collector.callbacks())
        parser.write(body)
        parser.finalize()
    except (FormParserError, ValueError) as error:
        raise bad_request(f"Invalid multipart/form-data body: {error}") from None
    if collector.open:
        raise bad_request("Invalid multipart/form-data body: it ends inside a part.")
    return FormData(tuple(collector.parts))


class _Collector:
    """Builds parts from the parser's callbacks."""

    def __init__(self) -> None:
        self.parts: list[Part] = []
        self.open = False
        self._headers: dict[str, str] = {}
        self._field = b""
        self._value = b""
        self._data = bytearray()

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self._begin,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value,
            "on_header_end": self._header_end,
            "on_part_data": self._part_data,
            "on_part_end": self._end,
        }

    def _begin(self) -> None:
        self.open = True
        self._headers = {}
        self._data = bytearray()

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        name = self._field.decode("latin-1").lower()
        self._headers[name] = self._value.decode("utf-8", "replace")
        self._field = self._value = b""

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        self._data += data[start:end]

    def _end(self) -> None:
        self.open = False
        _, options = parse_options_header(self._headers.get("content-disposition", ""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        self.parts.append(
            Part(
                name=name,
                data=bytes(self._data),
                filename=filename.decode("utf-8", "replace") if filename is not None else None,
                content_type=self._headers.get("content-type"),
            )
        )
