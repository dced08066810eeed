"""Fixtures of our own suite: one validating fake server per session, reset for every test."""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator, Iterator

import openai
import pytest

from harness import AssistantsAPI, FakeServer, ServerConfig

TEST_CONFIG = ServerConfig(validate_responses=True, poll_after_ms=0)


@pytest.fixture(autouse=True)
def _no_assistants_deprecation_noise() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


@pytest.fixture(scope="session")
def session_server() -> Iterator[FakeServer]:
    with FakeServer(AssistantsAPI(TEST_CONFIG)) as server:
        yield server


@pytest.fixture
def server(session_server: FakeServer) -> FakeServer:
    """The session's fake server, with every object and journal entry forgotten."""
    session_server.api.load_scenario(None)
    return session_server


@pytest.fixture
def api(server: FakeServer) -> AssistantsAPI:
    return server.api


@pytest.fixture
def client(server: FakeServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.base_url, api_key="sk-test", max_retries=0)


@pytest.fixture
async def aclient(server: FakeServer) -> AsyncIterator[openai.AsyncOpenAI]:
    async with openai.AsyncOpenAI(
        base_url=server.base_url, api_key="sk-test", max_retries=0
    ) as async_client:
        yield async_client
