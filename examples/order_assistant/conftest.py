"""The order assistant's test settings: its scenarios live in ``scenarios/``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def harness_config() -> Mapping[str, Any]:
    """Relative scenario paths in this suite name files of ``scenarios/``."""
    return {"scenario_dir": Path(__file__).parent / "scenarios"}
