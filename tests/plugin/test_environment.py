"""``harness_env``: code that builds its own clients from the environment talks to the fake."""

from __future__ import annotations

from collections.abc import Callable

import pytest

# Imported here, not first inside an inner run: pytester unloads what a run imported, and
# numpy (under appbuilder) and cryptography's bindings (under trustme) cannot be loaded twice
# in one process.
pytest.importorskip("appbuilder")
pytest.importorskip("azure.ai.agents")
pytest.importorskip("trustme")

Run = Callable[..., pytest.RunResult]

APP = '''
"""Application code, unchanged: every client configures itself from the environment."""
import os

import appbuilder
import openai


def ask_openai(question):
    client = openai.OpenAI()
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": question}])
    return client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=0
    ).status


def ask_azure(question):
    client = openai.AzureOpenAI()
    assistant = client.beta.assistants.create(model="gpt-4o-deployment")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": question}])
    return client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=0
    ).status


def ask_appbuilder(question):
    assistant = appbuilder.assistant.assistants.create(name="app", description="", instructions="x")
    thread = appbuilder.assistant.threads.create()
    appbuilder.assistant.threads.messages.create(thread_id=thread.id, content=question)
    return appbuilder.assistant.threads.runs.run(thread_id=thread.id, assistant_id=assistant.id).status


def ask_foundry(question, credential):
    from azure.ai.agents import AgentsClient

    client = AgentsClient(endpoint=os.environ["PROJECT_ENDPOINT"], credential=credential)
    agent = client.create_agent(model="gpt-4o", name="app", instructions="x")
    thread = client.threads.create()
    client.messages.create(thread_id=thread.id, role="user", content=question)
    return client.runs.create_and_process(
        thread_id=thread.id, agent_id=agent.id, polling_interval=0
    ).status
'''


def test_unchanged_clients_use_the_fake_for_the_test_only(
    project: pytest.Pytester, run: Run
) -> None:
    project.makepyfile(myapp=APP)
    project.makepyfile(
        test_app="""
        import os

        from myapp import ask_appbuilder, ask_azure, ask_openai


        def test_every_wire(harness_env, harness_server):
            assert harness_env["OPENAI_BASE_URL"] == harness_server.base_url
            assert ask_openai("Hi") == "completed"
            assert ask_azure("Hi") == "completed"
            assert ask_appbuilder("你好") == "completed"
            assert len(harness_server.store.runs) == 3
            assert "SSL_CERT_FILE" not in harness_env


        def test_restored_afterwards():
            assert os.environ.get("GATEWAY_URL") != "set by harness"
            assert "127.0.0.1" not in os.environ.get("OPENAI_BASE_URL", "")
            assert "127.0.0.1" not in os.environ.get("AZURE_OPENAI_ENDPOINT", "")
        """
    )
    result = run("-p", "no:randomly")
    result.assert_outcomes(passed=2)


def test_with_tls_the_ca_bundle_is_trusted_and_bearer_clients_work(
    project: pytest.Pytester, run: Run
) -> None:
    project.makepyfile(myapp=APP)
    project.makepyfile(
        test_app="""
        from pathlib import Path

        from harness.dialects.azure.credentials import StaticTokenCredential
        from myapp import ask_azure, ask_foundry


        def test_azure_over_https(harness_env, harness_server):
            assert harness_server.url.startswith("https://")
            assert Path(harness_env["SSL_CERT_FILE"]) == harness_server.ca_bundle
            assert harness_env["REQUESTS_CA_BUNDLE"] == harness_env["SSL_CERT_FILE"]
            assert ask_azure("Hi") == "completed"
            assert ask_foundry("Hi", StaticTokenCredential()) == "completed"


        def test_the_openai_fixture_trusts_it_too(harness_client):
            assert harness_client.beta.threads.create().id.startswith("thread_")
        """
    )
    result = run("--harness-tls")
    result.assert_outcomes(passed=2)
