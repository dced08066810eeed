"""The harness_cassette marker: record once through vcrpy, then replay without the server."""

from __future__ import annotations

import pytest

TEST_FILE = """
import pytest


@pytest.mark.harness_cassette
def test_session(harness_client, harness_server):
    assistant = harness_client.beta.assistants.create(model="gpt-4o", name="recorded")
    again = harness_client.beta.assistants.retrieve(assistant.id)
    assert again.name == "recorded"
    print("SERVER-REQUESTS", len(harness_server.requests))
"""


@pytest.fixture(autouse=True)
def _quiet_ini(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")


def test_records_once_then_replays_without_the_server(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_recorded=TEST_FILE)
    missing = pytester.runpytest("-p", "no:cacheprovider")
    missing.assert_outcomes(errors=1)
    missing.stdout.fnmatch_lines(["*no cassette at *test_session.yaml*--harness-record-mode=once*"])

    recorded = pytester.runpytest("-p", "no:cacheprovider", "--harness-record-mode=once", "-s")
    recorded.assert_outcomes(passed=1)
    recorded.stdout.fnmatch_lines(["*SERVER-REQUESTS 2*"])
    cassette = pytester.path / "cassettes" / "test_recorded" / "test_session.yaml"
    text = cassette.read_text()
    assert "interactions:" in text
    assert "sk-harness-test" not in text  # the Authorization header is scrubbed
    assert "<scrubbed>" in text

    replayed = pytester.runpytest("-p", "no:cacheprovider", "-s")
    replayed.assert_outcomes(passed=1)
    replayed.stdout.fnmatch_lines(["*SERVER-REQUESTS 0*"])  # vcrpy answered, not the server


def test_marker_record_mode_and_path(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_paths="""
        import pytest

        @pytest.mark.harness_cassette("shared/one.yaml", record_mode="all")
        def test_custom(harness_client):
            harness_client.beta.threads.create()
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert (pytester.path / "cassettes" / "shared" / "one.yaml").is_file()


def test_bad_marker_arguments_are_reported(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_bad="""
        import pytest

        @pytest.mark.harness_cassette(mode="x")
        def test_x():
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*harness_cassette marker: takes an optional path*"])
