"""Ids as AppBuilder shows them, over the core's OpenAI-shaped ones.

AppBuilder's ids (seed 002, appbuilder-sdk's tests): ``asst_``, ``thread_`` and ``run_`` with 32
hex digits, ``chatmsg_<32hex>`` for messages, ``step-1``, ``step-2``… numbered within a run,
and ``call-<thread_id>-<run_id>-step-N`` for a tool call. The core mints
``asst_<24 base62>`` and the like; this translation shows each core id in AppBuilder's form on
the way out and reads it back on the way in, so the core keeps its own ids and nothing of
AppBuilder's.

Only ids the core minted during the session are translated. Ids that exist when the dialect's
state begins (a scenario's seeds) and ids a scenario names (tool call ids) are shown as they
are, so a client that was given a seeded id sees that id, never another.

User messages take the ``chatmsg_`` form too (AppBuilder's own are not evidenced). A second
call in the same tool step, which AppBuilder is not seen to make, is ``…-step-N-2``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterable, Iterator
from typing import Any

from harness.core import SSEEvent, StreamBody
from harness.core.store import Store

__all__ = ["WireIds", "named_ids"]

_CORE_ID = re.compile(r"(asst|thread|run|msg|step|call)_[A-Za-z0-9]{24}")
_PREFIXES = {"asst": "asst_", "thread": "thread_", "run": "run_", "msg": "chatmsg_"}
_STEP = re.compile(r"step-\d+")
_RUN_OBJECTS = ("thread.run", "run.result")


def _hex(core_id: str) -> str:
    """32 hex digits, the same for the same core id (so a seeded session is reproducible)."""
    return hashlib.blake2b(core_id.encode(), digest_size=16).hexdigest()


def named_ids(value: Any) -> Iterator[str]:
    """The core-shaped ids anywhere in ``value`` (dataclasses, mappings, sequences, strings)."""
    if isinstance(value, str):
        if _CORE_ID.fullmatch(value):
            yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from named_ids(getattr(value, item.name))
    elif isinstance(value, dict):
        for item in value.values():
            yield from named_ids(item)
    elif isinstance(value, list | tuple | frozenset | set):
        for item in value:
            yield from named_ids(item)


class WireIds:
    """The two-way table of one dialect state: core id ↔ AppBuilder id."""

    def __init__(self, kept: Iterable[str] = ()) -> None:
        self._kept = set(kept)
        self._wire: dict[str, str] = {}
        self._core: dict[str, str] = {}
        self._steps: dict[tuple[str, str], str] = {}
        """``(core run id, "step-N")`` → core step id: step names repeat from run to run."""

    # -- out: core → wire -------------------------------------------------------------------

    def to_wire(self, value: Any, store: Store, run: str | None = None) -> Any:
        """``value`` (an answer body) with every minted core id in AppBuilder's form; ``run``
        is the core run the value is about, where the value does not say."""
        if isinstance(value, str):
            return self._wire_id(value, store, run) if _CORE_ID.fullmatch(value) else value
        if isinstance(value, list):
            return [self.to_wire(item, store, run) for item in value]
        if isinstance(value, dict):
            run = _run_of(value) or run
            return {key: self.to_wire(item, store, run) for key, item in value.items()}
        return value

    def text_to_wire(self, text: str, store: Store) -> str:
        """Core ids inside a sentence (an error message) in AppBuilder's form."""
        return _CORE_ID.sub(lambda found: self._wire_id(found.group(0), store, None), text)

    def stream_to_wire(self, stream: StreamBody, store: Store) -> StreamBody:
        """Every event's data in AppBuilder's ids; the run a stream tells is its ``run_begin``'s."""
        run: str | None = None
        for item in stream:
            if isinstance(item, SSEEvent) and isinstance(item.data, dict):
                details = item.data.get("details")
                begun = details.get("run_object") if isinstance(details, dict) else None
                if isinstance(begun, dict) and isinstance(begun.get("id"), str):
                    run = begun["id"]
                item = dataclasses.replace(item, data=self.to_wire(item.data, store, run))
            yield item

    def _wire_id(self, core_id: str, store: Store, run: str | None) -> str:
        if core_id in self._kept:
            return core_id
        known = self._wire.get(core_id)
        if known is not None:
            return known
        kind = core_id.split("_", 1)[0]
        if kind in _PREFIXES:
            wire = _PREFIXES[kind] + _hex(core_id)
        elif kind == "step":
            wire = self._step_name(core_id, store)
        else:
            wire = self._call_name(core_id, store, run)
        self._wire[core_id] = wire
        if kind != "step":  # step names repeat from run to run: read back by run (to_core)
            self._core.setdefault(wire, core_id)
        return wire

    def _step_name(self, core_id: str, store: Store) -> str:
        step = store.steps.get(core_id)
        if step is None:
            return f"step-{_hex(core_id)}"
        run = str(step.get("run_id", ""))
        siblings = [row.get("id") for row in store.steps.group(run)]
        name = f"step-{siblings.index(core_id) + 1}"
        self._steps[(run, name)] = core_id
        return name

    def _call_name(self, core_id: str, store: Store, run: str | None) -> str:
        for step in store.steps.group(run) if run else ():
            calls = (step.get("step_details") or {}).get("tool_calls") or ()
            ids = [call.get("id") for call in calls if isinstance(call, dict)]
            if core_id in ids:
                thread = self._wire_id(str(step["thread_id"]), store, None)
                owner = self._wire_id(run, store, None) if run else ""
                name = f"call-{thread}-{owner}-{self._wire_id(str(step['id']), store, run)}"
                index = ids.index(core_id)
                return name if index == 0 else f"{name}-{index + 1}"
        return f"call-{_hex(core_id)}"

    # -- in: wire → core --------------------------------------------------------------------

    def to_core(self, value: Any, store: Store) -> Any:
        """``value`` (a request body) with every AppBuilder id this table made read back, and
        ``step-N`` read as the N-th step of the body's run."""
        if isinstance(value, str):
            return self._core.get(value, value)
        if isinstance(value, list):
            return [self.to_core(item, store) for item in value]
        if isinstance(value, dict):
            read = {key: self.to_core(item, store) for key, item in value.items()}
            run = read.get("run_id")
            if isinstance(run, str):
                for key in ("step_id", "after", "before"):
                    name = read.get(key)
                    if isinstance(name, str) and _STEP.fullmatch(name):
                        read[key] = self._step_of(run, name, store)
            return read
        return value

    def _step_of(self, run: str, name: str, store: Store) -> str:
        known = self._steps.get((run, name))
        if known is not None:
            return known
        steps = store.steps.group(run)
        number = int(name.removeprefix("step-"))
        if 1 <= number <= len(steps):
            core_id = str(steps[number - 1]["id"])
            self._wire[core_id] = name
            self._steps[(run, name)] = core_id
            return core_id
        return name  # the core names the step it cannot find


def _run_of(value: dict[str, Any]) -> str | None:
    """The core run a body is about: a run's own id, else its ``run_id``."""
    if value.get("object") in _RUN_OBJECTS and isinstance(value.get("id"), str):
        return str(value["id"])
    run = value.get("run_id")
    return run if isinstance(run, str) and run else None
