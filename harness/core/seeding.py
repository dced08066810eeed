"""Create a scenario's seed objects (assistants, threads, messages) in a fresh state."""

from __future__ import annotations

from harness.core.objects import (
    USER_MESSAGE_STATUS,
    assistant_object,
    message_object,
    text_content,
    thread_object,
)
from harness.core.state import ServerState
from harness.scenario.model import Scenario

__all__ = ["seed_objects"]


def seed_objects(state: ServerState, scenario: Scenario) -> None:
    """Put the scenario's assistants, threads and messages in the store, with their ids."""
    now = state.clock.now()
    for seed in scenario.assistants:
        assistant = assistant_object(
            id=seed.id,
            created_at=now,
            params={
                "model": seed.model,
                "name": seed.name,
                "instructions": seed.instructions,
                "tools": [dict(tool) for tool in seed.tools],
                "metadata": dict(seed.metadata),
            },
        )
        state.store.assistants.put(seed.id, assistant)
    for thread_seed in scenario.threads:
        thread = thread_object(
            id=thread_seed.id, created_at=now, params={"metadata": dict(thread_seed.metadata)}
        )
        state.store.threads.put(thread_seed.id, thread)
        for message_seed in thread_seed.messages:
            message = message_object(
                id=state.ids.new("message"),
                created_at=now,
                thread_id=thread_seed.id,
                role=message_seed.role,
                content=[text_content(message_seed.content)],
                status=USER_MESSAGE_STATUS,
            )
            state.store.messages.put(message["id"], message)
