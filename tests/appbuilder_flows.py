"""What the appbuilder-sdk tests share: a client's weather tool, and an assistant with a thread
asking for the weather. Import only after ``pytest.importorskip("appbuilder")``."""

from __future__ import annotations

from typing import Any

import appbuilder
from appbuilder.core.assistant.type import thread_type

WEATHER_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}


def assistant_and_thread() -> tuple[str, str]:
    """A new assistant with :data:`WEATHER_TOOL`, and a thread asking for Beijing's weather."""
    assistant = appbuilder.assistant.assistants.create(
        name="weather", description="", instructions="x", tools=[WEATHER_TOOL]
    )
    thread = appbuilder.assistant.threads.create(
        messages=[thread_type.AssistantMessage(content="北京天气？")]
    )
    return assistant.id, thread.id
