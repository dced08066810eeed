"""What AppBuilder has and the core's objects do not, per server (reset with the core's state)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from harness.dialects.appbuilder import _shapes as shapes
from harness.dialects.appbuilder._ids import WireIds

if TYPE_CHECKING:
    from harness.dialects.appbuilder._stream import Handoff
    from harness.dialects.base import CoreCaller

__all__ = ["DialectState"]

JSON = dict[str, Any]


@dataclass
class DialectState:
    assistant_extras: dict[str, JSON] = field(default_factory=dict)
    """``thought_instructions``, ``chat_instructions`` and ``file_ids`` by assistant id."""
    message_content: dict[str, list[JSON]] = field(default_factory=dict)
    """Content replaced by ``messages.update`` (the core only modifies metadata)."""
    message_file_ids: dict[str, list[str]] = field(default_factory=dict)
    """``file_ids`` replaced by ``messages.update`` (the core keeps the attachments)."""
    waiting: dict[str, Handoff] = field(default_factory=dict)
    """Open streams waiting at ``requires_action``, by run id."""
    file_purpose: dict[str, str] = field(default_factory=dict)
    """The purpose each upload was given (the core stores them as ``user_data``)."""
    ids: WireIds = field(default_factory=WireIds)
    """The core's ids in AppBuilder's forms, both ways."""
    expired_at: dict[str, int] = field(default_factory=dict)
    """When each expired run was first seen expired (the core keeps no such time)."""

    def run(
        self, core: CoreCaller, run: JSON, *, answer: JSON | None = None, result: bool = False
    ) -> JSON:
        """``shapes.run`` with the run's ``expired_at``."""
        rendered = shapes.run(run, answer=answer, result=result)
        if run.get("status") == "expired":
            record = core.api.state.store.runs.get(str(run["id"]))
            now = record.clock.now() if record is not None else core.api.state.clock.now()
            seen = self.expired_at.setdefault(str(run["id"]), now)
            rendered["expired_at"] = shapes.ms(seen)
        return rendered
