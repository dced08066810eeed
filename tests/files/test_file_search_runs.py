"""Assistants that answer from files: file_search steps, citations, include[], tool_resources."""

from __future__ import annotations

from typing import Any

import openai
import pytest

from harness import AssistantsAPI
from tests.files.support import message_of

GUIDE = (
    b"# Assistants\n\nThe Assistants API is designed to help developers build powerful AI "
    b"assistants.\n\nA run step is a detailed list of steps the Assistant took as part of a "
    b"Run. Steps can be tool calls or message creations.\n\nThreads store messages.\n"
)
CONTENT = "step_details.tool_calls[*].file_search.results[*].content"


def _search_assistant(client: openai.OpenAI) -> tuple[str, str, str]:
    file = client.files.create(file=("assistants-guide.md", GUIDE), purpose="assistants")
    store = client.vector_stores.create(name="docs")
    client.vector_stores.files.create_and_poll(file_id=file.id, vector_store_id=store.id)
    assistant = client.beta.assistants.create(
        model="gpt-4o",
        tools=[{"type": "file_search"}],
        tool_resources={"file_search": {"vector_store_ids": [store.id]}},
    )
    return assistant.id, store.id, file.id


def _check_citation(message: Any, file_id: str) -> str:
    (block,) = message.content
    text = block.text.value
    (note,) = block.text.annotations
    assert note.type == "file_citation"
    assert note.file_citation.file_id == file_id
    assert text[note.start_index : note.end_index] == note.text
    quoted = text.split("“")[1].split("”")[0]
    assert quoted.encode() in GUIDE
    return quoted


def test_default_file_search_answers_with_a_citation(client: openai.OpenAI) -> None:
    assistant_id, _, file_id = _search_assistant(client)
    thread = client.beta.threads.create(
        messages=[{"role": "user", "content": "What is a run step?"}]
    )
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant_id)
    assert run.status == "completed"
    answer = client.beta.threads.messages.list(thread.id, run_id=run.id).data[0]
    assert _check_citation(answer, file_id).startswith("A run step is a detailed list")
    steps = client.beta.threads.runs.steps.list(run.id, thread_id=thread.id, order="asc").data
    assert [s.type for s in steps] == ["tool_calls", "message_creation"]
    call = steps[0].step_details.tool_calls[0]  # type: ignore[union-attr]
    assert call.type == "file_search"
    result = call.file_search.results[0]  # type: ignore[union-attr]
    assert (result.file_id, result.file_name) == (file_id, "assistants-guide.md")
    assert 0 < result.score <= 1
    assert result.content is None  # not asked for
    step = client.beta.threads.runs.steps.retrieve(
        steps[0].id, thread_id=thread.id, run_id=run.id, include=[CONTENT]
    )
    content = step.step_details.tool_calls[0].file_search.results[0].content  # type: ignore[union-attr]
    assert content is not None
    assert content[0].text.startswith("A run step is")
    listed = client.beta.threads.runs.steps.list(run.id, thread_id=thread.id, include=[CONTENT])
    assert any(s.type == "tool_calls" for s in listed.data)


def test_without_files_the_default_reply_stays(client: openai.OpenAI) -> None:
    store = client.vector_stores.create(name="empty")
    assistant = client.beta.assistants.create(
        model="gpt-4o",
        tools=[{"type": "file_search"}],
        tool_resources={"file_search": {"vector_store_ids": [store.id]}},
    )
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    steps = client.beta.threads.runs.steps.list(run.id, thread_id=thread.id).data
    assert [s.type for s in steps] == ["message_creation"]


def test_streaming_tells_the_same_story(client: openai.OpenAI) -> None:
    assistant_id, _, file_id = _search_assistant(client)
    thread = client.beta.threads.create(
        messages=[{"role": "user", "content": "What is a run step?"}]
    )
    events: list[str] = []
    tool_deltas: list[Any] = []
    annotation_deltas: list[Any] = []
    with client.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant_id) as stream:
        for event in stream:
            events.append(event.event)
            if event.event == "thread.run.step.delta":
                tool_deltas += event.data.delta.step_details.tool_calls or []  # type: ignore[union-attr]
            if event.event == "thread.message.delta":
                for part in event.data.delta.content or []:
                    annotation_deltas += getattr(part.text, "annotations", None) or []  # type: ignore[union-attr]
        final = stream.get_final_messages()
    assert tool_deltas[0].type == "file_search"
    assert [a.type for a in annotation_deltas] == ["file_citation"]
    assert annotation_deltas[0].file_citation.file_id == file_id
    assert events[-1] == "thread.run.completed"
    _check_citation(final[0], file_id)


