"""``@pytest.mark.harness_fuzz``: the test body against generated lifecycles.

Each hypothesis example plays one scenario drawn by :func:`harness.strategies.scenarios` (the
one source of generated lifecycles) on the test's server, then runs the test body; a failing
body or a contract violation fails the example. Hypothesis shrinks the failure, and the
smallest failing scenario is written as YAML a ``harness_scenario`` marker replays.
"""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pytest

from harness._plugin.checks import teardown_problems
from harness._plugin.settings import MarkerOptions
from harness.errors import ConfigError

if TYPE_CHECKING:
    from harness.core import AssistantsAPI
    from harness.scenario.model import Scenario

__all__ = [
    "DEFAULT_MAX_EXAMPLES",
    "FUZZ_OPTIONS",
    "MAX_EXAMPLES_LIMIT",
    "Counterexample",
    "FuzzOptions",
    "add_fuzz_options",
    "fuzz_dir",
    "fuzz_options",
    "fuzz_strategy",
    "run_fuzz",
]

DEFAULT_MAX_EXAMPLES: Final = 25
MAX_EXAMPLES_LIMIT: Final = 500
"""Example counts are bounded so a suite stays fast whatever a marker asks."""
FUZZ_OPTIONS: Final = (
    "max_examples",
    "max_runs",
    "max_length",
    "max_polls",
    "max_tool_rounds",
    "ends_in",
    "faults",
    "stream_cuts",
    "tools",
    "allow_violations",
)


def add_fuzz_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("harness")
    group.addoption(
        "--harness-fuzz-dir",
        dest="harness_fuzz_dir",
        metavar="DIR",
        default=None,
        help="where harness_fuzz writes the smallest failing scenario of a test "
        "(default: specs/regressions under the rootdir).",
    )
    parser.addini(
        "harness_fuzz_dir", "harness: where harness_fuzz writes counterexamples.", default=""
    )


def fuzz_dir(config: pytest.Config) -> Path:
    """The ``--harness-fuzz-dir`` (CLI, relative to the invocation directory), else the ini
    key (relative to the ini file), else ``specs/regressions`` under the rootdir."""
    given = config.getoption("harness_fuzz_dir", default=None)
    if given:
        return config.invocation_params.dir / Path(given)
    ini = str(config.getini("harness_fuzz_dir") or "").strip()
    if ini:
        base = config.inipath.parent if config.inipath is not None else config.rootpath
        return base / Path(ini)
    return config.rootpath / "specs" / "regressions"


@dataclass(frozen=True)
class FuzzOptions:
    """What a ``harness_fuzz`` marker asks for, with the bounds of the generated lifecycles."""

    max_examples: int = DEFAULT_MAX_EXAMPLES
    max_runs: int = 1
    """Runs scripted per example (later runs of the body get the default script)."""
    max_length: int = 10
    """Statuses per run at most."""
    max_polls: int = 3
    max_tool_rounds: int | None = 2
    ends_in: tuple[str, ...] | None = None
    """Terminal statuses the runs may end in (every one when ``None``)."""
    faults: bool = False
    """Inject up to two HTTP faults (retryable errors, dropped connections) per example."""
    stream_cuts: bool = False
    """Also cut streams short or end them with an error event."""
    tools: tuple[str, ...] | None = None
    """Names of the functions the generated tool calls call; ``None``: the run's own declared
    function tools, with arguments valid against their parameters (``declared``)."""
    allow_violations: bool = False


def fuzz_options(kwargs: Mapping[str, Any], where: str) -> FuzzOptions:
    """The marker's keyword arguments, checked."""
    unknown = sorted(set(kwargs) - set(FUZZ_OPTIONS))
    if unknown:
        raise ConfigError(
            f"{where}: unknown keyword argument {unknown[0]!r}; expected one of: "
            + ", ".join(FUZZ_OPTIONS)
        )
    options = FuzzOptions()
    changes: dict[str, Any] = {}
    for name in ("max_examples", "max_runs", "max_length", "max_polls", "max_tool_rounds"):
        if name in kwargs:
            value = kwargs[name]
            if name == "max_tool_rounds" and value is None:
                changes[name] = None
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ConfigError(f"{where}: {name} must be a whole number >= 0, not {value!r}")
            changes[name] = value
    if not 1 <= changes.get("max_examples", options.max_examples) <= MAX_EXAMPLES_LIMIT:
        raise ConfigError(
            f"{where}: max_examples must be in 1..{MAX_EXAMPLES_LIMIT}, not "
            f"{changes['max_examples']} (keep suites fast; run more in a dedicated job)"
        )
    for name in ("faults", "stream_cuts", "allow_violations"):
        if name in kwargs:
            if not isinstance(kwargs[name], bool):
                raise ConfigError(f"{where}: {name} must be True or False, not {kwargs[name]!r}")
            changes[name] = kwargs[name]
    for name in ("ends_in", "tools"):
        if name in kwargs:
            changes[name] = _names(kwargs[name], name, where)
    return replace(options, **changes)


