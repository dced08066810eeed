"""AppBuilder recordings become scenarios: recorded with the real appbuilder-sdk through the
recording proxy, converted (and verified) with ``harness convert --verify``, then played to the
same SDK flow, which must see what it saw when it was recorded."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

appbuilder = pytest.importorskip("appbuilder")
from appbuilder.core.assistant.type import thread_type  # noqa: E402

from harness import AssistantsAPI, FakeServer  # noqa: E402
from harness.cassettes import Cassette, load_cassette, recording_proxy_app  # noqa: E402
from harness.cassettes._wires import as_interaction  # noqa: E402
from harness.cassettes.convert import convert_cassette  # noqa: E402
from harness.cassettes.verify import compare_with_recording  # noqa: E402
from harness.cli import main  # noqa: E402
from harness.dialects.appbuilder._operations import OPERATIONS  # noqa: E402
from harness.dialects.appbuilder.recorded import read_exchanges  # noqa: E402
from harness.dialects.exchange import RecordedExchange  # noqa: E402
from harness.dialects.recorded import DIALECT_SURFACES, RECORDING_READERS  # noqa: E402
from harness.errors import CassetteError  # noqa: E402
from harness.scenario import load_scenario, parse_scenario  # noqa: E402
from harness.server.runner import AppServer  # noqa: E402
from tests.appbuilder_flows import assistant_and_thread  # noqa: E402
from tests.conftest import TEST_CONFIG  # noqa: E402

Flow = Callable[[], Any]


def _answer(run: Any) -> str | None:
    return None if run.final_answer is None else run.final_answer.message.content[0].text.value


def polled_round_trip() -> Any:
    """``runs.run`` to the tool call, then ``runs.run(tool_output=...)`` to the answer."""
    assistant_id, thread_id = assistant_and_thread()
    runs = appbuilder.assistant.threads.runs
    first = runs.run(thread_id=thread_id, assistant_id=assistant_id)
    calls = [c.function.name for c in first.required_action.submit_tool_outputs.tool_calls]
    output = thread_type.ToolOutput(
        tool_call_id=first.required_action.submit_tool_outputs.tool_calls[0].id,
        output="18 °C",
        run_id=first.id,
    )
    second = runs.run(thread_id=thread_id, assistant_id=assistant_id, tool_output=output)
    return first.status, calls, second.status, second.id == first.id, _answer(second)


def _stream(on_tool_calls: Callable[[str, str, Any], None]) -> Any:
    assistant_id, thread_id = assistant_and_thread()
    seen: list[Any] = []
    for event in appbuilder.assistant.threads.runs.stream_run(
        thread_id=thread_id, assistant_id=assistant_id
    ):
        seen.append(event)
        if event.event == "status" and event.event_type == "tool_calls":
            on_tool_calls(thread_id, seen[0].details.run_object.id, event.details.tool_calls)
    shown = [(e.status, e.event_type) for e in seen if e.event == "status"]
    text = "".join(e.content[0].text.value for e in seen if e.event == "message" and e.content)
    return shown, text


def streamed_round_trip() -> Any:
    """``stream_run``; the tool outputs go on a second connection while the stream waits."""

    def submit(thread_id: str, run_id: str, calls: Any) -> None:
        appbuilder.assistant.threads.runs.submit_tool_outputs(
            run_id=run_id,
            thread_id=thread_id,
            tool_outputs=[thread_type.ToolOutput(tool_call_id=calls[0].id, output="18")],
        )

    return _stream(submit)


def cancelled_while_the_stream_waits() -> Any:
    def cancel(thread_id: str, run_id: str, calls: Any) -> None:
        appbuilder.assistant.threads.runs.cancel(run_id=run_id, thread_id=thread_id)

    return _stream(cancel)


def polled_ending() -> Any:
    assistant_id, thread_id = assistant_and_thread()
    run = appbuilder.assistant.threads.runs.run(thread_id=thread_id, assistant_id=assistant_id)
    return run.status, run.last_error.type if run.last_error else None, _answer(run)


def streamed_ending() -> Any:
    return _stream(lambda *_: None)


def _record(server: FakeServer, scenario: str, flow: Flow, path: Path, monkey: Any) -> Any:
    server.api.load_scenario(load_scenario(scenario))
    with AppServer(recording_proxy_app(server.url, path)) as proxy:
        monkey.setenv("GATEWAY_URL", proxy.url)
        return flow()


def _play(scenario: Path, flow: Flow, monkey: Any) -> Any:
    api = AssistantsAPI(TEST_CONFIG, load_scenario(scenario))
    with FakeServer(api, dialect="appbuilder") as server:
        monkey.setenv("GATEWAY_URL", server.url)
        seen = flow()
    assert api.state.journal.violations == []
    return seen


def _converted_tool_round_trip(
    server: FakeServer, flow: Flow, folder: Path, monkey: Any
) -> tuple[Path, Path, Any]:
    """A tool round trip recorded with ``flow``, converted: the cassette, the scenario file,
    and the scenario as data."""
    cassette = folder / "appbuilder.yaml"
    _record(server, "builtin:tool-call-then-completed", flow, cassette, monkey)
    scenario = folder / "converted.yaml"
    assert main(["convert", str(cassette), "-o", str(scenario)]) == 0
    return cassette, scenario, yaml.safe_load(scenario.read_text())


CASES = [
    ("builtin:tool-call-then-completed", polled_round_trip),
    ("builtin:tool-call-then-completed", streamed_round_trip),
    ("builtin:tool-call-then-completed", cancelled_while_the_stream_waits),
    ("builtin:completed", polled_ending),
    ("builtin:completed", streamed_ending),
    ("builtin:failed-server-error", polled_ending),
    ("builtin:failed-server-error", streamed_ending),
    ("builtin:expired-while-queued", polled_ending),
    ("builtin:expired-while-queued", streamed_ending),
    ("builtin:cancelled", polled_ending),
    ("builtin:cancelled", streamed_ending),
]


@pytest.mark.parametrize(
    ("builtin", "flow"), CASES, ids=[f"{b.split(':')[1]}-{f.__name__}" for b, f in CASES]
)
def test_a_recorded_flow_converts_verifies_and_plays_the_same(
    appbuilder_server: FakeServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    builtin: str,
    flow: Flow,
) -> None:
    cassette = tmp_path / "appbuilder.yaml"
    recorded = _record(appbuilder_server, builtin, flow, cassette, monkeypatch)
    scenario = tmp_path / "converted.yaml"

    assert main(["convert", str(cassette), "-o", str(scenario), "--verify"]) == 0
    assert "plays the same story as the recording" in capsys.readouterr().out
    assert _play(scenario, flow, monkeypatch) == recorded


def test_the_converted_round_trip_is_the_story_the_sdk_saw(
    appbuilder_server: FakeServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    *_, document = _converted_tool_round_trip(
        appbuilder_server, polled_round_trip, tmp_path, monkeypatch
    )

    (run,) = document["runs"]
    # runs.run answered at the tool call: the statuses before it are the shortest legal way.
    assert run["steps"][:2] == ["queued", "in_progress"]
    call = run["steps"][2]
    assert call["status"] == "requires_action"
    assert [c["name"] for c in call["tool_calls"]] == ["get_weather"]
    assert isinstance(json.loads(call["tool_calls"][0]["arguments"])["city"], str)
    # The continuation was not seen either: requires_action › queued › in_progress › completed.
    assert run["steps"][3:5] == ["queued", "in_progress"]
    assert run["steps"][5]["status"] == "completed"
    assert run["steps"][5]["messages"] == ["Here is the answer, from what the tool returned."]
    assert "first saw a run after it began (run 1 at 'requires_action')" in document["description"]
    # The assistant was created by the client: it is not a seed.
    assert "assistants" not in document


def test_verify_names_what_an_edited_scenario_changed(
    appbuilder_server: FakeServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cassette, scenario, document = _converted_tool_round_trip(
        appbuilder_server, streamed_round_trip, tmp_path, monkeypatch
    )
    answer = document["runs"][0]["steps"][-1]["activity"][0]["message"]
    assert len(answer["chunks"]) == 3
    answer["text"], answer["chunks"] = "Something else.", ["Some", "thing ", "else."]
    scenario.write_text(yaml.safe_dump(document))

    differences = compare_with_recording(load_cassette(cassette), scenario)
    assert len(differences) == 1
    assert differences[0].startswith("assistant texts differ")
    assert "Something else." in differences[0]


def test_verify_reports_a_stream_that_never_shows_what_the_submit_needs(
    appbuilder_server: FakeServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cassette, scenario, document = _converted_tool_round_trip(
        appbuilder_server, streamed_round_trip, tmp_path, monkeypatch
    )
    # The run now fails before its tool call: the submit recorded for it has nothing to answer.
    failure = {"status": "failed", "last_error": {"code": "server_error", "message": "down"}}
    document["runs"][0]["steps"] = ["queued", failure]
    scenario.write_text(yaml.safe_dump(document))

    differences = compare_with_recording(load_cassette(cassette), scenario)
    assert differences[0].startswith("run statuses differ")
    assert "['queued', 'failed']" in differences[0]


def test_every_dialect_wire_has_a_reading() -> None:
    assert {surface.wire for surface in DIALECT_SURFACES} == set(RECORDING_READERS)


def _run(**changes: Any) -> dict[str, Any]:
    wire = {
        "id": "run_1",
        "object": "run.result",
        "assistant_id": "asst_1",
        "thread_id": "thread_1",
        "model": "ERNIE-4.0T-8K",
        "instructions": "",
        "status": "completed",
        "required_action": None,
        "last_error": None,
        "final_answer": None,
        "created_at": 1717645517234,
        "started_at": 0,
        "completed_at": 1717645519000,
        "expired_at": 0,
    }
    return {**wire, **changes}


def test_a_run_answer_reads_as_the_run_and_its_answer() -> None:
    final = {
        "type": "message",
        "message": {
            "message_id": "chatmsg_1",
            "content": [{"type": "text", "text": {"value": "晴", "annotations": None}}],
        },
    }
    exchange = RecordedExchange(
        "POST",
        "/v2/threads/runs",
        {"thread_id": "thread_1", "assistant_id": "asst_1"},
        200,
        _run(final_answer=final),
    )
    ((told_run, retrieval),) = read_exchanges([exchange])
    assert (told_run.method, told_run.path) == ("POST", "/threads/thread_1/runs")
    assert told_run.request == {"assistant_id": "asst_1"}
    run = told_run.response
    assert (run["object"], run["status"]) == ("thread.run", "completed")
    # Milliseconds become seconds; AppBuilder's 0 (unset) becomes null.
    assert (run["created_at"], run["started_at"], run["completed_at"]) == (
        1717645517,
        None,
        1717645519,
    )
    assert (retrieval.method, retrieval.path) == ("GET", "/threads/thread_1/messages/chatmsg_1")
    message = retrieval.response
    assert (message["role"], message["run_id"]) == ("assistant", "run_1")
    assert message["content"][0]["text"]["value"] == "晴"


def test_a_failed_run_reads_with_openai_s_error_and_tool_calls() -> None:
    action = {
        "type": "submit_tool_outputs",
        "submit_tool_outputs": {
            "tool_calls": [
                {
                    "id": "call-thread_1-run_1-step-1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": "", "output": ""},
                }
            ]
        },
    }
    waiting = RecordedExchange(
        "POST",
        "/v2/threads/runs/query",
        {"thread_id": "thread_1", "run_id": "run_1"},
        200,
        _run(status="requires_action", required_action=action),
    )
    failed = RecordedExchange(
        "POST",
        "/v2/threads/runs/query",
        {"thread_id": "thread_1", "run_id": "run_1"},
        200,
        _run(status="failed", last_error={"type": "server_error", "message": "boom"}),
    )
    ([first], [second]) = read_exchanges([waiting, failed])
    assert (first.method, first.path) == ("GET", "/threads/thread_1/runs/run_1")
    (call,) = first.response["required_action"]["submit_tool_outputs"]["tool_calls"]
    assert call == {
        "id": "call-thread_1-run_1-step-1",
        "type": "function",
        "function": {"name": "get_weather", "arguments": "{}"},
    }
    assert second.response["last_error"] == {"code": "server_error", "message": "boom"}


def test_answers_about_a_streamed_run_are_left_to_its_stream() -> None:
    begin = {
        "event": "status",
        "status": "queued",
        "send_id": 1,
        "message": "",
        "event_type": "run_begin",
        "details": {"type": "run_object", "run_object": _run(status="queued", object="thread.run")},
    }
    end = {
        **begin,
        "status": "cancelled",
        "event_type": "run_end",
        "details": {
            "type": "run_object",
            "run_object": _run(status="cancelled", object="thread.run"),
        },
    }
    # The cancel ended before the stream it interrupted, so it was recorded first.
    cancel = RecordedExchange(
        "POST",
        "/v2/threads/runs/cancel",
        {"thread_id": "thread_1", "run_id": "run_1"},
        200,
        _run(status="cancelling", object="thread.run"),
    )
    stream = RecordedExchange(
        "POST",
        "/v2/threads/runs",
        {"thread_id": "thread_1", "assistant_id": "asst_1", "stream": True},
        200,
        None,
        (("status", begin), ("ping", {}), ("status", end)),
    )
    ([told_cancel], [told_stream]) = read_exchanges([cancel, stream])
    assert (told_cancel.path, told_cancel.response) == ("/threads/thread_1/runs/run_1/cancel", None)
    assert told_stream.request == {"assistant_id": "asst_1", "stream": True}
    assert [name for name, _ in told_stream.events or ()] == [
        "thread.run.created",
        "thread.run.queued",
        "thread.run.cancelled",
    ]


_KEYS = st.sampled_from(
    [
        "id",
        "status",
        "thread_id",
        "run_id",
        "assistant_id",
        "final_answer",
        "message",
        "message_id",
        "content",
        "required_action",
        "submit_tool_outputs",
        "tool_calls",
        "function",
        "name",
        "data",
        "thread",
        "messages",
        "tool_output",
        "details",
        "run_object",
        "event_type",
        "last_error",
        "type",
        "text",
        "value",
        "stream",
        "file_ids",
        "tools",
        "tool_outputs",
        "is_end",
        "metadata",
        "role",
        "object",
        "deleted",
        "created_at",
    ]
)
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=4)
    | st.sampled_from(["queued", "requires_action", "completed", "weird", "run_1", "thread_1"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=5),
    max_leaves=20,
)
_EXCHANGES = st.lists(
    st.builds(
        RecordedExchange,
        st.just("POST"),
        st.sampled_from(sorted(OPERATIONS)),
        _JSON,
        st.sampled_from([200, 400, 404]),
        _JSON,
        st.none()
        | st.lists(
            st.tuples(st.sampled_from(["status", "message", "ping"]), _JSON), max_size=4
        ).map(tuple),
    ),
    max_size=5,
)


@settings(max_examples=300, deadline=None)
@given(_EXCHANGES)
def test_any_recorded_answers_read_and_convert_or_are_refused_by_name(
    exchanges: list[RecordedExchange],
) -> None:
    told = read_exchanges(exchanges)
    assert len(told) == len(exchanges)
    interactions = [as_interaction(exchange) for group in told for exchange in group]
    refusal = ""
    try:
        text = convert_cassette(Cassette(interactions), name="fuzzed")
    except CassetteError as error:
        refusal = str(error)
    else:
        parse_scenario(text, source="fuzzed")  # what converts is a scenario the loader accepts
    assert not refusal or "which the run lifecycle does not have" in refusal


def test_a_status_outside_the_lifecycle_is_refused_by_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from harness.cassettes import Interaction, Request, Response, save_cassette

    request = json.dumps({"thread_id": "thread_1", "run_id": "run_1"})
    answer = json.dumps(_run(status="weird", object="thread.run"))
    cassette = tmp_path / "weird.yaml"
    save_cassette(
        Cassette(
            [
                Interaction(
                    Request("POST", "http://gateway/v2/threads/runs/query", {}, request),
                    Response(200, "OK", {"Content-Type": "application/json"}, answer),
                )
            ]
        ),
        cassette,
    )
    scenario = tmp_path / "weird-scenario.yaml"
    assert main(["convert", str(cassette), "-o", str(scenario)]) == 1
    error = capsys.readouterr().err
    assert "run 'run_1' shows status 'weird', which the run lifecycle does not have" in error
    assert not scenario.exists()
