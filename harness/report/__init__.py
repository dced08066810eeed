"""Reports for people: run lanes, the coverage table, and the self-contained HTML page.

Shared by the pytest plugin (``--harness-html``, ``--harness-coverage``) and ``harness conform
--html``. Nothing here knows pytest or HTTP: it turns plain data into text and HTML.
"""

from harness.report.coverage_table import coverage_lines
from harness.report.lanes import Lane, LaneMark, Segment, TestEntry, fold, lane_of
from harness.report.page import render_page

__all__ = [
    "Lane",
    "LaneMark",
    "Segment",
    "TestEntry",
    "coverage_lines",
    "fold",
    "lane_of",
    "render_page",
]
