"""Helpers for the plugin's tests: a downstream project in a pytester directory."""

from __future__ import annotations

from collections.abc import Callable

import hypothesis  # noqa: F401
import openai
import pytest

HELPERS = '''
import time

LOOKUP = {
    "type": "function",
    "function": {
        "name": "lookup",
        "parameters": {
            "type": "object",
            "required": ["query"],
            "properties": {"query": {"type": "string", "minLength": 1}},
        },
    },
}
"""The project's own function tool."""


def start_run(client, content="Hi"):
    """An assistant, a thread with one message, and a run on them: (thread_id, run_id)."""
    assistant = client.beta.assistants.create(model="gpt-4o", tools=[LOOKUP])
    thread = client.beta.threads.create(messages=[{"role": "user", "content": content}])
    run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    return thread.id, run.id


def complete_run(client, content="Hi"):
    """A run created and polled to its end with the SDK's helper."""
    assistant = client.beta.assistants.create(model="gpt-4o", tools=[LOOKUP])
    thread = client.beta.threads.create(messages=[{"role": "user", "content": content}])
    return client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)


def poll_run_status(client, thread_id, run_id, interval=10):
    """The naive polling loop of the project's seeds: it knows only two ways to stop."""
    while True:
        run = client.beta.threads.runs.retrieve(thread_id=thread_id, run_id=run_id)
        if run.status in ['requires_action', 'completed']:
            return run
        time.sleep(interval)
'''


def _import_sdk_modules() -> None:
    """Import what the inner runs use, once: pytester drops modules first imported in a run."""
    for client in (
        openai.OpenAI(api_key="sk", base_url="http://127.0.0.1:9/v1"),
        openai.AsyncOpenAI(api_key="sk", base_url="http://127.0.0.1:9/v1"),
    ):
        assert client.beta.assistants is not None
        assert client.beta.threads.messages is not None
        assert client.beta.threads.runs.steps is not None


_import_sdk_modules()


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    """A downstream project: ``helpers.py`` with SDK snippets, and no harness configuration."""
    pytester.makepyfile(helpers=HELPERS)
    return pytester


@pytest.fixture
def run(project: pytest.Pytester) -> Callable[..., pytest.RunResult]:
    """Run pytest in-process in the project, quietly about pytest-asyncio's loop-scope notice."""

    def run(*args: str) -> pytest.RunResult:
        return project.runpytest(
            "-p", "no:cacheprovider", "-o", "asyncio_default_fixture_loop_scope=function", *args
        )

    return run
