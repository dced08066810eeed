"""Helpers of the files tests."""

from __future__ import annotations

import openai


def message_of(error: openai.APIStatusError) -> str:
    """The API's own message (openai 1.x prefixes ``.message`` with the status code)."""
    assert isinstance(error.body, dict)
    return str(error.body["message"])
