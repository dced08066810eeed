"""Engine-side state of one run."""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.clock import ObjectClock
from harness.core.objects import JSON
from harness.scenario.model import RunScript, StepSpec

__all__ = ["RunRecord"]


@dataclass
class RunRecord:
    """A run's JSON object plus where it stands in its script."""

    obj: JSON
    script: RunScript
    steps: tuple[StepSpec, ...]
    clock: ObjectClock
    """The run's own time: expiry, timed steps and its timestamps are judged on it."""
    index: int = 0
    views: int = 0
    """How many responses have shown the current step."""
    entered_ms: int = 0
    """The run's time (ms) when it entered its current step."""
    pending_calls: list[JSON] = field(default_factory=list)
    tool_step_id: str | None = None
    open_step_ids: list[str] = field(default_factory=list)
    streaming: bool = False
    """A stream is playing this run: polls show it but do not move it."""
    search_results: list[JSON] = field(default_factory=list)
    """What the run's file_search calls found (``file_id``, ``file_name``, ``text``), for the
    citations of its messages."""
    written_files: dict[str, str] = field(default_factory=dict)
    """Files its code_interpreter calls wrote: name → file id (``file_path`` annotations)."""
    unshown_images: list[str] = field(default_factory=list)
    """Image file ids drawn by code_interpreter, not yet part of a message."""

    @property
    def id(self) -> str:
        run_id: str = self.obj["id"]
        return run_id

    @property
    def thread_id(self) -> str:
        thread_id: str = self.obj["thread_id"]
        return thread_id

    @property
    def status(self) -> str:
        status: str = self.obj["status"]
        return status

    @property
    def step(self) -> StepSpec:
        return self.steps[self.index]
