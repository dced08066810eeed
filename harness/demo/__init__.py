"""``harness demo``: drive whatever a scenario scripts with a real SDK, and judge it.

:mod:`harness.demo.plan` reads a scenario into what to send (tools, questions, cancellations,
tool outputs that meet its expectations, the ending each run must reach), whatever the wire;
:mod:`harness.demo.driver` sends it, the same loop on every wire, through a client of
:mod:`harness.demo.openai_client` (``OpenAI`` or ``AzureOpenAI``) or
:mod:`harness.demo.appbuilder_client` (appbuilder-sdk), and reports how every run ended.
"""

from harness.demo.driver import RunOutcome, drive
from harness.demo.plan import DemoPlan, RunPlan, plan_for

__all__ = ["DemoPlan", "RunOutcome", "RunPlan", "drive", "plan_for"]
