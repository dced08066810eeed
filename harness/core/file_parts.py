"""Message parts that point at files: citations of file_search results, paths of files the
code wrote, and the images it drew."""

from __future__ import annotations

from collections.abc import Callable

from harness.core.objects import JSON
from harness.core.records import RunRecord
from harness.scenario.model import CitationSpec, MessageSpec

__all__ = [
    "NOTHING_FOUND",
    "SOURCE_MARKER",
    "annotation_json",
    "image_part",
    "message_text",
    "tool_file_ids",
]

NOTHING_FOUND = "I could not find anything about that in the files."
SOURCE_MARKER = "【4:0†source】"
"""How the model marked a citation in its text (BodhiApp's recording)."""


def message_text(spec: MessageSpec, record: RunRecord) -> tuple[str, tuple[CitationSpec, ...]]:
    """The text a message says and its citations; a ``quote_search`` message quotes the
    run's best file_search passage."""
    if not spec.quote_search:
        return spec.text, spec.citations
    if not record.search_results:
        return NOTHING_FOUND, ()
    best = record.search_results[0]
    sentence = _first_sentence(best["text"])
    lead = spec.text or f"From {best['file_name']}:"
    return f"{lead} “{sentence}”{SOURCE_MARKER}", (CitationSpec(SOURCE_MARKER, best["file_id"]),)


def annotation_json(
    text: str, citations: tuple[CitationSpec, ...], resolve: Callable[[CitationSpec], str]
) -> list[JSON]:
    """Annotations of ``text``: each citation's text found in order after the previous one."""
    found: list[JSON] = []
    position = 0
    for citation in citations:
        start = text.find(citation.text, position)
        if start < 0:
            start = text.find(citation.text)
        end = start + len(citation.text)
        position = end
        found.append(
            {
                "type": citation.kind,
                "text": citation.text,
                "start_index": start,
                "end_index": end,
                citation.kind: {"file_id": resolve(citation)},
            }
        )
    return found


def image_part(file_id: str) -> JSON:
    return {"type": "image_file", "image_file": {"file_id": file_id}}


def tool_file_ids(resources: object, tool: str, key: str) -> list[str]:
    """``tool_resources[tool][key]`` as a list of ids (empty when absent or malformed)."""
    if not isinstance(resources, dict):
        return []
    section = resources.get(tool)
    values = section.get(key) if isinstance(section, dict) else None
    return [value for value in values if isinstance(value, str)] if isinstance(values, list) else []


def _first_sentence(text: str) -> str:
    line = " ".join(text.split())
    end = line.find(". ")
    return line[: end + 1] if 0 < end < 300 else line[:300]
