"""What counts as a secret in API traffic, and how it is blanked: one definition for every layer.

Cassettes (:mod:`harness.cassettes`) and the request journal (:mod:`harness.core.journal`) both
scrub with these rules, so nothing that would be scrubbed from a cassette is kept in memory either.
"""

from __future__ import annotations

import re
from typing import Any, Final

__all__ = ["PLACEHOLDER", "SECRET_HEADERS", "SECRET_PATTERNS", "scrub_json", "scrub_text"]

PLACEHOLDER: Final = "<scrubbed>"

SECRET_HEADERS: Final = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "api-key",
        "x-api-key",
        "openai-organization",
        "openai-project",
        "cookie",
        "set-cookie",
    }
)
"""Headers whose whole value is replaced (the header itself stays, to keep the shape)."""

SECRET_PATTERNS: Final[tuple[tuple[str, str], ...]] = (
    (r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{16,}", "sk-" + PLACEHOLDER),
    (r"org-[A-Za-z0-9]{20,}", "org-" + PLACEHOLDER),
    (r"proj_[A-Za-z0-9]{20,}", "proj_" + PLACEHOLDER),
    (r"\b(__cf_bm|_cfuvid)=[^;,\s\"']+", r"\1=" + PLACEHOLDER),
)
"""API keys, organisation and project ids, Cloudflare cookies: anywhere (URI, headers, body)."""

_COMPILED: Final = tuple(
    (re.compile(pattern), replacement) for pattern, replacement in SECRET_PATTERNS
)
# Cheap pre-check: every pattern above contains one of these, so most strings skip the regexes.
_MARKERS: Final = ("sk-", "org-", "proj_", "__cf_bm", "_cfuvid")


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
        return {scrub_text(str(key)): scrub_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [scrub_json(item) for item in value]
    return value
