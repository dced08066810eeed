"""Which scenario a test plays: references, their resolution, and the lifecycle groups."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Final

from harness.errors import ScenarioError
from harness.scenario.model import BUILTIN_PREFIX, Scenario

__all__ = [
    "LIFECYCLE_GROUPS",
    "TERMINAL_LIFECYCLES",
    "ScenarioCache",
    "ScenarioRef",
    "expand_lifecycles",
]

ScenarioRef = str | Path | Scenario | None
"""What a test may name: ``builtin:NAME``, a YAML path, a :class:`Scenario`, or ``None``."""

TERMINAL_LIFECYCLES: Final[tuple[str, ...]] = (
    "completed",
    "failed-server-error",
    "failed-rate-limit",
    "failed-invalid-prompt",
    "cancelled",
    "expired-while-queued",
    "requires-action-expired",
    "incomplete-max-completion-tokens",
    "incomplete-max-prompt-tokens",
)
"""One built-in per way a run can end: ``completed``; ``failed`` with each ``last_error.code``;
``cancelled``; ``expired`` before starting and while awaiting tool outputs; ``incomplete`` with
each reason. Built-ins whose run ends like one of these (retries, tool rounds, slow runs, a
cancel that loses the race) are left out."""

LIFECYCLE_GROUPS: Final[tuple[str, ...]] = ("all", "terminal")


def expand_lifecycles(selectors: Iterable[object]) -> list[str]:
    """``builtin:`` references for ``harness_lifecycles`` arguments, in order, without repeats.

    A selector is ``"all"``, ``"terminal"``, a built-in name (with or without ``builtin:``), a
    path to a YAML scenario, or a list of those.
    """
    from harness.scenario.loader import builtin_names

    known = builtin_names()
    refs: list[str] = []
    for selector in _flatten(selectors):
        if selector == "all":
            chosen = [BUILTIN_PREFIX + name for name in known]
        elif selector == "terminal":
            chosen = [BUILTIN_PREFIX + name for name in TERMINAL_LIFECYCLES]
        else:
            name = selector.removeprefix(BUILTIN_PREFIX)
            if name in known:
                chosen = [BUILTIN_PREFIX + name]
            elif not selector.startswith(BUILTIN_PREFIX) and selector.endswith((".yaml", ".yml")):
                chosen = [selector]
            else:
                raise ScenarioError(
                    f"no built-in scenario {name!r}; use 'all', 'terminal', "
                    f"a path ending in .yaml, or one of: {', '.join(known)}",
                    source=selector,
                )
        refs.extend(ref for ref in chosen if ref not in refs)
    if not refs:
        raise ScenarioError(
            "harness_lifecycles needs at least one selector: 'all', 'terminal' or names",
            source="harness_lifecycles",
        )
    return refs


def _flatten(selectors: Iterable[object]) -> Iterable[str]:
    for selector in selectors:
        if isinstance(selector, str):
            yield selector
        elif isinstance(selector, Sequence):
            yield from _flatten(selector)
        else:
            raise ScenarioError(
                f"expected names or lists of names, not {selector!r}",
                source="harness_lifecycles",
            )


class ScenarioCache:
    """Parsed scenarios of one session: a scenario file is read and checked once."""

    def __init__(self) -> None:
        self._parsed: dict[str, Scenario] = {}

    def resolve(
        self, ref: ScenarioRef, *, scenario_dir: Path | None, test_dir: Path
    ) -> Scenario | None:
        """The scenario ``ref`` names; relative paths try ``scenario_dir``, then ``test_dir``."""
        if ref is None or isinstance(ref, Scenario):
            return ref
        text = str(ref)
        if text.startswith(BUILTIN_PREFIX):
            key = text
        else:
            key = str(_locate(Path(text), scenario_dir, test_dir))
        scenario = self._parsed.get(key)
        if scenario is None:
            from harness.scenario.loader import load_scenario

            scenario = load_scenario(key)
            self._parsed[key] = scenario
        return scenario


def _locate(path: Path, scenario_dir: Path | None, test_dir: Path) -> Path:
    if path.is_absolute():
        return path
    candidates = [base / path for base in (scenario_dir, test_dir) if base is not None]
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    tried = " or ".join(str(candidate) for candidate in candidates)
    raise ScenarioError(
        f"no scenario file {str(path)!r}: tried {tried} (set --harness-scenario-dir or the "
        "harness_scenario_dir ini key to look elsewhere)",
        source=str(path),
    )
