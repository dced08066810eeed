"""The real appbuilder-sdk against ``harness serve --dialect appbuilder``: seed 002 and beyond."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

appbuilder = pytest.importorskip("appbuilder")
from appbuilder.core._exception import (  # noqa: E402
    BadRequestException,
    NotFoundException,
    UnAuthorizedException,
)
from appbuilder.core.assistant.type import thread_type  # noqa: E402

from harness import FakeServer  # noqa: E402
from tests.appbuilder_flows import WEATHER_TOOL, assistant_and_thread  # noqa: E402

pytestmark = pytest.mark.usefixtures("appbuilder_server")


def test_seed_002_run_flow_verbatim() -> None:
    # The statements of seed 002 (AppBuilder's run.ipynb cookbook), unchanged.
    assistant = appbuilder.assistant.assistants.create(
        name="test_assistant",
        description="test assistant",
        instructions="每句话回复前都加上我是秦始皇",
    )
    thread = appbuilder.assistant.threads.create()
    appbuilder.assistant.threads.messages.create(thread_id=thread.id, content="hello world")
    run_result = appbuilder.assistant.threads.runs.run(
        thread_id=thread.id, assistant_id=assistant.id
    )
    run_list = appbuilder.assistant.threads.runs.list(thread_id=thread.id, limit=5)
    run_query = appbuilder.assistant.threads.runs.query(thread_id=thread.id, run_id=run_result.id)
    step_list = appbuilder.assistant.threads.runs.steps.list(
        thread_id=thread.id, run_id=run_result.id
    )
    last_step = step_list.data[-1]
    step_query = appbuilder.assistant.threads.runs.steps.query(
        thread_id=thread.id, run_id=run_result.id, step_id=last_step.id
    )

    assert run_result.object == "run.result"
    assert run_result.status == "completed"
    assert run_result.instructions == "每句话回复前都加上我是秦始皇"
    assert run_result.final_answer is not None
    assert run_result.final_answer.message is not None
    answer = run_result.final_answer.message.content
    assert answer is not None
    assert answer[0].text is not None
    assert answer[0].text.value == "Hello! This is the harness fake assistant."
    # Timestamps are Unix milliseconds, unset ones 0.
    assert run_result.created_at > 10**12
    assert run_result.completed_at >= run_result.created_at
    assert run_result.failed_at == 0
    assert run_result.cancelled_at == 0
    assert [r.id for r in run_list.data or []] == [run_result.id]
    assert run_query.object == "thread.run"
    assert run_query.final_answer is None
    assert run_query.status == "completed"
    assert step_query.id == last_step.id
    assert step_query.status == "completed"
    assert step_query.step_datail is not None
    assert step_query.step_datail.message_creation is not None
    assert step_query.step_datail.message_creation.message_id == answer_id(run_result)


def answer_id(run: thread_type.RunResult) -> str:
    assert run.final_answer is not None
    assert run.final_answer.message is not None
    return str(run.final_answer.message.message_id)


def test_assistant_crud() -> None:
    assistants = appbuilder.assistant.assistants
    created = assistants.create(
        name="weather",
        description="tells the weather",
        instructions="be brief",
        thought_instructions="think",
        tools=[WEATHER_TOOL],
        metadata={"team": "a"},
    )
    assert created.object == "assistant"
    assert created.created_at > 10**12
    assert created.tools is not None
    assert created.tools[0].function.name == "get_weather"
    assert created.thought_instructions == "think"
    updated = assistants.update(
        assistant_id=created.id,
        model="ERNIE-4.0T-8K",
        name="weather2",
        description="d",
        instructions="longer",
    )
    assert updated.name == "weather2"
    assert updated.instructions == "longer"
    queried = assistants.query(assistant_id=created.id)
    assert queried.name == "weather2"
    assert queried.description == "d"
    listed = assistants.list(limit=5)
    assert [a.id for a in listed.data or []] == [created.id]
    assert listed.has_more is False
    gone = assistants.delete(assistant_id=created.id)
    assert gone.deleted is True
    with pytest.raises(NotFoundException, match="No assistant found"):
        assistants.query(assistant_id=created.id)


def test_thread_and_message_crud() -> None:
    threads = appbuilder.assistant.threads
    thread = threads.create(messages=[thread_type.AssistantMessage(content="你好")])
    assert thread.object == "thread"
    assert thread.created_at > 10**12
    assert threads.query(thread_id=thread.id).id == thread.id
    assert threads.update(thread_id=thread.id).id == thread.id
    message = threads.messages.create(thread_id=thread.id, content="second")
    assert message.role == "user"
    assert message.content[0].text.value == "second"
    listed = threads.messages.list(thread_id=thread.id, order="asc")
    assert [m.content[0].text.value for m in listed.data] == ["你好", "second"]
    queried = threads.messages.query(thread_id=thread.id, message_id=message.id)
    assert queried.thread_id == thread.id
    updated = threads.messages.update(thread_id=thread.id, message_id=message.id, content="edited")
    assert updated.content[0].text.value == "edited"
    assert (
        threads.messages.query(thread_id=thread.id, message_id=message.id).content[0].text.value
        == "edited"
    )
    assert threads.messages.files(thread_id=thread.id, message_id=message.id).data == []
    assert threads.delete(thread_id=thread.id).deleted is True
    with pytest.raises(NotFoundException):
        threads.query(thread_id=thread.id)


def test_run_with_an_inline_thread() -> None:
    assistant = appbuilder.assistant.assistants.create(name="a", description="", instructions="x")
    run = appbuilder.assistant.threads.runs.run(
        assistant_id=assistant.id,
        thread=thread_type.AssistantThread(
            messages=[thread_type.AssistantMessage(content="inline question")]
        ),
    )
    assert run.status == "completed"
    assert run.thread_id.startswith("thread_")
    messages = appbuilder.assistant.threads.messages.list(thread_id=run.thread_id, order="asc")
    assert [m.role for m in messages.data] == ["user", "assistant"]


@pytest.mark.scenario("builtin:tool-call-then-completed")
def test_non_stream_tool_round_trip_continues_the_same_run() -> None:
    assistant_id, thread_id = assistant_and_thread()
    runs = appbuilder.assistant.threads.runs
    first = runs.run(thread_id=thread_id, assistant_id=assistant_id)
    assert first.status == "requires_action"
    assert first.required_action is not None
    call = first.required_action.submit_tool_outputs.tool_calls[0]
    assert call.function.name == "get_weather"
    # The built-in calls the client's own tool, with arguments valid for its parameters.
    assert isinstance(json.loads(call.function.arguments)["city"], str)
    second = runs.run(
        thread_id=thread_id,
        assistant_id=assistant_id,
        tool_output=thread_type.ToolOutput(tool_call_id=call.id, output="18 °C", run_id=first.id),
    )
    assert second.id == first.id
    assert second.status == "completed"
    assert second.required_action is None
    assert (
        second.final_answer.message.content[0].text.value
        == "Here is the answer, from what the tool returned."
    )


def _statuses(events: list[Any]) -> list[tuple[str, str]]:
    return [(e.status, e.event_type) for e in events if e.event == "status"]


def test_stream_run_tells_the_run() -> None:
    assistant_id, thread_id = assistant_and_thread()
    events = list(
        appbuilder.assistant.threads.runs.stream_run(thread_id=thread_id, assistant_id=assistant_id)
    )
    assert _statuses(events)[0] == ("queued", "run_begin")
    assert _statuses(events)[-1] == ("completed", "run_end")
    text = "".join(e.content[0].text.value for e in events if e.event == "message" and e.content)
    assert text == "Hello! This is the harness fake assistant."
    end = events[-1].details.run_object
    assert end.final_answer.message.content[0].text.value == text


@pytest.mark.scenario("builtin:tool-call-then-completed")
def test_stream_round_trip_submits_on_a_second_connection_while_the_stream_waits() -> None:
    assistant_id, thread_id = assistant_and_thread()
    runs = appbuilder.assistant.threads.runs
    seen: list[Any] = []
    submitted: list[thread_type.RunResult] = []
    for event in runs.stream_run(thread_id=thread_id, assistant_id=assistant_id):
        seen.append(event)
        if event.event == "status" and event.event_type == "tool_calls":
            call = event.details.tool_calls[0]
            submitted.append(
                runs.submit_tool_outputs(
                    run_id=seen[0].details.run_object.id,
                    thread_id=thread_id,
                    tool_outputs=[thread_type.ToolOutput(tool_call_id=call.id, output="18")],
                )
            )
    kinds = [kind for _, kind in _statuses(seen)]
    assert kinds[:4] == ["run_begin", "tool_step_begin", "tool_calls", "tool_submitted_output"]
    assert kinds[-1] == "run_end"
    assert seen[-1].status == "completed"
    assert submitted[0].id == seen[0].details.run_object.id
    assert submitted[0].status in ("queued", "in_progress")
    submitted_calls = next(e for e in seen if e.event_type == "tool_submitted_output")
    assert submitted_calls.details.tool_calls[0].function.output == "18"


@pytest.mark.scenario("builtin:tool-call-then-completed")
def test_stream_run_with_handler_answers_the_tool_call() -> None:
    from appbuilder.core.assistant.threads.runs.stream_helper import AssistantEventHandler

    assistant_id, thread_id = assistant_and_thread()
    ended: list[str] = []

    class Handler(AssistantEventHandler):  # type: ignore[misc]
        def tool_calls(self, status_event: Any) -> None:
            call = status_event.details.tool_calls[0]
            appbuilder.assistant.threads.runs.submit_tool_outputs(
                run_id=self.stream_run_context.current_run_id,
                thread_id=self.stream_run_context.current_thread_id,
                tool_outputs=[thread_type.ToolOutput(tool_call_id=call.id, output="18")],
            )

        def run_end(self, status_event: Any) -> None:
            ended.append(status_event.status)

    with appbuilder.assistant.threads.runs.stream_run_with_handler(
        thread_id=thread_id, assistant_id=assistant_id, event_handler=Handler()
    ) as stream:
        stream.until_done()
    assert ended == ["completed"]


@pytest.mark.scenario("builtin:tool-call-then-completed")
def test_cancel_while_the_stream_waits_for_tool_outputs() -> None:
    assistant_id, thread_id = assistant_and_thread()
    runs = appbuilder.assistant.threads.runs
    seen: list[Any] = []
    for event in runs.stream_run(thread_id=thread_id, assistant_id=assistant_id):
        seen.append(event)
        if event.event == "status" and event.event_type == "tool_calls":
            cancelling = runs.cancel(run_id=seen[0].details.run_object.id, thread_id=thread_id)
            assert cancelling.status == "cancelling"
    assert _statuses(seen)[-2:] == [("cancelling", "run_cancelling"), ("cancelled", "run_end")]
    assert seen[-1].details.run_object.cancelled_at > 0


@pytest.mark.scenario("builtin:tool-call-then-completed")
def test_cancel_a_run_waiting_for_tool_outputs() -> None:
    assistant_id, thread_id = assistant_and_thread()
    runs = appbuilder.assistant.threads.runs
    run = runs.run(thread_id=thread_id, assistant_id=assistant_id)
    assert runs.cancel(run_id=run.id, thread_id=thread_id).status == "cancelling"
    assert runs.query(thread_id=thread_id, run_id=run.id).status == "cancelled"


@pytest.mark.parametrize(
    ("scenario", "status", "stamp"),
    [
        ("builtin:failed-server-error", "failed", "failed_at"),
        ("builtin:cancelled", "cancelled", "cancelled_at"),
        ("builtin:expired-while-queued", "expired", "expired_at"),
    ],
)
@pytest.mark.parametrize("streaming", [False, True], ids=["poll", "stream"])
def test_every_ending_of_the_builtins(
    appbuilder_server: FakeServer, scenario: str, status: str, stamp: str, streaming: bool
) -> None:
    from harness.scenario import load_scenario

    appbuilder_server.api.load_scenario(load_scenario(scenario))
    assistant_id, thread_id = assistant_and_thread()
    runs = appbuilder.assistant.threads.runs
    if streaming:
        events = list(runs.stream_run(thread_id=thread_id, assistant_id=assistant_id))
        assert (events[-1].status, events[-1].event_type) == (status, "run_end")
        run = events[-1].details.run_object
    else:
        run = runs.run(thread_id=thread_id, assistant_id=assistant_id)
    assert run.status == status
    assert getattr(run, stamp) > 0
    assert run.final_answer is None
    if status == "failed":
        assert run.last_error.type == "server_error"


@pytest.mark.scenario("builtin:requires-action-expired")
def test_a_tool_call_answered_too_late_expires(appbuilder_server: FakeServer) -> None:
    assistant_id, thread_id = assistant_and_thread()
    runs = appbuilder.assistant.threads.runs
    run = runs.run(thread_id=thread_id, assistant_id=assistant_id)
    assert run.status == "requires_action"
    assert runs.query(thread_id=thread_id, run_id=run.id).status == "expired"
    # Streaming: the stream waits at the tool call until virtual time runs out.
    other = appbuilder.assistant.threads.create(
        messages=[thread_type.AssistantMessage(content="again")]
    )
    appbuilder_server.api.load_scenario(appbuilder_server.api.scenario)
    assistant_id, thread_id = assistant_and_thread()
    del other
    seen = []
    for event in runs.stream_run(thread_id=thread_id, assistant_id=assistant_id):
        seen.append(event)
        if event.event_type == "tool_calls":
            appbuilder_server.api.state.clock.advance(5)
    assert (seen[-1].status, seen[-1].event_type) == ("expired", "run_end")


def test_errors_are_the_sdk_s_exception_classes(appbuilder_server: FakeServer) -> None:
    with pytest.raises(NotFoundException, match=r"No thread found with id 'thread_missing'"):
        appbuilder.assistant.threads.query(thread_id="thread_missing")
    with pytest.raises(BadRequestException, match="Expected an ID that begins with 'thread'"):
        appbuilder.assistant.threads.query(thread_id="nope")


def test_a_wrong_token_is_unauthorized(monkeypatch: pytest.MonkeyPatch) -> None:
    from harness import AssistantsAPI, ServerConfig

    with FakeServer(AssistantsAPI(ServerConfig(api_key="right")), dialect="appbuilder") as server:
        monkeypatch.setenv("GATEWAY_URL", server.url)
        monkeypatch.setenv("APPBUILDER_TOKEN", "wrong")
        with pytest.raises(UnAuthorizedException):
            appbuilder.assistant.threads.create()
        monkeypatch.setenv("APPBUILDER_TOKEN", "right")
        assert appbuilder.assistant.threads.create().id.startswith("thread_")


def test_concurrent_streams_do_not_block_each_other() -> None:
    assistant_id, thread_id = assistant_and_thread()
    _, other_thread = assistant_and_thread()
    results: list[str] = []

    def stream(thread: str) -> None:
        events = list(
            appbuilder.assistant.threads.runs.stream_run(
                thread_id=thread, assistant_id=assistant_id
            )
        )
        results.append(events[-1].status)

    workers = [threading.Thread(target=stream, args=(t,)) for t in (thread_id, other_thread)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert results == ["completed", "completed"]


def test_file_storage_and_mounting(tmp_path: Any) -> None:
    files = appbuilder.assistant.assistants.files
    source = tmp_path / "notes.txt"
    source.write_text("北京 3 °C")
    uploaded = files.create(file_path=str(source))
    assert uploaded.filename == "notes.txt"
    assert uploaded.purpose == "assistant"
    assert uploaded.bytes == len("北京 3 °C".encode())
    assert uploaded.create_at > 10**12
    assert [f.id for f in files.list().data] == [uploaded.id]
    assert files.query(file_id=uploaded.id).censored == 1
    assert files.content(file_id=uploaded.id).content == source.read_bytes()
    target = tmp_path / "down"
    target.mkdir()
    files.download(file_id=uploaded.id, file_path=f"{target}/")
    assert (target / "notes.txt").read_bytes() == source.read_bytes()

    assistants = appbuilder.assistant.assistants
    assistant = assistants.create(name="files", description="", instructions="x")
    mounted = assistants.mount_files(assistant_id=assistant.id, file_id=uploaded.id)
    assert (mounted.id, mounted.assistant_id) == (uploaded.id, assistant.id)
    assert [f.id for f in assistants.mounted_files_list(assistant_id=assistant.id).data] == [
        uploaded.id
    ]
    assert assistants.query(assistant_id=assistant.id).file_ids == [uploaded.id]
    assert assistants.unmount_files(assistant_id=assistant.id, file_id=uploaded.id).deleted
    assert assistants.mounted_files_list(assistant_id=assistant.id).data == []
    assert files.delete(file_id=uploaded.id).deleted is True
    with pytest.raises(FileNotFoundError):
        assistants.mount_files(assistant_id=assistant.id, file_id=uploaded.id)


@pytest.mark.scenario("builtin:tool-call-then-completed")
def test_stream_run_with_tool_output_streams_the_rest_of_the_run() -> None:
    assistant_id, thread_id = assistant_and_thread()
    runs = appbuilder.assistant.threads.runs
    first = runs.run(thread_id=thread_id, assistant_id=assistant_id)
    call = first.required_action.submit_tool_outputs.tool_calls[0]
    events = list(
        runs.stream_run(
            thread_id=thread_id,
            assistant_id=assistant_id,
            tool_output=thread_type.ToolOutput(tool_call_id=call.id, output="18", run_id=first.id),
        )
    )
    assert (events[-1].status, events[-1].event_type) == ("completed", "run_end")
    assert events[-1].details.run_object.id == first.id
    assert events[-1].details.run_object.final_answer.message.content[0].text.value


# -- message file_ids ------------------------------------------------------------------------


def _upload(tmp_path: Any, name: str) -> str:
    source = tmp_path / name
    source.write_text(f"contents of {name}")
    return str(appbuilder.assistant.assistants.files.create(file_path=str(source)).id)


def _file_ids_in_order(thread_id: str) -> list[list[str] | None]:
    listed = appbuilder.assistant.threads.messages.list(thread_id=thread_id, order="asc")
    return [m.file_ids for m in listed.data]


def _message_files(thread_id: str, message_id: str) -> list[str]:
    listed = appbuilder.assistant.threads.messages.files(thread_id=thread_id, message_id=message_id)
    assert all(f.message_id == message_id for f in listed.data)
    assert all(f.object == "thread.message.file" for f in listed.data)
    return [f.id for f in listed.data]


def test_message_file_ids_are_kept(tmp_path: Any) -> None:
    notes, table = _upload(tmp_path, "notes.txt"), _upload(tmp_path, "table.csv")
    threads = appbuilder.assistant.threads
    thread = threads.create()
    created = threads.messages.create(
        thread_id=thread.id, content="read these", file_ids=[notes, table]
    )
    assert created.file_ids == [notes, table]
    queried = threads.messages.query(thread_id=thread.id, message_id=created.id)
    assert queried.file_ids == [notes, table]
    assert _file_ids_in_order(thread.id) == [[notes, table]]
    assert _message_files(thread.id, created.id) == [notes, table]
    plain = threads.messages.create(thread_id=thread.id, content="no files")
    assert plain.file_ids == []
    assert _message_files(thread.id, plain.id) == []


def test_thread_create_keeps_its_messages_file_ids(tmp_path: Any) -> None:
    notes = _upload(tmp_path, "notes.txt")
    thread = appbuilder.assistant.threads.create(
        messages=[
            thread_type.AssistantMessage(content="with a file", file_ids=[notes]),
            thread_type.AssistantMessage(content="without"),
        ]
    )
    assert _file_ids_in_order(thread.id) == [[notes], []]


@pytest.mark.parametrize("existing", [False, True], ids=["new-thread", "existing-thread"])
def test_run_with_an_inline_thread_keeps_its_messages_file_ids(
    tmp_path: Any, existing: bool
) -> None:
    notes = _upload(tmp_path, "notes.txt")
    assistant = appbuilder.assistant.assistants.create(name="a", description="", instructions="x")
    thread_id = appbuilder.assistant.threads.create().id if existing else ""
    run = appbuilder.assistant.threads.runs.run(
        assistant_id=assistant.id,
        thread_id=thread_id,
        thread=thread_type.AssistantThread(
            messages=[thread_type.AssistantMessage(content="what is in it?", file_ids=[notes])]
        ),
    )
    assert run.status == "completed"
    assert _file_ids_in_order(run.thread_id) == [[notes], []]


def test_message_update_replaces_file_ids(tmp_path: Any) -> None:
    notes, table = _upload(tmp_path, "notes.txt"), _upload(tmp_path, "table.csv")
    messages = appbuilder.assistant.threads.messages
    thread = appbuilder.assistant.threads.create()
    message = messages.create(thread_id=thread.id, content="first", file_ids=[notes])
    updated = messages.update(
        thread_id=thread.id, message_id=message.id, content="second", file_ids=[table]
    )
    assert updated.file_ids == [table]
    assert updated.content[0].text.value == "second"
    assert messages.query(thread_id=thread.id, message_id=message.id).file_ids == [table]
    assert _file_ids_in_order(thread.id) == [[table]]
    assert _message_files(thread.id, message.id) == [table]
    # An unknown file refuses the whole update: neither the content nor the files change.
    with pytest.raises(NotFoundException, match="file-missing"):
        messages.update(
            thread_id=thread.id, message_id=message.id, content="third", file_ids=["file-missing"]
        )
    after = messages.query(thread_id=thread.id, message_id=message.id)
    assert (after.content[0].text.value, after.file_ids) == ("second", [table])
    # The SDK always sends file_ids (default []): the update replaces them all.
    cleared = messages.update(thread_id=thread.id, message_id=message.id, content="fourth")
    assert cleared.file_ids == []
    assert _message_files(thread.id, message.id) == []


def test_an_unknown_message_file_is_not_found() -> None:
    threads = appbuilder.assistant.threads
    thread = threads.create()
    with pytest.raises(NotFoundException, match=r"No file found with id 'file-missing'"):
        threads.messages.create(thread_id=thread.id, content="x", file_ids=["file-missing"])
    with pytest.raises(NotFoundException, match=r"No file found with id 'file-missing'"):
        threads.create(
            messages=[thread_type.AssistantMessage(content="x", file_ids=["file-missing"])]
        )
    assert _file_ids_in_order(thread.id) == []


def _post(path: str, body: dict[str, Any]) -> Any:
    """``body`` as the SDK sends it, past the SDK's own checks (which refuse a bad file_ids)."""
    from appbuilder.core._client import AssistantHTTPClient

    client = AssistantHTTPClient()
    response = client.session.post(
        url=client.service_url(path), headers=client.auth_header(), json=body, timeout=None
    )
    client.check_response_header(response)
    return response.json()


