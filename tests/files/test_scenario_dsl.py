"""The scenario DSL for files: ingestion outcomes, file_search results, citations, images, and
its located errors."""

from __future__ import annotations

import textwrap

import openai
import pytest

from harness import AssistantsAPI
from harness.errors import ScenarioError
from harness.scenario import load_scenario, parse_scenario

INGESTION = """
name: ingestion-outcomes
ingestion:
  files:
    - {match: 'scan-*.pdf', status: failed, polls: 2, last_error: {code: invalid_file, message: Unreadable scan.}}
  file_batches:
    - {match: 'bulk-*', status: cancelled}
  vector_stores:
    - {match: temp, status: expired, polls: 1}
"""


def test_yaml_ingestion_outcomes(client: openai.OpenAI, api: AssistantsAPI) -> None:
    api.load_scenario(parse_scenario(INGESTION))
    store = client.vector_stores.create(name="docs")
    scan = client.vector_stores.files.upload_and_poll(
        vector_store_id=store.id, file=("scan-1.pdf", b"%PDF")
    )
    assert scan.status == "failed"
    assert scan.last_error is not None
    assert (scan.last_error.code, scan.last_error.message) == ("invalid_file", "Unreadable scan.")
    batch = client.vector_stores.file_batches.upload_and_poll(
        store.id, files=[("bulk-1.md", b"one\n"), ("bulk-2.md", b"two\n")]
    )
    assert batch.status == "cancelled"
    temp = client.vector_stores.create(name="temp")
    assert client.vector_stores.retrieve(temp.id).status == "expired"
    assert api.state.ingestion.unused() == []


CITED = """
name: scripted-citations
runs:
  - steps:
      - queued
      - status: in_progress
        activity:
          - file_search:
              query: refunds
              results:
                - {file: policy.md, score: 0.8}
                - {file: faq.md, text: Refunds take five days., score: 0.5}
      - status: completed
        activity:
          - message:
              text: "Refunds are possible within 30 days【1:0†policy】 and take five days【1:1†faq】."
              citations:
                - {text: "【1:0†policy】", file: policy.md}
                - {text: "【1:1†faq】", file: faq.md}
"""


@pytest.mark.parametrize("stream", [False, True])
def test_scripted_results_and_citations(
    client: openai.OpenAI, api: AssistantsAPI, stream: bool
) -> None:
    api.load_scenario(parse_scenario(CITED))
    policy = client.files.create(
        file=("policy.md", b"# Policy\n\nRefunds are possible within 30 days of purchase.\n"),
        purpose="assistants",
    )
    faq = client.files.create(file=("faq.md", b"Refunds take five days.\n"), purpose="assistants")
    assistant = client.beta.assistants.create(model="gpt-4o", tools=[{"type": "file_search"}])
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Refunds?"}])
    if stream:
        with client.beta.threads.runs.stream(
            thread_id=thread.id,
            assistant_id=assistant.id,
            include=["step_details.tool_calls[*].file_search.results[*].content"],
        ) as events:
            # The deltas of a file_search call are empty, as the API's were: the results come
            # with the completed step.
            steps = [
                event.data
                for event in events
                if event.event == "thread.run.step.completed" and event.data.type == "tool_calls"
            ]
            run_id = events.get_final_run().id
        results = steps[0].step_details.tool_calls[0].file_search.results  # type: ignore[union-attr]
        assert results is not None
        assert results[0].content[0].text == "Refunds are possible within 30 days of purchase."  # type: ignore[index]
    else:
        run_id = client.beta.threads.runs.create_and_poll(
            thread_id=thread.id, assistant_id=assistant.id
        ).id
    step = client.beta.threads.runs.steps.list(run_id, thread_id=thread.id, order="asc").data[0]
    results = step.step_details.tool_calls[0].file_search.results  # type: ignore[union-attr]
    assert [(r.file_id, r.score) for r in results or []] == [(policy.id, 0.8), (faq.id, 0.5)]
    answer = client.beta.threads.messages.list(thread.id, run_id=run_id).data[0]
    block = answer.content[0]
    assert block.type == "text"
    notes = block.text.annotations
    assert [n.file_citation.file_id for n in notes] == [policy.id, faq.id]  # type: ignore[union-attr]
    for note in notes:
        assert block.text.value[note.start_index : note.end_index] == note.text


def test_builtin_file_search_with_citations_quotes_the_upload(
    client: openai.OpenAI, api: AssistantsAPI
) -> None:
    api.load_scenario(load_scenario("builtin:file-search-with-citations"))
    file = client.files.create(
        file=("guide.md", b"Intro.\n\nThreads store the messages of a conversation.\n"),
        purpose="assistants",
    )
    store = client.vector_stores.create(name="docs", file_ids=[file.id])
    assistant = client.beta.assistants.create(
        model="gpt-4o",
        tools=[{"type": "file_search"}],
        tool_resources={"file_search": {"vector_store_ids": [store.id]}},
    )
    thread = client.beta.threads.create(
        messages=[{"role": "user", "content": "What do threads store?"}]
    )
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    block = client.beta.threads.messages.list(thread.id, run_id=run.id).data[0].content[0]
    assert block.type == "text"
    assert block.text.value.startswith("According to the files: “Threads store the messages")
    assert block.text.annotations[0].file_citation.file_id == file.id  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("yaml_text", "location", "message"),
    [
        (
            """
            name: x
            runs:
              - steps:
                  - status: completed
                    activity:
                      - message:
                          text: "No marker here."
                          citations: [{text: "【4:0†source】"}]
            """,
            "runs[0].steps[0].activity[0].message.citations[0].text",
            "does not occur in the message text",
        ),
        (
            """
            name: x
            runs:
              - steps:
                  - status: completed
                    messages:
                      - text: "one [1]"
                        file_paths: [{text: "[1]", file: a.csv}, {text: "[1]", file: b.csv}]
            """,
            "runs[0].steps[0].messages[0].file_paths[1].text",
            "that often",
        ),
        (
            """
            name: x
            ingestion:
              vector_stores:
                - {status: failed}
            """,
            "ingestion.vector_stores[0].status",
            "vector_stores end as one of completed, expired",
        ),
        (
            """
            name: x
            ingestion:
              files:
                - {status: completed, last_error: {code: invalid_file}}
            """,
            "ingestion.files[0].last_error",
            "only a failed file has last_error",
        ),
    ],
)
def test_located_errors(yaml_text: str, location: str, message: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(textwrap.dedent(yaml_text), source="x.yaml")
    text = str(caught.value)
    assert text.startswith("x.yaml:")
    assert location in text
    assert message in text