def test_tool_resources_are_checked(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        client.beta.assistants.create(
            model="gpt-4o", tool_resources={"file_search": {"vector_store_ids": ["vs_missing"]}}
        )
    assert message_of(caught.value).endswith("No vector store found with id 'vs_missing'.")
    with pytest.raises(openai.NotFoundError) as caught:
        client.beta.threads.create(
            tool_resources={"code_interpreter": {"file_ids": ["file-missing"]}}
        )
    assert message_of(caught.value).endswith("No file found with id 'file-missing'.")
    store = client.vector_stores.create(name="a")
    other = client.vector_stores.create(name="b")
    with pytest.raises(openai.BadRequestError) as caught:
        client.beta.assistants.create(
            model="gpt-4o",
            tool_resources={"file_search": {"vector_store_ids": [store.id, other.id]}},
        )
    assert "array too long" in message_of(caught.value)
    assert len(client.beta.assistants.list().data) == 0


def test_inline_vector_store_helper_and_thread_and_run(client: openai.OpenAI) -> None:
    file = client.files.create(file=("assistants-guide.md", GUIDE), purpose="assistants")
    assistant = client.beta.assistants.create(
        model="gpt-4o",
        tools=[{"type": "file_search"}],
        tool_resources={"file_search": {"vector_stores": [{"file_ids": [file.id]}]}},
    )
    store_ids = assistant.tool_resources.file_search.vector_store_ids  # type: ignore[union-attr]
    assert store_ids is not None
    assert client.vector_stores.retrieve(store_ids[0]).file_counts.total == 1
    plain = client.beta.assistants.create(model="gpt-4o", tools=[{"type": "file_search"}])
    run = client.beta.threads.create_and_run_poll(
        assistant_id=plain.id,
        thread={"messages": [{"role": "user", "content": "What is a run step?"}]},
        tool_resources={"file_search": {"vector_store_ids": store_ids}},
    )
    answer = client.beta.threads.messages.list(run.thread_id, run_id=run.id).data[0]
    _check_citation(answer, file.id)


def test_attachments_feed_the_thread_store(client: openai.OpenAI, api: AssistantsAPI) -> None:
    file = client.files.create(file=("assistants-guide.md", GUIDE), purpose="assistants")
    assistant = client.beta.assistants.create(model="gpt-4o", tools=[{"type": "file_search"}])
    thread = client.beta.threads.create(
        messages=[
            {
                "role": "user",
                "content": "What is a run step?",
                "attachments": [{"file_id": file.id, "tools": [{"type": "file_search"}]}],
            }
        ]
    )
    message = client.beta.threads.messages.list(thread.id).data[0]
    assert message.attachments[0].file_id == file.id  # type: ignore[index]
    stored = client.beta.threads.retrieve(thread.id)
    assert stored.tool_resources.file_search.vector_store_ids  # type: ignore[union-attr]
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    _check_citation(client.beta.threads.messages.list(thread.id, run_id=run.id).data[0], file.id)
    with pytest.raises(openai.NotFoundError):
        client.beta.threads.messages.create(
            thread.id,
            role="user",
            content="and this?",
            attachments=[{"file_id": "file-missing", "tools": [{"type": "file_search"}]}],
        )


async def test_async_file_search(aclient: openai.AsyncOpenAI) -> None:
    file = await aclient.files.create(file=("assistants-guide.md", GUIDE), purpose="assistants")
    store = await aclient.vector_stores.create(name="docs", file_ids=[file.id])
    assistant = await aclient.beta.assistants.create(
        model="gpt-4o",
        tools=[{"type": "file_search"}],
        tool_resources={"file_search": {"vector_store_ids": [store.id]}},
    )
    thread = await aclient.beta.threads.create(
        messages=[{"role": "user", "content": "What is a run step?"}]
    )
    run = await aclient.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id
    )
    assert run.status == "completed"
    page = await aclient.beta.threads.messages.list(thread.id, run_id=run.id)
    _check_citation(page.data[0], file.id)
