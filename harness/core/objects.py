"""Builders of API objects in the exact JSON shape the real API sent."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from harness.scenario.model import Usage

__all__ = [
    "JSON",
    "assistant_object",
    "deleted_object",
    "file_batch_object",
    "file_counts",
    "file_object",
    "list_page",
    "message_object",
    "run_object",
    "run_step_object",
    "text_content",
    "thread_object",
    "usage_json",
    "vector_store_file_object",
    "vector_store_object",
]

JSON = dict[str, Any]


def usage_json(usage: Usage) -> JSON:
    """Run or step usage as the API reported it in 2025 (with token details)."""
    return {
        **usage.as_json(),
        "prompt_token_details": {"cached_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0},
    }


def assistant_object(*, id: str, created_at: int, params: Mapping[str, Any]) -> JSON:
    return {
        "id": id,
        "object": "assistant",
        "created_at": created_at,
        "name": params.get("name"),
        "description": params.get("description"),
        "model": params["model"],
        "instructions": params.get("instructions"),
        "tools": list(params.get("tools") or []),
        "top_p": params.get("top_p", 1.0),
        "temperature": params.get("temperature", 1.0),
        "reasoning_effort": params.get("reasoning_effort"),
        "tool_resources": params.get("tool_resources") or {},
        "metadata": dict(params.get("metadata") or {}),
        "response_format": params.get("response_format", "auto"),
    }


def thread_object(*, id: str, created_at: int, params: Mapping[str, Any]) -> JSON:
    return {
        "id": id,
        "object": "thread",
        "created_at": created_at,
        "metadata": dict(params.get("metadata") or {}),
        "tool_resources": params.get("tool_resources") or {},
    }


def text_content(value: str) -> JSON:
    return {"type": "text", "text": {"value": value, "annotations": []}}


USER_MESSAGE_STATUS = "completed"
"""The ``status`` of a message the client (or a seed) wrote.

