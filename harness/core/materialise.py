"""Permissive mode: objects that spring into being the first time a client names them.

For clients that reference objects made elsewhere (a hard-coded ``asst_…`` id from config, or
placeholder ids in examples), every well-formed request for an unknown id gets a schema-valid
object with that id instead of a 404.
"""

from __future__ import annotations

from harness.core.engine import Emitter
from harness.core.file_records import StoredFile, VectorStoreRecord
from harness.core.objects import (
    JSON,
    USER_MESSAGE_STATUS,
    assistant_object,
    file_object,
    message_object,
    run_object,
    run_step_object,
    text_content,
    thread_object,
    vector_store_object,
)
from harness.core.records import RunRecord
from harness.core.state import ServerState
from harness.scenario.model import default_run_script

__all__ = ["assistant", "file", "message", "run", "run_step", "thread", "vector_store"]

_PLACEHOLDER_TEXT = "(materialised by harness in permissive mode)"


def assistant(state: ServerState, assistant_id: str) -> JSON:
    obj = assistant_object(
        id=assistant_id, created_at=state.clock.now(), params={"model": "gpt-4o"}
    )
    return state.store.assistants.put(assistant_id, obj)


def thread(state: ServerState, thread_id: str) -> JSON:
    obj = thread_object(id=thread_id, created_at=state.clock.now(), params={})
    return state.store.threads.put(thread_id, obj)


def message(state: ServerState, thread_id: str, message_id: str) -> JSON:
    obj = message_object(
        id=message_id,
        created_at=state.clock.now(),
        thread_id=thread_id,
        role="user",
        content=[text_content(_PLACEHOLDER_TEXT)],
        status=USER_MESSAGE_STATUS,
    )
    return state.store.messages.put(message_id, obj)


def run(state: ServerState, thread_id: str, run_id: str) -> RunRecord:
    owner = state.store.threads.get(thread_id) or thread(state, thread_id)
    clock = state.clock.object_clock()
    now = clock.now()
    placeholder = state.store.assistants.get("asst_materialised") or assistant(
        state, "asst_materialised"
    )
    obj = run_object(
        id=run_id,
        created_at=now,
        thread_id=owner["id"],
        assistant=placeholder,
        params={},
        expires_at=now + state.config.run_expiry_s,
    )
    script = default_run_script()
    record = RunRecord(obj=obj, script=script, steps=script.steps, clock=clock)
    state.store.runs.put(run_id, record)
    state.engine.start(record, Emitter(state.journal))
    return record


def run_step(state: ServerState, record: RunRecord, step_id: str) -> JSON:
    details: JSON = {
        "type": "message_creation",
        "message_creation": {"message_id": f"msg_{step_id.removeprefix('step_')}"},
    }
    step = run_step_object(
        id=step_id, created_at=state.clock.now(), run=record.obj, step_details=details
    )
    step["status"] = "completed"
    step["completed_at"] = state.clock.now()
    return state.store.steps.put(step_id, step)


def file(state: ServerState, file_id: str) -> StoredFile:
    """A small text file with that id (purpose ``assistants``)."""
    content = _PLACEHOLDER_TEXT.encode()
    obj = file_object(
        id=file_id,
        created_at=state.clock.now(),
        filename=f"{file_id}.txt",
        purpose="assistants",
        size=len(content),
        expires_at=None,
    )
    return state.store.files.put(file_id, StoredFile(obj, content))


def vector_store(state: ServerState, vector_store_id: str) -> VectorStoreRecord:
    """An empty, completed vector store with that id."""
    obj = vector_store_object(
        id=vector_store_id, created_at=state.clock.now(), name=vector_store_id, params={}
    )
    return state.ingestion.new_store(obj)
