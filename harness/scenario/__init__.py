"""Scenarios: the YAML DSL, its model, and the built-in library (``builtin:NAME``).

The model is imported eagerly (it is small); the loader, with PyYAML and jsonschema, on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from harness.scenario.model import (
    BUILTIN_PREFIX,
    DECLARED,
    Activity,
    CodeInterpreterSpec,
    ContractRules,
    FaultSpec,
    LastError,
    MessageSpec,
    OutputExpectation,
    RunMatch,
    RunScript,
    Scenario,
    SeedAssistant,
    SeedMessage,
    SeedThread,
    StepSpec,
    ToolCallSpec,
    Usage,
    default_run_script,
)

if TYPE_CHECKING:
    from harness.scenario.loader import (
        builtin_names,
        builtin_scenarios,
        load_scenario,
        parse_scenario,
        scenario_errors,
    )

__all__ = [
    "BUILTIN_PREFIX",
    "DECLARED",
    "Activity",
    "CodeInterpreterSpec",
    "ContractRules",
    "FaultSpec",
    "LastError",
    "MessageSpec",
    "OutputExpectation",
    "RunMatch",
    "RunScript",
    "Scenario",
    "SeedAssistant",
    "SeedMessage",
    "SeedThread",
    "StepSpec",
    "ToolCallSpec",
    "Usage",
    "builtin_names",
    "builtin_scenarios",
    "default_run_script",
    "load_scenario",
    "parse_scenario",
    "scenario_errors",
]

_LOADER = {
    "builtin_names",
    "builtin_scenarios",
    "load_scenario",
    "parse_scenario",
    "scenario_errors",
}


def __getattr__(name: str) -> Any:
    if name in _LOADER:
        return getattr(import_module("harness.scenario.loader"), name)
    raise AttributeError(f"module 'harness.scenario' has no attribute {name!r}")
