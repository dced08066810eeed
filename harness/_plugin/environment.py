"""The environment variables that point clients which configure themselves at the fake."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from harness._plugin.servers import API_KEY

if TYPE_CHECKING:
    from harness._plugin.servers import HarnessServer

__all__ = ["AZURE_API_VERSION", "PROJECT", "client_environment"]

AZURE_API_VERSION: Final = "2024-05-01-preview"
"""``OPENAI_API_VERSION`` for ``AzureOpenAI()``: an Azure OpenAI version with Assistants v2."""
PROJECT: Final = "harness"
"""The Foundry project of ``PROJECT_ENDPOINT`` (any name is served)."""


def client_environment(server: HarnessServer) -> dict[str, str]:
    """What ``OpenAI()``, ``AzureOpenAI()``, ``appbuilder`` and Azure's samples read.

    With TLS, ``SSL_CERT_FILE`` and ``REQUESTS_CA_BUNDLE`` name the throwaway CA, so httpx- and
    requests-based clients (openai, azure-core, appbuilder-sdk) trust the fake and nothing else.
    """
    environment = {
        "OPENAI_BASE_URL": server.base_url,
        "OPENAI_API_KEY": API_KEY,
        "AZURE_OPENAI_ENDPOINT": server.url,
        "AZURE_OPENAI_API_KEY": API_KEY,
        "OPENAI_API_VERSION": AZURE_API_VERSION,
        "PROJECT_ENDPOINT": f"{server.url}/api/projects/{PROJECT}",
        "GATEWAY_URL": server.url,
        "APPBUILDER_TOKEN": API_KEY,
    }
    if server.ca_bundle is not None:
        environment["SSL_CERT_FILE"] = str(server.ca_bundle)
        environment["REQUESTS_CA_BUNDLE"] = str(server.ca_bundle)
    return environment
