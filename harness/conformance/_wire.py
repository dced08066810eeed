"""How the battery reaches a server: the OpenAI wire, or Azure OpenAI's (same protocol, other
paths and auth). AppBuilder's wire has a battery of its own (:mod:`._appbuilder`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import openai

__all__ = ["AZURE", "AZURE_API_VERSION", "OPENAI", "Wire"]

AZURE_API_VERSION = "2024-05-01-preview"


@dataclass(frozen=True)
class Wire:
    """The SDK client, the raw requests' URLs, query and credentials of one wire."""

    name: str
    skipped: frozenset[str] = frozenset()
    """Checks of a rule this wire does not have (Azure needs no ``OpenAI-Beta`` header)."""

    def client(self, base_url: str, api_key: str, timeout: float) -> openai.OpenAI:
        if self.name == "azure":
            return openai.AzureOpenAI(
                azure_endpoint=base_url,
                api_key=api_key,
                api_version=AZURE_API_VERSION,
                max_retries=0,
                timeout=timeout,
            )
        return openai.OpenAI(base_url=base_url, api_key=api_key, max_retries=0, timeout=timeout)

    def url(self, base_url: str, path: str) -> str:
        """The URL of an operation path (``/assistants``) for a raw request."""
        return f"{base_url}/openai{path}" if self.name == "azure" else base_url + path

    def params(self, params: Mapping[str, str] | None) -> dict[str, str]:
        extra = {"api-version": AZURE_API_VERSION} if self.name == "azure" else {}
        return {**dict(params or {}), **extra}

    def credentials(self, api_key: str) -> dict[str, str]:
        """The header that carries the key on this wire."""
        return (
            {"api-key": api_key} if self.name == "azure" else {"Authorization": f"Bearer {api_key}"}
        )


OPENAI = Wire("openai")
AZURE = Wire("azure", skipped=frozenset({"errors.missing_beta_header"}))
