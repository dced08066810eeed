"""Talk to a running server's control plane (``/__harness/...``) for the CLI twins.

``--base-url`` is what the client uses (``http://127.0.0.1:PORT/v1``, as ``harness serve``
prints it); the control plane lives at that server's root, whatever the API's prefix.
"""

from __future__ import annotations

import argparse
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from harness.errors import ConfigError, HarnessError

__all__ = ["add_base_url_option", "call"]

TIMEOUT_S = 30.0


def add_base_url_option(parser: argparse.ArgumentParser, *, nested: bool = False) -> None:
    """``--base-url``; ``nested`` for a sub-action's copy, which must not hide the parent's."""
    parser.add_argument(
        "--base-url",
        default=argparse.SUPPRESS if nested else os.environ.get("OPENAI_BASE_URL"),
        help="the running server's base URL, e.g. http://127.0.0.1:8000/v1 "
        "(default: $OPENAI_BASE_URL)",
    )


def control_url(base_url: str | None, route: str) -> str:
    """``http://host:port/__harness/ROUTE`` for any URL of that server."""
    if not base_url:
        raise ConfigError("give the server's --base-url (or set OPENAI_BASE_URL)")
    parts = urllib.parse.urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        example = "http://127.0.0.1:8000/v1"
        raise ConfigError(f"--base-url must be an http(s) URL like {example}, not {base_url!r}")
    return f"{parts.scheme}://{parts.netloc}/__harness/{route}"


def call(base_url: str | None, method: str, route: str, body: dict[str, Any] | None = None) -> Any:
    """The JSON answer of one control request; :class:`HarnessError` with the server's message."""
    url = control_url(base_url, route)
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        raise HarnessError(f"{method} {url}: {error.code} {_message(error.read())}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise HarnessError(f"no harness server answers at {url}: {reason}") from None


def _message(raw: bytes) -> str:
    try:
        return str(json.loads(raw)["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return raw.decode("utf-8", "replace")[:500]
