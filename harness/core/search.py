"""A small, deterministic stand-in for file_search: passages of the stored files' text, ranked
by how many of the query's words they contain."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from harness.core.file_records import StoredFile

__all__ = ["Passage", "passages", "search"]

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STOP = frozenset(
    (
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "do",
        "does",
        "for",
        "from",
        "how",
        "i",
        "in",
        "is",
        "it",
        "of",
        "on",
        "or",
        "that",
        "the",
        "this",
        "to",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "with",
        "you",
        "your",
        "",
    )
)
_MAX_PASSAGE = 800


@dataclass(frozen=True)
class Passage:
    """A piece of one file's text and its score for a query (0–1)."""

    file: StoredFile
    text: str
    score: float


def passages(text: str) -> list[str]:
    """Paragraphs of ``text`` (blank-line separated), long ones cut at sentence ends."""
    pieces: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = paragraph.strip()
        while len(paragraph) > _MAX_PASSAGE:
            cut = paragraph.rfind(". ", 0, _MAX_PASSAGE)
            cut = cut + 1 if cut > 0 else _MAX_PASSAGE
            pieces.append(paragraph[:cut].strip())
            paragraph = paragraph[cut:].strip()
        if paragraph:
            pieces.append(paragraph)
    return pieces


def _words(text: str) -> set[str]:
    return {word for word in (w.lower() for w in _WORD.findall(text)) if word not in _STOP}


def search(query: str, files: Iterable[StoredFile], *, limit: int = 20) -> list[Passage]:
    """The best passages of ``files`` for ``query``, best first (file order breaks ties).

    Every file contributes at least its best passage, as the real search returned something
    for any question over a non-empty store.
    """
    wanted = _words(query)
    found: list[tuple[float, int, Passage]] = []
    order = 0
    for file in files:
        for piece in passages(file.text()):
            overlap = len(wanted & _words(piece))
            score = round(overlap / len(wanted), 4) if wanted else 0.0
            found.append((score, order, Passage(file, piece, score)))
            order += 1
    found.sort(key=lambda item: (-item[0], item[1]))
    return [passage for _, _, passage in found[:limit]]
