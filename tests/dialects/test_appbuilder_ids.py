"""AppBuilder's ids, as the real appbuilder-sdk sees them: ``asst_``/``thread_``/``run_`` with
32 hex digits, ``chatmsg_…``, ``step-N`` within a run, ``call-<thread>-<run>-step-N``; seeds
keep the ids the scenario gave them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

appbuilder = pytest.importorskip("appbuilder")
from appbuilder.core._exception import NotFoundException  # noqa: E402
from appbuilder.core.assistant.type import thread_type  # noqa: E402

from harness import FakeServer  # noqa: E402
from harness.scenario import load_scenario  # noqa: E402
from tests.appbuilder_flows import WEATHER_TOOL  # noqa: E402

pytestmark = pytest.mark.usefixtures("appbuilder_server")

HEX = "[0-9a-f]{32}"
CORE_ID = re.compile(r"\b(?:asst|thread|run|msg|step|call)_[A-Za-z0-9]{24}\b")


def _run_to_the_tool_call() -> tuple[str, str, thread_type.RunResult]:
    assistant = appbuilder.assistant.assistants.create(
        name="w", description="", instructions="x", tools=[WEATHER_TOOL]
    )
    thread = appbuilder.assistant.threads.create(
        messages=[thread_type.AssistantMessage(content="北京天气？")]
    )
    run = appbuilder.assistant.threads.runs.run(thread_id=thread.id, assistant_id=assistant.id)
    return assistant.id, thread.id, run


@pytest.mark.scenario("builtin:tool-call-then-completed")
def test_every_id_has_appbuilder_s_form() -> None:
    assistant_id, thread_id, run = _run_to_the_tool_call()
    runs = appbuilder.assistant.threads.runs
    assert re.fullmatch(f"asst_{HEX}", assistant_id)
    assert re.fullmatch(f"thread_{HEX}", thread_id)
    assert re.fullmatch(f"run_{HEX}", run.id)
    assert (run.assistant_id, run.thread_id) == (assistant_id, thread_id)
    (call,) = run.required_action.submit_tool_outputs.tool_calls
    steps = runs.steps.list(thread_id=thread_id, run_id=run.id, order="asc").data
    assert [step.id for step in steps] == ["step-1"]
    assert call.id == f"call-{thread_id}-{run.id}-step-1"

    output = thread_type.ToolOutput(tool_call_id=call.id, output="18", run_id=run.id)
    done = runs.run(thread_id=thread_id, assistant_id=assistant_id, tool_output=output)
    assert done.status == "completed"
    message_id = done.final_answer.message.message_id
    assert re.fullmatch(f"chatmsg_{HEX}", message_id)
    messages = appbuilder.assistant.threads.messages.list(thread_id=thread_id, order="asc").data
    assert [m.id for m in messages][-1] == message_id
    assert all(re.fullmatch(f"chatmsg_{HEX}", m.id) for m in messages)
    steps = runs.steps.list(thread_id=thread_id, run_id=run.id, order="asc").data
    assert [step.id for step in steps] == ["step-1", "step-2"]
    assert steps[1].step_datail.message_creation.message_id == message_id
    # Each id reads back: the same objects, queried by AppBuilder's ids.
    assert runs.query(thread_id=thread_id, run_id=run.id).id == run.id
    second = runs.steps.query(thread_id=thread_id, run_id=run.id, step_id="step-2")
    assert second.step_datail.message_creation.message_id == message_id
    query = appbuilder.assistant.threads.messages.query
    assert query(thread_id=thread_id, message_id=message_id).id == message_id


def test_step_names_repeat_from_run_to_run_and_each_reads_its_own() -> None:
    thread = appbuilder.assistant.threads.create(
        messages=[thread_type.AssistantMessage(content="hi")]
    )
    assistant = appbuilder.assistant.assistants.create(name="a", description="", instructions="x")
    runs = appbuilder.assistant.threads.runs
    first = runs.run(thread_id=thread.id, assistant_id=assistant.id)
    second = runs.run(thread_id=thread.id, assistant_id=assistant.id)
    for run in (first, second):
        step = runs.steps.query(thread_id=thread.id, run_id=run.id, step_id="step-1")
        assert (step.id, step.run_id) == ("step-1", run.id)
        assert step.step_datail.message_creation.message_id == run.final_answer.message.message_id


@pytest.mark.scenario("builtin:tool-call-then-completed")
def test_a_stream_shows_the_same_ids_as_the_polled_answers() -> None:
    assistant = appbuilder.assistant.assistants.create(
        name="w", description="", instructions="x", tools=[WEATHER_TOOL]
    )
    thread = appbuilder.assistant.threads.create(
        messages=[thread_type.AssistantMessage(content="北京天气？")]
    )
    runs = appbuilder.assistant.threads.runs
    seen = []
    for event in runs.stream_run(thread_id=thread.id, assistant_id=assistant.id):
        seen.append(event)
        if event.event == "status" and event.event_type == "tool_calls":
            call = event.details.tool_calls[0]
            run_id = seen[0].details.run_object.id
            assert call.id == f"call-{thread.id}-{run_id}-step-1"
            runs.submit_tool_outputs(
                run_id=run_id,
                thread_id=thread.id,
                tool_outputs=[thread_type.ToolOutput(tool_call_id=call.id, output="18")],
            )
    run_id = seen[0].details.run_object.id
    assert re.fullmatch(f"run_{HEX}", run_id)
    assert runs.query(thread_id=thread.id, run_id=run_id).status == "completed"
    streamed = {e.message_id for e in seen if e.event == "message"}
    (message_id,) = streamed
    assert seen[-1].details.run_object.final_answer.message.message_id == message_id
    listed = appbuilder.assistant.threads.messages.list(thread_id=thread.id).data
    assert message_id in [m.id for m in listed]


def test_an_error_names_the_id_the_client_knows(appbuilder_server: FakeServer) -> None:
    thread = appbuilder.assistant.threads.create(
        messages=[thread_type.AssistantMessage(content="hi")]
    )
    assistant = appbuilder.assistant.assistants.create(name="a", description="", instructions="x")
    run = appbuilder.assistant.threads.runs.run(thread_id=thread.id, assistant_id=assistant.id)
    other = appbuilder.assistant.threads.create(
        messages=[thread_type.AssistantMessage(content="again")]
    )
    with pytest.raises(NotFoundException) as raised:
        appbuilder.assistant.threads.runs.query(thread_id=other.id, run_id=run.id)
    assert run.id in str(raised.value)
    assert not CORE_ID.search(str(raised.value))


def test_seeded_ids_are_shown_as_the_scenario_gave_them(
    appbuilder_server: FakeServer, tmp_path: Path
) -> None:
    seed = "asst_Seeded000000000000000001"
    assert CORE_ID.fullmatch(seed), "a seed in the core's own id form"
    scenario = tmp_path / "seeded.yaml"
    scenario.write_text(
        f"name: seeded\nassistants:\n  - {{id: {seed}, model: gpt-4o, instructions: hi}}\n"
    )
    appbuilder_server.api.load_scenario(load_scenario(scenario))
    assert appbuilder.assistant.assistants.query(assistant_id=seed).id == seed
    thread = appbuilder.assistant.threads.create(
        messages=[thread_type.AssistantMessage(content="hi")]
    )
    run = appbuilder.assistant.threads.runs.run(thread_id=thread.id, assistant_id=seed)
    assert (run.status, run.assistant_id) == ("completed", seed)
    assert [a.id for a in appbuilder.assistant.assistants.list().data] == [seed]


def test_objects_made_on_the_openai_wire_before_keep_their_ids(
    appbuilder_server: FakeServer,
) -> None:
    import openai

    appbuilder_server.api.reset()
    client = openai.OpenAI(base_url=appbuilder_server.base_url, api_key="sk-test", max_retries=0)
    made = client.beta.assistants.create(model="gpt-4o", instructions="hi")
    assert appbuilder.assistant.assistants.query(assistant_id=made.id).id == made.id
    # What the dialect mints from then on is AppBuilder's.
    thread = appbuilder.assistant.threads.create(
        messages=[thread_type.AssistantMessage(content="hi")]
    )
    assert re.fullmatch(f"thread_{HEX}", thread.id)
