"""The Files API through the real SDK: upload, list, retrieve, download, delete, and its errors."""

from __future__ import annotations

import httpx2
import openai
import pytest

from harness import AssistantsAPI, FakeServer
from harness.schemas import validate
from tests.files.support import message_of

GUIDE = b"The Assistants API is designed to help developers build powerful AI assistants.\n"


def test_upload_needs_no_beta_header(client: openai.OpenAI, api: AssistantsAPI) -> None:
    uploaded = client.files.create(file=("guide.md", GUIDE), purpose="assistants")
    assert uploaded.id.startswith("file-")
    assert len(uploaded.id) == len("file-") + 24
    assert (uploaded.filename, uploaded.bytes, uploaded.purpose) == (
        "guide.md",
        len(GUIDE),
        "assistants",
    )
    assert uploaded.status == "processed"
    assert api.state.journal.violations == []
    validate("file", client.files.retrieve(uploaded.id).model_dump(mode="json"))


def test_content_downloads_the_uploaded_bytes(client: openai.OpenAI) -> None:
    data = bytes(range(256)) * 4 + b"\r\n--boundary-like\r\n" + GUIDE
    uploaded = client.files.create(file=("blob.bin", data), purpose="user_data")
    assert uploaded.bytes == len(data)
    assert client.files.content(uploaded.id).read() == data


def test_assistants_files_cannot_be_downloaded(client: openai.OpenAI) -> None:
    uploaded = client.files.create(file=("guide.md", GUIDE), purpose="assistants")
    with pytest.raises(openai.BadRequestError) as caught:
        client.files.content(uploaded.id)
    assert message_of(caught.value).endswith("Not allowed to download files of purpose: assistants")


def test_list_filters_by_purpose_and_pages(client: openai.OpenAI) -> None:
    ids = [
        client.files.create(file=(f"f{n}.txt", b"x" * (n + 1)), purpose="assistants").id
        for n in range(3)
    ]
    other = client.files.create(file=("b.jsonl", b"{}\n"), purpose="batch").id
    listed = [f.id for f in client.files.list(purpose="assistants", limit=2, order="asc")]
    assert listed == ids  # the auto-pager walked both pages
    page = client.files.list(purpose="assistants", limit=2, order="asc")
    assert page.has_more is True
    assert [f.id for f in client.files.list(purpose="batch")] == [other]
    assert {f.id for f in client.files.list()} == {*ids, other}


def test_delete_then_unknown(client: openai.OpenAI) -> None:
    uploaded = client.files.create(file=("guide.md", GUIDE), purpose="assistants")
    deleted = client.files.delete(uploaded.id)
    assert (deleted.id, deleted.deleted, deleted.object) == (uploaded.id, True, "file")
    with pytest.raises(openai.NotFoundError) as caught:
        client.files.retrieve(uploaded.id)
    assert message_of(caught.value).endswith(f"No such File object: {uploaded.id}")
    with pytest.raises(openai.NotFoundError):
        client.files.content(uploaded.id)
    with pytest.raises(openai.NotFoundError):
        client.files.delete(uploaded.id)


def test_bad_purpose_and_empty_file(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.files.create(file=("a.txt", b"x"), purpose="answers")  # type: ignore[arg-type]
    assert "'answers' is not one of ['fine-tune', 'assistants'" in message_of(caught.value)
    assert caught.value.param == "purpose"  # type: ignore[attr-defined]
    with pytest.raises(openai.BadRequestError) as caught:
        client.files.create(file=("empty.txt", b""), purpose="assistants")
    assert message_of(caught.value).endswith("File is empty.")


@pytest.mark.parametrize(
    ("content_type", "body", "expected"),
    [
        ("application/json", b'{"purpose": "assistants"}', "expected multipart/form-data"),
        ("multipart/form-data", b"--x--", "has no boundary"),
        (
            "multipart/form-data; boundary=x",
            b"--x\r\nContent-Disposition: form-data",
            "ends inside a part",
        ),
        (
            "multipart/form-data; boundary=x",
            b'--x\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nA\r\n--x--\r\n',
            "Missing required parameter: 'purpose'.",
        ),
        (
            "multipart/form-data; boundary=x",
            b'--x\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nassistants\r\n--x--\r\n',
            "Missing required parameter: 'file'.",
        ),
    ],
)
def test_malformed_uploads_get_400_envelopes(
    server: FakeServer, content_type: str, body: bytes, expected: str
) -> None:
    response = httpx2.post(
        f"{server.base_url}/files",
        content=body,
        headers={"Authorization": "Bearer sk-test", "Content-Type": content_type},
    )
    assert response.status_code == 400
    assert expected in response.json()["error"]["message"]
    assert server.api.state.store.counts()["files"] == 0


def test_file_too_large(server: FakeServer) -> None:
    from dataclasses import replace

    api = AssistantsAPI(replace(server.api.config, max_upload_bytes=4))
    with FakeServer(api) as small:
        client = openai.OpenAI(base_url=small.base_url, api_key="sk-test", max_retries=0)
        with pytest.raises(openai.APIStatusError) as caught:
            client.files.create(file=("a.txt", b"12345"), purpose="assistants")
        assert caught.value.status_code == 413
        assert client.files.create(file=("a.txt", b"1234"), purpose="assistants").bytes == 4


async def test_async_upload_download_delete(aclient: openai.AsyncOpenAI) -> None:
    uploaded = await aclient.files.create(file=("data.csv", b"a,b\n1,2\n"), purpose="user_data")
    assert (await aclient.files.retrieve(uploaded.id)).filename == "data.csv"
    assert (await aclient.files.content(uploaded.id)).read() == b"a,b\n1,2\n"
    assert [f.id async for f in aclient.files.list()] == [uploaded.id]
    assert (await aclient.files.delete(uploaded.id)).deleted is True
