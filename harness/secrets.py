"""What counts as a secret in API traffic, and how it is blanked: one definition for every layer.

Cassettes (:mod:`harness.cassettes`) and the request journal (:mod:`harness.core.journal`) both
scrub with these rules, so nothing that would be scrubbed from a cassette is kept in memory either.
"""

from __future__ import annotations

import re
from typing import Any, Final

__all__ = [
    "PLACEHOLDER",
    "SECRET_FIELDS",
    "SECRET_HEADERS",
    "SECRET_HEADER_PATTERN",
    "SECRET_PATTERNS",
    "scrub_json",
    "scrub_text",
]

PLACEHOLDER: Final = "<scrubbed>"

SECRET_HEADERS: Final = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "api-key",
        "x-api-key",
        "ocp-apim-subscription-key",
        "openai-organization",
        "openai-project",
        "cookie",
        "set-cookie",
    }
)
"""Headers whose whole value is replaced (the header itself stays, to keep the shape)."""

SECRET_HEADER_PATTERN: Final = re.compile(
    r"^x-(?:[a-z0-9]+-)*(?:(?:api-)?(?:key|token|secret)|authorization)$", re.IGNORECASE
)
"""More headers blanked by their name's shape: ``x-goog-api-key``, ``x-acme-token``,
``x-appbuilder-authorization`` (appbuilder-sdk's copy of its bearer token)…"""

SECRET_FIELDS: Final = (
    "organization",
    "organization_id",
    "org_id",
    "user",
    "user_id",
    "project",
    "project_id",
    "api_key",
    "session_token",
)
"""JSON fields whose string value is replaced wherever they appear (bodies, stream data)."""

SECRET_PATTERNS: Final[tuple[tuple[str, str], ...]] = (
    (r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{16,}", "sk-" + PLACEHOLDER),
    # Organisation and user ids, short ones too (``org-acme42``); a digit tells them from words.
    (r"\borg-(?=[A-Za-z0-9]*[0-9])[A-Za-z0-9]{4,}", "org-" + PLACEHOLDER),
    (r"\buser-(?=[A-Za-z0-9]*[0-9])[A-Za-z0-9]{4,}", "user-" + PLACEHOLDER),
    (r"proj_[A-Za-z0-9]{20,}", "proj_" + PLACEHOLDER),
    (r"\b(__cf_bm|_cfuvid)=[^;,\s\"']+", r"\1=" + PLACEHOLDER),
    # A cookie quoted inside text (an echoed header, a log line): every value after the name.
    (
        r"(?i)\b((?:set-)?cookie\\?[\"']?\s*[:=]\s*\\?[\"']?)[^\"'\r\n\\]+",
        r"\1" + PLACEHOLDER,
    ),
    # Known id fields by structure, in JSON text (escaped quotes inside the value kept whole).
    (
        r'("(?:' + "|".join(SECRET_FIELDS) + r')"\s*:\s*")(?:[^"\\]|\\.)*(")',
        r"\1" + PLACEHOLDER + r"\2",
    ),
)
"""API keys, organisation, user and project ids, cookies and known id fields: anywhere (URI,
headers, bodies, stream data)."""

_COMPILED: Final = tuple(
    (re.compile(pattern), replacement) for pattern, replacement in SECRET_PATTERNS
)
# Cheap pre-check: every pattern above contains one of these, so most strings skip the regexes.
_MARKERS: Final = (
    "sk-",
    "org-",
    "proj_",
    "__cf_bm",
    "_cfuvid",
    "ookie",
    "OOKIE",
    "organization",
    "org_id",
    "user",
    "project",
    "api_key",
    "session_token",
)


def scrub_text(value: str) -> str:
    """``value`` with every secret pattern replaced."""
    if not any(marker in value for marker in _MARKERS):
        return value
    for pattern, replacement in _COMPILED:
        value = pattern.sub(replacement, value)
    return value


def scrub_json(value: Any) -> Any:
    """A copy of a parsed JSON value with every string (keys included) scrubbed."""
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {
            scrub_text(str(key)): PLACEHOLDER
            if key in SECRET_FIELDS and isinstance(item, str)
            else scrub_json(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [scrub_json(item) for item in value]
    return value
