"""Permissive mode (objects materialise on first use) and the sunset profile."""

from __future__ import annotations

from collections.abc import Iterator

import openai
import pytest
from openai.types.beta import Assistant, Thread
from openai.types.beta.threads import Message, Run
from openai.types.beta.threads.runs import RunStep

from harness import AssistantsAPI, FakeServer, ServerConfig
from harness.cli import main


@pytest.fixture(scope="module")
def permissive_server() -> Iterator[FakeServer]:
    config = ServerConfig(permissive=True, validate_responses=True, poll_after_ms=0)
    with FakeServer(AssistantsAPI(config)) as server:
        yield server


@pytest.fixture
def loose(permissive_server: FakeServer) -> openai.OpenAI:
    permissive_server.api.reset()
    return openai.OpenAI(base_url=permissive_server.base_url, api_key="sk-x", max_retries=0)


def test_placeholder_ids_answer_schema_valid_objects(loose: openai.OpenAI) -> None:
    beta = loose.beta
    assert isinstance(beta.assistants.retrieve("asst_from_config"), Assistant)
    assert beta.assistants.retrieve("asst_from_config").id == "asst_from_config"
    thread = beta.threads.retrieve("thread_id")
    assert isinstance(thread, Thread)
    assert thread.id == "thread_id"
    message = beta.threads.messages.retrieve("message_id", thread_id="thread_id")
    assert isinstance(message, Message)
    assert message.thread_id == "thread_id"
    run = beta.threads.runs.retrieve("run_id", thread_id="thread_id")
    assert isinstance(run, Run)
    assert (run.id, run.thread_id) == ("run_id", "thread_id")
    step = beta.threads.runs.steps.retrieve("step_id", thread_id="thread_id", run_id="run_id")
    assert isinstance(step, RunStep)
    assert step.run_id == "run_id"
    created = beta.threads.runs.create(thread_id="thread_id", assistant_id="assistant_id")
    assert created.assistant_id == "assistant_id"
    assert beta.threads.messages.create("thread_id", role="user", content="hi").role == "user"
    accepted = beta.threads.runs.submit_tool_outputs(
        "run_id", thread_id="thread_id", tool_outputs=[{"tool_call_id": "call_x", "output": "1"}]
    )
    assert accepted.id == "run_id"
    assert beta.threads.runs.cancel("run_id", thread_id="thread_id").status in {
        "cancelling",
        "completed",
    }
    assert beta.threads.runs.list("thread_id").data
    assert beta.assistants.list(limit=500).data  # range checks are relaxed


async def test_placeholder_ids_async(permissive_server: FakeServer) -> None:
    permissive_server.api.reset()
    async with openai.AsyncOpenAI(base_url=permissive_server.base_url, api_key="sk-x") as client:
        run = await client.beta.threads.runs.retrieve("run_id", thread_id="thread_id")
        assert isinstance(run, Run)
        polled = await client.beta.threads.runs.poll("run_id", thread_id="thread_id")
        assert polled.status == "completed"
        messages = await client.beta.threads.messages.list("thread_id")
        assert all(isinstance(m, Message) for m in messages.data)


def test_permissive_still_checks_types(permissive_server: FakeServer, loose: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError):
        loose.beta.assistants.create(model=5)  # type: ignore[arg-type]


def test_strict_mode_stays_the_default(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError):
        client.beta.threads.retrieve("thread_id")
    with pytest.raises(openai.BadRequestError):
        client.beta.threads.retrieve("placeholder")
    with pytest.raises(openai.NotFoundError):
        client.beta.assistants.retrieve("asst_from_config")


def test_sunset_profile_answers_404_everywhere() -> None:
    with FakeServer(AssistantsAPI(ServerConfig(profile="sunset"))) as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="sk-x", max_retries=0)
        with pytest.raises(openai.NotFoundError) as caught:
            client.beta.assistants.create(model="gpt-4o")
        assert caught.value.body == {
            "message": "Invalid URL (POST /v1/assistants)",
            "type": "invalid_request_error",
            "param": None,
            "code": None,
        }
        with pytest.raises(openai.NotFoundError):
            client.beta.threads.runs.retrieve("run_a", thread_id="thread_a")


def test_serve_accepts_the_mode_flags() -> None:
    from harness.cli import build_parser
    from harness.cli.serve import config_from_args

    args = build_parser().parse_args(
        ["serve", "--permissive", "--profile", "sunset", "--seed", "7"]
    )
    config = config_from_args(args)
    assert (config.permissive, config.profile, config.seed) == (True, "sunset", 7)
    assert main(["schema", "--list"]) == 0
