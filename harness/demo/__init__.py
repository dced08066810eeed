"""``harness demo``: drive whatever a scenario scripts with a real SDK, and judge it.

:mod:`harness.demo.plan` reads a scenario into what to send (tools, questions, cancellations,
tool outputs that meet its expectations, the ending each run must reach), whatever the wire;
:mod:`harness.demo.driver` sends it with the openai SDK (``OpenAI`` or ``AzureOpenAI``) and
:mod:`harness.demo.appbuilder_driver` with appbuilder-sdk, each reporting how every run ended.
"""

from harness.demo.driver import RunOutcome, drive
from harness.demo.plan import DemoPlan, RunPlan, plan_for

__all__ = ["DemoPlan", "RunOutcome", "RunPlan", "drive", "plan_for"]
