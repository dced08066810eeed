"""The one error hierarchy of harness.

Every exception harness raises on purpose derives from :class:`HarnessError`, so callers can
catch them all in one place and tell them apart by subclass.
"""

from __future__ import annotations

__all__ = [
    "ApiError",
    "CassetteError",
    "ConfigError",
    "HarnessError",
    "NoMatchingInteraction",
    "ScenarioError",
    "SchemaExampleError",
    "SchemaValidationError",
]


class HarnessError(Exception):
    """Base class of every error raised by harness."""


class ConfigError(HarnessError):
    """A setting, option or argument is wrong."""


class SchemaValidationError(HarnessError):
    """A payload does not match its JSON Schema."""

    def __init__(self, kind: str, path: str, message: str) -> None:
        self.kind = kind
        self.path = path
        self.detail = message
        where = path or "(root)"
        super().__init__(f"{kind}: {where}: {message}")


class SchemaExampleError(HarnessError):
    """No example value could be built for a JSON Schema (invalid, unsatisfiable or unsupported)."""


class ScenarioError(HarnessError):
    """A scenario document is invalid; the message names file, line, column and field."""

    def __init__(
        self,
        message: str,
        *,
        source: str = "<scenario>",
        line: int | None = None,
        column: int | None = None,
        field: str = "",
    ) -> None:
        self.source = source
        self.line = line
        self.column = column
        self.field = field
        self.detail = message
        location = source
        if line is not None:
            location += f":{line}"
            if column is not None:
                location += f":{column}"
        prefix = f"{location}: {field}: " if field else f"{location}: "
        super().__init__(prefix + message)


class CassetteError(HarnessError):
    """A cassette cannot be read, written, imported or replayed."""


class NoMatchingInteraction(CassetteError):
    """A replayed request matched no recorded interaction."""


class ApiError(HarnessError):
    """An error the fake API answers with, rendered as OpenAI's error envelope."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.headers = dict(headers or {})

    def envelope(self) -> dict[str, dict[str, str | None]]:
        """The JSON body the real API sent for this error."""
        return {
            "error": {
                "message": self.message,
                "type": self.type,
                "param": self.param,
                "code": self.code,
            }
        }
