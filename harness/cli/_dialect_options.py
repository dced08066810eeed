"""``--dialect`` and ``--tls``, and the banner that tells a client where to point."""

from __future__ import annotations

import argparse

from harness.dialects import DIALECT_NAMES
from harness.server.tls import ThrowawayTLS

__all__ = ["PROJECT", "add_dialect_options", "dialect_banner"]

PROJECT = "harness"
"""The Foundry project name in the project endpoint the banner prints (any name works)."""


def add_dialect_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dialect",
        choices=DIALECT_NAMES,
        default="openai",
        help="also serve this wire: appbuilder (/v2, GATEWAY_URL), azure (/openai, "
        "/api/projects/{project}); /v1 is always served",
    )
    parser.add_argument(
        "--tls",
        action="store_true",
        help="serve HTTPS with a throwaway CA (needs trustme) and print its CA bundle",
    )


def dialect_banner(dialect: str, url: str, tls: ThrowawayTLS | None) -> str:
    """One line: where the fake listens, in the terms of the dialect's clients."""
    if dialect == "appbuilder":
        line = f"harness: serving AppBuilder's Assistants API at {url} (GATEWAY_URL={url})"
    elif dialect == "azure":
        line = (
            f"harness: serving Azure OpenAI at {url} (AZURE_OPENAI_ENDPOINT={url}) and "
            f"Foundry agents at {url}/api/projects/{PROJECT}"
        )
    else:
        line = f"harness: serving the fake Assistants API at {url}/v1"
    if tls is not None:
        line += f"; CA bundle {tls.ca_bundle}"
    return line
