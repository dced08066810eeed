"""``harness demo``: drive whatever a scenario scripts with the real openai SDK, and judge it.

:mod:`harness.demo.plan` reads a scenario into what to send (tools, questions, cancellations,
tool outputs that meet its expectations, the ending each run must reach); :mod:`harness.demo.driver`
sends it and reports how each run ended.
"""

from harness.demo.driver import RunOutcome, drive
from harness.demo.plan import DemoPlan, RunPlan, plan_for

__all__ = ["DemoPlan", "RunOutcome", "RunPlan", "drive", "plan_for"]
