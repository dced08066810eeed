"""The harness_cassette marker: record once, then replay without the server; record an upstream."""

from __future__ import annotations

import pytest

# Imported here, before pytester's in-process runs: a run that imported PyYAML first would
# have it removed from sys.modules afterwards, and libyaml's C parser does not survive a
# re-import (its nodes would no longer be the new module's classes).
import harness.cassettes  # noqa: F401

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


UPSTREAM_TEST = """
import pytest


@pytest.mark.harness_cassette
def test_upstream(harness_client, harness_server):
    thread = harness_client.beta.threads.create(metadata={"from": "upstream"})
    assert harness_client.beta.threads.retrieve(thread.id).metadata == {"from": "upstream"}
    assert not harness_server.requests  # the client talked to the upstream, not the fake
"""


def test_records_a_compatible_upstream_with_its_key_from_the_environment(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    from harness import FakeServer

    key = "sk-" + "proj-UpstreamKeyNeverWritten0123456789"
    pytester.makepyfile(test_up=UPSTREAM_TEST)
    cassette = pytester.path / "cassettes" / "test_up" / "test_upstream.yaml"
    with FakeServer() as upstream:
        option = f"--harness-upstream={upstream.base_url}"
        monkeypatch.delenv("HARNESS_UPSTREAM_API_KEY", raising=False)
        keyless = pytester.runpytest("-p", "no:cacheprovider", option, "--harness-record-mode=once")
        keyless.assert_outcomes(errors=1)
        keyless.stdout.fnmatch_lines(["*needs its API key*HARNESS_UPSTREAM_API_KEY*"])

        monkeypatch.setenv("HARNESS_UPSTREAM_API_KEY", key)
        recorded = pytester.runpytest(
            "-p", "no:cacheprovider", option, "--harness-record-mode=once"
        )
        recorded.assert_outcomes(passed=1)
        seen = upstream.api.state.journal.requests
        assert len(seen) == 2
    assert key.encode() not in cassette.read_bytes()
    assert len(cassette.read_text().split("- request:")) == 3

    # The upstream is gone and so is the key: the cassette answers.
    monkeypatch.delenv("HARNESS_UPSTREAM_API_KEY")
    replayed = pytester.runpytest("-p", "no:cacheprovider", option)
    replayed.assert_outcomes(passed=1)


def test_a_bad_upstream_url_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_up=UPSTREAM_TEST)
    result = pytester.runpytest("-p", "no:cacheprovider", "--harness-upstream=ftp://x")
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*harness setting 'upstream' must be an http(s) base URL*"])


APPBUILDER_TEST = """
import appbuilder
import pytest
from appbuilder.core.assistant.type import thread_type

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}


@pytest.mark.harness_cassette
@pytest.mark.harness_scenario("builtin:tool-call-then-completed")
def test_tool_round_trip(harness_env, harness_server):
    assistant = appbuilder.assistant.assistants.create(
        name="w", description="", instructions="x", tools=[WEATHER]
    )
    thread = appbuilder.assistant.threads.create(
        messages=[thread_type.AssistantMessage(content="weather?")]
    )
    runs = appbuilder.assistant.threads.runs
    first = runs.run(thread_id=thread.id, assistant_id=assistant.id)
    call = first.required_action.submit_tool_outputs.tool_calls[0]
    second = runs.run(
        thread_id=thread.id,
        assistant_id=assistant.id,
        tool_output=thread_type.ToolOutput(tool_call_id=call.id, output="18", run_id=first.id),
    )
    print("STATUSES", first.status, second.status, call.function.name)
    print("ANSWER", second.final_answer.message.content[0].text.value)
    print("SERVER-REQUESTS", len(harness_server.requests))
"""


def test_an_appbuilder_sdk_flow_records_once_then_replays(pytester: pytest.Pytester) -> None:
    pytest.importorskip("appbuilder")  # imported out here, before pytester's in-process runs
    pytester.makepyfile(test_appbuilder=APPBUILDER_TEST)
    recorded = pytester.runpytest("-p", "no:cacheprovider", "--harness-record-mode=once", "-s")
    recorded.assert_outcomes(passed=1)
    recorded.stdout.fnmatch_lines(["*STATUSES requires_action completed get_weather*"])
    answer = [line for line in recorded.outlines if line.startswith("ANSWER")]
    assert [line for line in recorded.outlines if "SERVER-REQUESTS 0" in line] == []
    cassette = pytester.path / "cassettes" / "test_appbuilder" / "test_tool_round_trip.yaml"
    text = cassette.read_text()
    assert len(text.split("- request:")) == 5  # assistant, thread, the two runs
    assert "sk-harness-test" not in text  # both Authorization headers are scrubbed

    replayed = pytester.runpytest("-p", "no:cacheprovider", "-s")
    replayed.assert_outcomes(passed=1)
    replayed.stdout.fnmatch_lines(["*STATUSES requires_action completed get_weather*"])
    assert [line for line in replayed.outlines if line.startswith("ANSWER")] == answer
    replayed.stdout.fnmatch_lines(["*SERVER-REQUESTS 0*"])  # the cassette answered