def _bad_request_error(path: str, body: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(BadRequestException) as raised:
        _post(path, body)
    error: dict[str, str] = json.loads(str(raised.value).split("body is ", 1)[1])["error"]
    return error


@pytest.mark.parametrize(
    ("file_ids", "bad"),
    [("file-x", ""), ({"id": "file-x"}, ""), ([1], "[0]"), (["file-x", None], "[1]")],
)
def test_a_malformed_file_ids_is_a_bad_request_naming_it(file_ids: Any, bad: str) -> None:
    thread_id = appbuilder.assistant.threads.create().id
    assistant_id = appbuilder.assistant.assistants.create(
        name="a", description="", instructions="x"
    ).id
    added = appbuilder.assistant.threads.messages.create(thread_id=thread_id, content="ok")
    message = {"role": "user", "content": "x", "file_ids": file_ids}
    calls: list[tuple[str, dict[str, Any], str]] = [
        ("/v2/threads/messages", {"thread_id": thread_id, **message}, "file_ids"),
        (
            "/v2/threads/messages/update",
            {"thread_id": thread_id, "message_id": added.id, "content": "y", "file_ids": file_ids},
            "file_ids",
        ),
        ("/v2/threads", {"messages": [message]}, "messages[0].file_ids"),
        (
            "/v2/threads/runs",
            {"assistant_id": assistant_id, "thread_id": "", "thread": {"messages": [message]}},
            "thread.messages[0].file_ids",
        ),
        (
            "/v2/threads/runs",
            {
                "assistant_id": assistant_id,
                "thread_id": thread_id,
                "thread": {"messages": [message]},
            },
            "thread.messages[0].file_ids",
        ),
    ]
    for path, body, param in calls:
        error = _bad_request_error(path, body)
        assert (error["param"], error["code"]) == (param + bad, "invalid_type"), path
        assert f"'{param}{bad}'" in error["message"]
    # Nothing was added or changed, and no run started.
    listed = appbuilder.assistant.threads.messages.list(thread_id=thread_id)
    assert [(m.content[0].text.value, m.file_ids) for m in listed.data] == [("ok", [])]
    assert appbuilder.assistant.threads.runs.list(thread_id=thread_id).data == []
