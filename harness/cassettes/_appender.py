"""Append interactions to a YAML cassette as they complete: constant time, crash-safe.

The file stays a valid vcrpy cassette after every append, because it is laid out so that
appending keeps it valid: ``version: 1`` first, ``interactions:`` last, each interaction one
block-sequence item followed by the comment line :data:`MARKER`. An interaction is written
with one ``write`` of its own bytes (scrubbed), never by rewriting what came before.

Crash safety: the writer thread hands each item to the operating system before the caller's
future resolves, so a killed process (SIGKILL) loses no interaction it reported written; the
thread fsyncs whenever its queue runs dry (power loss may cost the last few, never the file).
A write torn by a crash leaves a tail without its marker: :func:`recover` (run when the next
appender opens the file) cuts it off, and removes the temp files a killed atomic save left.
"""

from __future__ import annotations

import contextlib
import io
import os
import queue
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import IO

from harness.cassettes._atomic import atomic_write
from harness.cassettes._model import Interaction
from harness.cassettes._scrub import DEFAULT_SCRUBBER, Scrubber
from harness.cassettes._vcr_format import (
    APPEND_HEADER,
    APPEND_MARKER,
    interaction_to_vcr,
    load_cassette,
)
from harness.cassettes._yaml import dump_yaml
from harness.errors import CassetteError, ConfigError

__all__ = ["HEADER", "MARKER", "CassetteAppender", "leftover_temp_files", "recover"]

HEADER = APPEND_HEADER.encode()
MARKER = APPEND_MARKER.encode()
"""Ends every complete interaction; a tail without it was torn by a crash."""


def leftover_temp_files(path: Path) -> list[Path]:
    """Temp files of an interrupted atomic save of ``path`` (``.NAME.<hex>.tmp``)."""
    return sorted(path.parent.glob(f".{path.name}.*.tmp"))


def item_bytes(interaction: Interaction) -> bytes:
    """One interaction as a YAML block-sequence item plus :data:`MARKER`."""
    stream = io.StringIO()
    dump_yaml([interaction_to_vcr(interaction)], stream)
    return stream.getvalue().encode("utf-8") + MARKER


def recover(path: Path, *, scrubber: Scrubber | None = DEFAULT_SCRUBBER) -> int:
    """Make ``path`` ready for appending; return how many interactions it holds.

    Removes temp files left by a killed save, cuts a tail torn by a crash (what follows the
    last :data:`MARKER`), and rewrites, once and atomically, a cassette written in another
    layout (by vcrpy or :func:`save_cassette`). A missing or empty file stays absent.
    """
    for temp in leftover_temp_files(path):
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return 0
    if not data.strip():
        path.unlink()
        return 0
    end = data.rfind(b"\n" + MARKER)
    if data.startswith(HEADER) and end >= 0:
        complete = data[: end + 1 + len(MARKER)]
        if len(complete) != len(data):
            os.truncate(path, len(complete))
        return complete.count(b"\n" + MARKER)
    cassette = load_cassette(path)  # another layout: it must be whole
    if scrubber is not None:
        cassette = scrubber.cassette(cassette)
    content = HEADER + b"".join(item_bytes(i) for i in cassette)
    if not len(cassette):
        path.unlink()
        return 0
    _write_whole(path, content)
    return len(cassette)


def _write_whole(path: Path, content: bytes) -> None:
    text = content.decode("utf-8")

    def write(stream: IO[str]) -> None:
        stream.write(text)

    atomic_write(path, write)


class CassetteAppender:
    """Appends interactions to a YAML cassette from a writer thread of its own.

    ``append`` returns at once with a future that resolves when the item is in the file
    (handed to the OS, not yet fsynced). ``fresh=True`` replaces an existing cassette with the
    first interaction appended (``rewrite``); otherwise the file is extended. The file is
    created with the first interaction, never empty. ``close`` drains the queue and fsyncs.
    """

    def __init__(
        self, path: str | Path, *, scrubber: Scrubber | None = DEFAULT_SCRUBBER, fresh: bool = False
    ) -> None:
        self.path = Path(path)
        if self.path.suffix.lower() == ".json":
            raise ConfigError(
                f"{self.path}: recording appends to YAML cassettes; record to .yaml (then "
                "`harness import FILE.yaml -o FILE.json` if you need JSON)"
            )
        self.scrubber = scrubber
        if fresh:
            for temp in leftover_temp_files(self.path):
                temp.unlink(missing_ok=True)
        self.written = 0 if fresh else recover(self.path, scrubber=scrubber)
        self._fresh = fresh
        self._queue: queue.SimpleQueue[tuple[Interaction, Future[None]] | None] = (
            queue.SimpleQueue()
        )
        self._closed = False
        self._thread = threading.Thread(
            target=self._run, name=f"cassette-writer:{self.path.name}", daemon=True
        )
        self._thread.start()

    def append(self, interaction: Interaction) -> Future[None]:
        """Queue ``interaction``; the future resolves once it is in the file."""
        if self._closed:
            raise CassetteError(f"{self.path}: the cassette appender is closed")
        done: Future[None] = Future()
        self._queue.put((interaction, done))
        return done

    def close(self) -> None:
        """Write what is queued, fsync, and stop the writer thread."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(None)  # stop
        self._thread.join()

    def __enter__(self) -> CassetteAppender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self) -> None:
        fd: int | None = None
        try:
            while True:
                item = self._queue.get()
                if item is None:
                    return
                interaction, done = item
                try:
                    fd = self._write(fd, interaction)
                except BaseException as error:  # the caller learns why; the writer goes on
                    done.set_exception(
                        CassetteError(f"{self.path}: cannot append to the cassette: {error}")
                    )
                    continue
                self.written += 1
                done.set_result(None)
                if self._queue.empty():
                    os.fsync(fd)
        finally:
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.fsync(fd)
                os.close(fd)

    def _write(self, fd: int | None, interaction: Interaction) -> int:
        if self.scrubber is not None:
            interaction = self.scrubber.interaction(interaction)
        data = item_bytes(interaction)
        if fd is None:
            if self._fresh or not self.path.exists():
                # The first item arrives with the header, atomically: never an empty cassette.
                _write_whole(self.path, HEADER + data)
                return os.open(self.path, os.O_WRONLY | os.O_APPEND)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        return fd
