"""Permissive mode materialises files and vector stores; the sunset profile keeps them."""

from __future__ import annotations

import openai
import pytest

from harness import AssistantsAPI, FakeServer, ServerConfig


def test_permissive_mode_materialises_files_and_stores() -> None:
    config = ServerConfig(permissive=True, validate_responses=True, poll_after_ms=0)
    with FakeServer(AssistantsAPI(config)) as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="sk-x", max_retries=0)
        file = client.files.retrieve("file-fromConfig")
        assert (file.id, file.purpose) == ("file-fromConfig", "assistants")
        assert client.files.content("file-fromConfig").read()  # no refusal when permissive
        store = client.vector_stores.retrieve("vs_fromConfig")
        assert (store.id, store.status) == ("vs_fromConfig", "completed")
        vs_file = client.vector_stores.files.retrieve("file-other", vector_store_id="vs_fromConfig")
        assert vs_file.vector_store_id == "vs_fromConfig"
        assistant = client.beta.assistants.create(
            model="gpt-4o",
            tools=[{"type": "file_search"}],
            tool_resources={"file_search": {"vector_store_ids": ["vs_elsewhere"]}},
        )
        assert assistant.tool_resources.file_search.vector_store_ids == ["vs_elsewhere"]  # type: ignore[union-attr]
        assert client.vector_stores.retrieve("vs_elsewhere").id == "vs_elsewhere"


def test_sunset_keeps_files_and_vector_stores() -> None:
    with FakeServer(AssistantsAPI(ServerConfig(profile="sunset"))) as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="sk-x", max_retries=0)
        assert client.files.create(file=("a.txt", b"a"), purpose="user_data").bytes == 1
        assert client.vector_stores.create(name="still here").status == "completed"
        with pytest.raises(openai.NotFoundError):
            client.beta.assistants.list()  # the Assistants API itself is gone
