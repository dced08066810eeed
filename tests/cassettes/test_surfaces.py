"""API surfaces by description: validate, convert and re-drive read every known URL layout,
and what they cannot read is reported as unchecked, never as ok."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from harness.cassettes import Cassette, Interaction, import_file, save_cassette
from harness.cassettes.checks import check_cassette
from harness.cassettes.convert import convert_cassette
from harness.cassettes.verify import compare_with_recording
from harness.cli import main
from harness.surfaces import (
    AZURE_FOUNDRY,
    AZURE_OPENAI,
    BUILTIN_SURFACES,
    OPENAI,
    Surface,
    operation_of,
)

AZURE = "https://acme.openai.azure.com/openai"
FOUNDRY = "https://acme.services.ai.azure.com/api/projects/shop"


@pytest.mark.parametrize(
    ("uri", "surface", "path", "query"),
    [
        (
            "https://api.openai.com/v1/threads/thread_1/runs?limit=2",
            OPENAI,
            "/threads/thread_1/runs",
            [("limit", "2")],
        ),
        ("http://127.0.0.1:9/proxy/v1/assistants", OPENAI, "/assistants", []),
        (
            f"{AZURE}/threads/thread_1/runs?api-version=2024-05-01-preview&order=asc",
            AZURE_OPENAI,
            "/threads/thread_1/runs",
            [("order", "asc")],
        ),
        (f"{AZURE}/v1/assistants?api-version=preview", AZURE_OPENAI, "/assistants", []),
        (
            f"{FOUNDRY}/threads/thread_1/messages?api-version=v1",
            AZURE_FOUNDRY,
            "/threads/thread_1/messages",
            [],
        ),
    ],
)
def test_each_surface_reads_its_urls(
    uri: str, surface: Surface, path: str, query: list[tuple[str, str]]
) -> None:
    found = operation_of("post", uri)
    assert found is not None
    assert (found.surface, found.method, found.path, list(found.query)) == (
        surface,
        "POST",
        path,
        query,
    )


@pytest.mark.parametrize(
    "uri",
    [
        f"{AZURE}/deployments/gpt4o/chat/completions?api-version=2024-05-01-preview",
        "https://api.openai.com/v1/chat/completions",
        "https://api.openai.com/threads",  # no /v1: not OpenAI's layout
        "https://example.com/weird/threads/thread_1",
    ],
)
def test_what_no_surface_describes_is_no_operation(uri: str) -> None:
    assert operation_of("GET", uri) is None


def test_a_surface_is_added_by_describing_it() -> None:
    appbuilder = Surface(name="appbuilder", title="AppBuilder", prefix=r"/v2/app")
    surfaces = (*BUILTIN_SURFACES, appbuilder)
    found = operation_of("GET", "https://qianfan.example/v2/app/threads/t1", surfaces)
    assert found is not None
    assert found.surface is appbuilder
    assert OPENAI.target(found) == "/v1/threads/t1"


def _moved(cassette: Cassette, base: str, query: str) -> Cassette:
    """The recording as if made on another surface: same operations, other URLs."""
    moved = []
    for interaction in cassette:
        request = interaction.request
        operation = operation_of(request.method, request.uri)
        assert operation is not None or "/v1/" in request.uri
        if operation is None:
            continue
        uri = base + OPENAI.target(operation).removeprefix("/v1")
        uri += ("&" if "?" in uri else "?") + query
        moved.append(Interaction(dataclasses.replace(request, uri=uri), interaction.response))
    return Cassette(moved)


def _corrupt_a_run_status(cassette: Cassette) -> Cassette:
    interactions = list(cassette)
    for index, interaction in enumerate(interactions):
        body = interaction.response.json()
        if isinstance(body, dict) and body.get("object") == "thread.run":
            body["status"] = "complete"  # not a run status
            response = dataclasses.replace(interaction.response, body=json.dumps(body))
            interactions[index] = Interaction(interaction.request, response)
            return Cassette(interactions)
    raise AssertionError("no run in the recording")


@pytest.mark.parametrize(
    ("base", "query"), [(AZURE, "api-version=2024-05-01-preview"), (FOUNDRY, "api-version=v1")]
)
def test_a_corrupted_status_is_caught_on_azure_surfaces(
    polling_recording: Path,
    tmp_path: Path,
    base: str,
    query: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    moved = _moved(import_file(polling_recording), base, query)
    report = check_cassette(moved)
    assert report.checked == report.interactions
    assert not report.unchecked
    assert not [p for p in report.problems if p.severity == "error"]

    broken = tmp_path / "azure.yaml"
    save_cassette(_corrupt_a_run_status(moved), broken)
    assert main(["validate", str(broken)]) == 1
    assert "'complete' is not one of" in capsys.readouterr().err


def test_an_unknown_surface_is_reported_unchecked_not_ok(
    polling_recording: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    unknown = tmp_path / "unknown.yaml"
    save_cassette(_moved(import_file(polling_recording), "https://h/weird", "x=1"), unknown)
    assert main(["validate", str(unknown)]) == 1
    captured = capsys.readouterr()
    assert ": ok" not in captured.out
    assert "unchecked: none of its" in captured.err
    assert "no Assistants operation on a known surface" in captured.err


def test_a_partly_readable_cassette_says_what_was_left_unchecked(
    polling_recording: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cassette = import_file(polling_recording)
    first = cassette.interactions[0]
    odd = Interaction(
        dataclasses.replace(first.request, uri="https://api.openai.com/v1/embeddings"),
        first.response,
    )
    mixed = tmp_path / "mixed.yaml"
    save_cassette(Cassette([*cassette, odd]), mixed)
    assert main(["validate", str(mixed)]) == 0
    captured = capsys.readouterr()
    assert (
        f"{len(cassette)} of {len(cassette) + 1} interactions checked, 1 unchecked" in captured.out
    )
    assert "interactions[" in captured.err
    assert "unchecked" in captured.err


def test_convert_and_verify_read_an_azure_recording(
    polling_recording: Path, tmp_path: Path
) -> None:
    original = import_file(polling_recording)
    moved = _moved(original, AZURE, "api-version=2024-05-01-preview")
    assert convert_cassette(moved, name="x") == convert_cassette(
        Cassette(i for i in original if operation_of(i.request.method, i.request.uri)), name="x"
    )
    scenario = tmp_path / "azure.yaml"
    scenario.write_text(convert_cassette(moved, name="azure"))
    assert compare_with_recording(moved, scenario) == []