def _names(value: object, name: str, where: str) -> tuple[str, ...]:
    items = (value,) if isinstance(value, str) else value
    if (
        not isinstance(items, (list, tuple))
        or not items
        or not all(isinstance(i, str) for i in items)
    ):
        raise ConfigError(f"{where}: {name} must be a name or a non-empty list of names")
    return tuple(str(item) for item in items)


def fuzz_strategy(options: FuzzOptions, where: str) -> Any:
    """The scenarios the marker asks for, from :func:`harness.strategies.scenarios`."""
    from harness.strategies import StrategyError, scenarios

    try:
        return scenarios(
            max_runs=max(1, options.max_runs),
            max_length=options.max_length,
            ends_in=options.ends_in,
            function_names=options.tools,
            max_polls=max(1, options.max_polls),
            max_tool_rounds=options.max_tool_rounds,
            max_faults=2 if options.faults or options.stream_cuts else 0,
            stream_cuts=options.stream_cuts,
            seed_assistant=False,
        )
    except StrategyError as error:
        raise ConfigError(f"{where}: {error}") from None


@dataclass(frozen=True)
class Counterexample:
    """Where the smallest failing scenario was written, and how to replay it."""

    path: Path
    replay: str
    """``@pytest.mark.harness_scenario("...")``, relative to the test file's folder."""

    def lines(self) -> str:
        return (
            f"harness_fuzz: the smallest failing lifecycle is written to {self.path}\n"
            f"  replay it with: {self.replay}"
        )


def hypothesis_seed(harness_seed: int, nodeid: str) -> int:
    """The seed of a test's examples: the same under the same ``--harness-seed``."""
    return zlib.crc32(f"{harness_seed}:{nodeid}".encode())


def run_fuzz(
    item: pytest.Item,
    api: AssistantsAPI,
    body: Callable[[], object],
    options: FuzzOptions,
    strategy: Any,
    *,
    seed: int,
    directory: Path,
) -> Counterexample | None:
    """Run ``body`` once per generated scenario; on failure write the shrunk one and re-raise
    the failure (with the counterexample's path added as a note)."""
    from hypothesis import HealthCheck, Phase, Verbosity, given, settings
    from hypothesis import seed as seeded

    last: list[Scenario] = []
    checks = MarkerOptions(allow_violations=options.allow_violations)

    def example(scenario: Scenario) -> None:
        api.play(scenario)
        try:
            body()
            problems = teardown_problems(api, checks, report_unused=False, test=item.name)
            if problems:
                raise AssertionError(problems)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:
            last[:] = [scenario]
            raise

    search = settings(
        max_examples=options.max_examples,
        deadline=None,
        database=None,
        derandomize=False,
        print_blob=False,
        verbosity=Verbosity.quiet,
        suppress_health_check=list(HealthCheck),
        # No explain phase: it traces every line of the SDK and the server, which costs
        # seconds, and the counterexample file says more.
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
    )(seeded(hypothesis_seed(seed, item.nodeid))(given(scenario=strategy)(example)))
    try:
        search()
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:
        if not last:
            raise
        found = write_counterexample(last[-1], item, directory, seed)
        add_note = getattr(error, "add_note", None)  # Python 3.11+
        if add_note is not None:
            add_note(found.lines())
        raise
    return None


def write_counterexample(
    scenario: Scenario, item: pytest.Item, directory: Path, seed: int
) -> Counterexample:
    """Write ``scenario`` as ``<dir>/<test>.yaml`` (atomically) and say how to replay it."""
    from harness.scenario.dump import dump_scenario
    from harness.scenario.loader import scenario_errors

    stem = _file_stem(item.nodeid)
    path = directory / f"{stem}.yaml"
    relative = Path(os.path.relpath(path, item.path.parent)).as_posix()
    replay = f'@pytest.mark.harness_scenario("{relative}")'
    named = replace(
        scenario,
        runs=tuple(replace(script, name="") for script in scenario.runs),  # names repeat steps
        name=stem,
        description=f"The smallest lifecycle harness_fuzz found failing {item.nodeid} "
        f"(--harness-seed {seed}).",
    )
    text = dump_scenario(named, header=f"Found by harness_fuzz. Replay it with:\n  {replay}")
    problems = scenario_errors(text, source=str(path))
    if problems:  # pragma: no cover - the dumper and the loader are tested to agree
        raise AssertionError(f"harness_fuzz wrote an invalid scenario: {problems[0]}")
    directory.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
    found = Counterexample(path, replay)
    item.stash[COUNTEREXAMPLE] = found
    return found


COUNTEREXAMPLE: Final = pytest.StashKey[Counterexample]()


def _file_stem(nodeid: str) -> str:
    """``tests/test_x.py::test_y[a]`` → ``test_x__test_y-a``."""
    path, _, name = nodeid.partition("::")
    module = Path(path).stem
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{module}__{name}").strip("-")
