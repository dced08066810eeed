"""A token credential for tests: Azure's SDKs want one, the fake accepts any bearer token."""

from __future__ import annotations

import time
from typing import Any

__all__ = ["StaticTokenCredential"]


class StaticTokenCredential:
    """An ``azure.core.credentials.TokenCredential`` that always returns the same token.

    >>> from azure.ai.agents import AgentsClient  # doctest: +SKIP
    >>> AgentsClient(endpoint, StaticTokenCredential())  # doctest: +SKIP
    """

    def __init__(self, token: str = "harness-test-token", lifetime_s: int = 3600) -> None:
        self.token = token
        self.lifetime_s = lifetime_s

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        return AccessToken(self.token, int(time.time()) + self.lifetime_s)

    def get_token_info(self, *scopes: str, options: Any = None) -> Any:
        from azure.core.credentials import AccessTokenInfo

        return AccessTokenInfo(self.token, int(time.time()) + self.lifetime_s)

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self) -> StaticTokenCredential:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
