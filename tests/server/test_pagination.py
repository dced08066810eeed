"""Cursor pagination exactly as the SDK's auto-pager expects."""

from __future__ import annotations

import openai
import pytest

from harness import AssistantsAPI


@pytest.fixture
def assistant_ids(client: openai.OpenAI) -> list[str]:
    return [client.beta.assistants.create(model="gpt-4o", name=str(i)).id for i in range(250)]


def test_auto_pagination_over_250_in_both_orders(
    client: openai.OpenAI, assistant_ids: list[str]
) -> None:
    ascending = [a.id for a in client.beta.assistants.list(order="asc", limit=100)]
    assert ascending == assistant_ids
    descending = [a.id for a in client.beta.assistants.list(order="desc", limit=7)]
    assert descending == assistant_ids[::-1]
    default = [a.id for a in client.beta.assistants.list()]
    assert default == assistant_ids[::-1]


async def test_async_auto_pagination(aclient: openai.AsyncOpenAI, assistant_ids: list[str]) -> None:
    seen = [a.id async for a in aclient.beta.assistants.list(order="asc", limit=33)]
    assert seen == assistant_ids


def test_page_envelope_and_cursors(client: openai.OpenAI, assistant_ids: list[str]) -> None:
    page = client.beta.assistants.list(order="asc", limit=2)
    assert [a.id for a in page.data] == assistant_ids[:2]
    assert page.first_id == assistant_ids[0]
    assert page.last_id == assistant_ids[1]
    assert page.has_more is True
    after = client.beta.assistants.list(order="asc", limit=3, after=assistant_ids[1])
    assert [a.id for a in after.data] == assistant_ids[2:5]
    before = client.beta.assistants.list(order="asc", limit=3, before=assistant_ids[10])
    assert [a.id for a in before.data] == assistant_ids[7:10]
    assert before.has_more is True
    last = client.beta.assistants.list(order="asc", limit=100, after=assistant_ids[-2])
    assert [a.id for a in last.data] == assistant_ids[-1:]
    assert last.has_more is False


def test_empty_list_has_null_cursors(client: openai.OpenAI, api: AssistantsAPI) -> None:
    raw = client.beta.assistants.with_raw_response.list()
    assert raw.http_request.url.path.endswith("/assistants")
    body = raw.parse()
    assert (body.data, body.first_id, body.last_id, body.has_more) == ([], None, None, False)


def test_messages_of_one_thread_only(client: openai.OpenAI) -> None:
    first = client.beta.threads.create(
        messages=[{"role": "user", "content": str(i)} for i in range(5)]
    )
    client.beta.threads.create(messages=[{"role": "user", "content": "other"}])
    texts = [
        m.content[0].text.value
        for m in client.beta.threads.messages.list(first.id, order="asc", limit=2)
    ]  # type: ignore[union-attr]
    assert texts == ["0", "1", "2", "3", "4"]