The real API's create/list/retrieve answers omitted ``status`` on every message (72 recorded
objects, assistants=v1 and v2, user and assistant alike; only streamed snapshots carried it), and
no recording shows a user message with any value. Every openai-python release (1.x to 3.x) types
``Message.status`` as a required ``in_progress | incomplete | completed``, so a client with
``_strict_response_validation=True`` rejects both an absent and a ``null`` status. A written
message is complete when it is stored, so the fake says ``completed``: it contradicts no recorded
value and satisfies the SDK's typed model in every mode. The JSON Schema still accepts an absent
or ``null`` status, as the recordings have it."""


def message_object(
    *,
    id: str,
    created_at: int,
    thread_id: str,
    role: str,
    content: Sequence[JSON],
    status: str | None,
    assistant_id: str | None = None,
    run_id: str | None = None,
    attachments: Sequence[JSON] | None = None,
    metadata: Mapping[str, str] | None = None,
    completed_at: int | None = None,
) -> JSON:
    return {
        "id": id,
        "object": "thread.message",
        "created_at": created_at,
        "assistant_id": assistant_id,
        "thread_id": thread_id,
        "run_id": run_id,
        "role": role,
        "content": list(content),
        "attachments": list(attachments or []),
        "metadata": dict(metadata or {}),
        "status": status,
        "incomplete_details": None,
        "completed_at": completed_at,
        "incomplete_at": None,
    }


def run_object(
    *,
    id: str,
    created_at: int,
    thread_id: str,
    assistant: Mapping[str, Any],
    params: Mapping[str, Any],
    expires_at: int,
) -> JSON:
    instructions = params.get("instructions", assistant.get("instructions"))
    extra = params.get("additional_instructions")
    if extra:
        instructions = f"{instructions or ''}{extra}" if instructions else extra
    return {
        "id": id,
        "object": "thread.run",
        "created_at": created_at,
        "assistant_id": assistant["id"],
        "thread_id": thread_id,
        "status": "queued",
        "started_at": None,
        "expires_at": expires_at,
        "cancelled_at": None,
        "failed_at": None,
        "completed_at": None,
        "required_action": None,
        "last_error": None,
        "model": params.get("model") or assistant["model"],
        "instructions": instructions if instructions is not None else "",
        "tools": list(params["tools"] if params.get("tools") is not None else assistant["tools"]),
        "tool_resources": {},
        "metadata": dict(params.get("metadata") or {}),
        "temperature": params.get("temperature", assistant.get("temperature", 1.0)),
        "top_p": params.get("top_p", assistant.get("top_p", 1.0)),
        "reasoning_effort": params.get("reasoning_effort", assistant.get("reasoning_effort")),
        "max_completion_tokens": params.get("max_completion_tokens"),
        "max_prompt_tokens": params.get("max_prompt_tokens"),
        "truncation_strategy": params.get("truncation_strategy")
        or {"type": "auto", "last_messages": None},
        "incomplete_details": None,
        "usage": None,
        "response_format": params.get("response_format", assistant.get("response_format", "auto")),
        "tool_choice": params.get("tool_choice", "auto"),
        "parallel_tool_calls": params.get("parallel_tool_calls", True),
    }


def run_step_object(
    *,
    id: str,
    created_at: int,
    run: Mapping[str, Any],
    step_details: JSON,
) -> JSON:
    return {
        "id": id,
        "object": "thread.run.step",
        "created_at": created_at,
        "run_id": run["id"],
        "assistant_id": run["assistant_id"],
        "thread_id": run["thread_id"],
        "type": step_details["type"],
        "status": "in_progress",
        "cancelled_at": None,
        "completed_at": None,
        "expires_at": run.get("expires_at"),
        "expired_at": None,
        "failed_at": None,
        "last_error": None,
        "step_details": step_details,
        "usage": None,
        "metadata": {},
    }


def deleted_object(kind: str, id: str) -> JSON:
    return {"id": id, "object": f"{kind}.deleted", "deleted": True}


def list_page(data: Sequence[JSON], *, has_more: bool) -> JSON:
    return {
        "object": "list",
        "data": list(data),
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
        "has_more": has_more,
    }


def file_object(
    *, id: str, created_at: int, filename: str, purpose: str, size: int, expires_at: int | None
) -> JSON:
    """An uploaded file, as ``POST /files`` answered (``status`` is deprecated but still sent)."""
    obj: JSON = {
        "object": "file",
        "id": id,
        "purpose": purpose,
        "filename": filename,
        "bytes": size,
        "created_at": created_at,
        "expires_at": expires_at,
        "status": "processed",
        "status_details": None,
    }
    return obj


def file_counts(statuses: Sequence[str] = ()) -> JSON:
    """``file_counts`` of a vector store or batch whose files are in ``statuses``."""
    counts = {name: 0 for name in ("in_progress", "completed", "failed", "cancelled")}
    for status in statuses:
        counts[status] += 1
    return {**counts, "total": len(statuses)}


def vector_store_object(
    *, id: str, created_at: int, name: str | None, params: Mapping[str, Any]
) -> JSON:
    return {
        "id": id,
        "object": "vector_store",
        "name": name if name is not None else "",
        "status": "completed",
        "usage_bytes": 0,
        "created_at": created_at,
        "file_counts": file_counts(),
        "metadata": dict(params.get("metadata") or {}),
        "expires_after": params.get("expires_after"),
        "expires_at": None,
        "last_active_at": created_at,
    }


def vector_store_file_object(
    *, file_id: str, vector_store_id: str, created_at: int, chunking_strategy: JSON
) -> JSON:
    return {
        "id": file_id,
        "object": "vector_store.file",
        "usage_bytes": 0,
        "created_at": created_at,
        "vector_store_id": vector_store_id,
        "status": "in_progress",
        "last_error": None,
        "chunking_strategy": chunking_strategy,
        "attributes": {},
    }


def file_batch_object(*, id: str, vector_store_id: str, created_at: int) -> JSON:
    return {
        "id": id,
        "object": "vector_store.files_batch",
        "created_at": created_at,
        "vector_store_id": vector_store_id,
        "status": "in_progress",
        "file_counts": file_counts(),
    }
