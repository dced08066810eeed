"""Files through the recording proxy and back out of the cassette: multipart uploads and binary
downloads survive recording, saving and replay byte for byte."""

from __future__ import annotations

from pathlib import Path

import openai

from harness import AssistantsAPI, FakeServer, ServerConfig
from harness.cassettes import load_cassette, recording_proxy_app, replay_app
from harness.core.png import tiny_png
from harness.server import AppServer


def test_upload_and_download_record_and_replay(tmp_path: Path) -> None:
    png = tiny_png("cassette")
    path = tmp_path / "files.yaml"
    upstream = FakeServer(AssistantsAPI(ServerConfig(poll_after_ms=0)))
    with upstream, AppServer(recording_proxy_app(upstream.url, path)) as proxy:
        client = openai.OpenAI(base_url=proxy.url + "/v1", api_key="sk-x", max_retries=0)
        uploaded = client.files.create(file=("chart.png", png), purpose="vision")
        assert client.files.content(uploaded.id).read() == png
        store = client.vector_stores.create(name="docs")
        polled = client.vector_stores.files.upload_and_poll(
            vector_store_id=store.id, file=("guide.md", b"Threads hold messages.\n")
        )
        assert polled.status == "completed"
    cassette = load_cassette(path)
    upload = next(i for i in cassette.interactions if i.request.path == "/v1/files")
    assert upload.request.content_type.startswith("multipart/form-data")
    assert png in upload.request.content
    with AppServer(replay_app(cassette)) as replay:
        client = openai.OpenAI(base_url=replay.url + "/v1", api_key="sk-x", max_retries=0)
        again = client.files.create(file=("chart.png", png), purpose="vision")
        assert again.id == uploaded.id
        assert client.files.content(uploaded.id).read() == png
