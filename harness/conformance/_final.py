"""The checks judged over the whole battery: schemas of every payload, every run's statuses."""

from __future__ import annotations

from harness.conformance._checks import CheckSpec
from harness.conformance._context import Context, Probe

__all__ = ["FINAL", "SCHEMA_GROUPS"]

SCHEMA_GROUPS: tuple[tuple[str, str], ...] = (
    ("assistant", "assistant objects"),
    ("thread", "thread objects"),
    ("message", "message objects"),
    ("run", "run objects"),
    ("run_step", "run step objects"),
    ("list", "list envelopes"),
    ("deleted", "deletion answers"),
    ("error", "error envelopes"),
    ("stream_event", "stream events"),
    ("file", "file objects"),
    ("vector_store", "vector store objects"),
    ("vector_store.file", "vector store file objects"),
    ("vector_store.files_batch", "file batch objects"),
)
"""Schema group → what it covers; one ``schemas.<group>`` check each."""


def _final(ctx: Context) -> None:
    s = ctx.session
    with ctx.check("runs.status_sequences") as check:
        for run_id in s.sequences:
            for message in s.sequence_problems(run_id):
                check.expect(False, message)
        check.expect(bool(s.sequences), "no run was observed (the probes that make runs failed)")
        check.note(f"{len(s.sequences)} runs observed")
    for group, covers in SCHEMA_GROUPS:
        with ctx.check(f"schemas.{group}") as check:
            for problem in s.schema_problems:
                if problem.group == group:
                    check.expect(False, problem.message)
            count = s.validated.get(group, 0)
            check.expect(
                bool(count or check.problems),
                f"no valid {covers} were observed (the probes that make them failed)",
            )
            check.note(f"{count} valid")


FINAL = Probe(
    "final",
    (
        CheckSpec(
            "runs.status_sequences",
            "runs",
            "every observed run status sequence follows the lifecycle",
        ),
        *(
            CheckSpec(f"schemas.{group}", "schemas", f"all {covers} match their schema")
            for group, covers in SCHEMA_GROUPS
        ),
    ),
    _final,
)
