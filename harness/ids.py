"""OpenAI-shaped object ids: a prefix and 24 base62 characters, reproducible from a seed."""

from __future__ import annotations

import random
import string
import threading

__all__ = ["ID_PREFIXES", "IdFactory"]

_ALPHABET = string.ascii_letters + string.digits
_LENGTH = 24

ID_PREFIXES = {
    "assistant": "asst",
    "thread": "thread",
    "message": "msg",
    "run": "run",
    "run_step": "step",
    "tool_call": "call",
    "file": "file",
    "vector_store": "vs",
    "file_batch": "vsfb",
}
"""The prefix of each kind of id, as the real API issued them."""

_SEPARATORS = {"file": "-"}
"""File ids are ``file-…``, every other kind ``prefix_…``."""


class IdFactory:
    """Makes ids like ``run_KfVG8fSJg882VHYeewFQ2BHk``; the same seed gives the same ids."""

    def __init__(self, seed: int | None = None) -> None:
        self._seed = seed
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def new(self, kind: str) -> str:
        """A fresh id for ``kind`` (a key of :data:`ID_PREFIXES`)."""
        prefix = ID_PREFIXES[kind]
        with self._lock:
            suffix = "".join(self._random.choices(_ALPHABET, k=_LENGTH))
        return f"{prefix}{_SEPARATORS.get(kind, '_')}{suffix}"

    def reset(self) -> None:
        """Start the sequence again from the seed."""
        with self._lock:
            self._random = random.Random(self._seed)
