"""``harness serve --dialect ... [--tls]`` prints what a client needs, and answers that client."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture
def serve() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)


def _start(started: list[subprocess.Popen[str]], *args: str) -> str:
    process = subprocess.Popen(
        [sys.executable, "-m", "harness", "serve", *args],
        stdout=subprocess.PIPE,
        text=True,
    )
    started.append(process)
    assert process.stdout is not None
    return process.stdout.readline()


def test_appbuilder_banner_gives_the_gateway_url(
    serve: list[subprocess.Popen[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    import appbuilder

    line = _start(serve, "--dialect", "appbuilder")
    found = re.search(r"GATEWAY_URL=(http://127\.0\.0\.1:\d+)\)", line)
    assert found, line
    monkeypatch.setenv("GATEWAY_URL", found.group(1))
    monkeypatch.setenv("APPBUILDER_TOKEN", "t")
    assert appbuilder.assistant.threads.create().id.startswith("thread_")


def test_azure_tls_banner_gives_endpoints_and_the_ca_bundle(
    serve: list[subprocess.Popen[str]],
) -> None:
    import openai

    line = _start(serve, "--dialect", "azure", "--tls")
    found = re.search(
        r"AZURE_OPENAI_ENDPOINT=(https://127\.0\.0\.1:\d+)\).*CA bundle (\S+\.pem)", line
    )
    assert found, line
    endpoint, bundle = found.groups()
    assert Path(bundle).read_text().startswith("-----BEGIN CERTIFICATE-----")
    assert f"{endpoint}/api/projects/harness" in line
    client = openai.AzureOpenAI(
        azure_endpoint=endpoint,
        api_key="k",
        api_version="2024-05-01-preview",
        http_client=openai.DefaultHttpxClient(verify=bundle),
    )
    assert client.beta.threads.create().id.startswith("thread_")
