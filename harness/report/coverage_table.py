"""The coverage table as text lines, for a terminal."""

from __future__ import annotations

from harness.core.coverage import Coverage, summarise

__all__ = ["coverage_lines"]


def coverage_lines(coverage: Coverage) -> list[str]:
    """``dimension  met/total  pct  never met: …`` per dimension, then the total."""
    summaries, percent = summarise(coverage)
    lines = [f"{'dimension':<15}{'met':>9}{'cover':>8}  never met"]
    for summary in summaries:
        if summary.total:
            share = f"{100.0 * len(summary.met) / summary.total:.0f}%"
            met = f"{len(summary.met)}/{summary.total}"
            missed = ", ".join(summary.missed) or "-"
        else:
            share, met = "", str(len(summary.extra))
            missed = "(met: " + (", ".join(summary.extra) or "none") + ")"
        if summary.total and summary.extra:
            missed += "; also met: " + ", ".join(summary.extra)
        lines.append(f"{summary.dimension:<15}{met:>9}{share:>8}  {missed}")
    lines.append(f"{'TOTAL':<15}{'':>9}{percent:>7.0f}%")
    return lines
