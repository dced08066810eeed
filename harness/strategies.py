"""Hypothesis strategies for Assistants API objects, run lifecycles and whole scenarios.

* :func:`run_objects`, :func:`messages`, :func:`run_steps` — API payloads that validate against
  :mod:`harness.schemas`, with fields consistent with their status (timestamps, usage, errors).
* :func:`lifecycles` — legal run status sequences drawn from :data:`harness.lifecycle.TRANSITIONS`:
  they start ``queued``, end in a terminal status, and resume ``queued`` after
  ``requires_action`` (the tool outputs), as scripts do.
* :func:`step_specs`, :func:`run_scripts`, :func:`scenarios` — scenario model values the fake
  server plays as they are (already normalised: what the YAML loader would build).

Misuse fails when the strategy is made, with what is wrong and how to fix it::

    >>> lifecycles(max_length=1)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    harness.strategies.StrategyError: lifecycles(max_length=1): a lifecycle has at least 2 ...

:func:`polled_statuses` tells what a client that polls each run and answers every tool call is
shown for a script, so a property test can compare it with what the server did.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Collection, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from harness import lifecycle
from harness.core.objects import (
    JSON,
    message_object,
    run_object,
    run_step_object,
    text_content,
    usage_json,
)
from harness.errors import ConfigError
from harness.scenario.model import (
    Activity,
    CodeInterpreterSpec,
    FaultSpec,
    LastError,
    MessageSpec,
    RunScript,
    Scenario,
    SeedAssistant,
    StepSpec,
    ToolCallSpec,
    Usage,
)

__all__ = [
    "SCENARIO_ASSISTANT_ID",
    "StrategyError",
    "faults",
    "ids",
    "lifecycles",
    "messages",
    "metadata",
    "polled_statuses",
    "run_objects",
    "run_scripts",
    "run_steps",
    "scenarios",
    "step_specs",
]

SCENARIO_ASSISTANT_ID: Final = "asst_generatedAssistant000000"
"""The id of the assistant every :func:`scenarios` draw seeds."""

_ID_ALPHABET: Final = string.ascii_letters + string.digits
_FUNCTION_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_DEFAULT_FUNCTIONS: Final = ("get_weather", "lookup_order")
_EPOCH: Final = 1_700_000_000
_ERROR_CODES: Final = lifecycle.LAST_ERROR_CODES
_INCOMPLETE_REASONS: Final = lifecycle.INCOMPLETE_REASONS
_MESSAGE_STATUSES: Final = frozenset({"in_progress", "completed", "incomplete"})
_STEP_STATUSES: Final = ("in_progress", "completed", "cancelled", "failed", "expired")
_SCRIPT_SUCCESSORS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        status: ("queued",)
        if status == "requires_action"
        else tuple(
            sorted(lifecycle.TRANSITIONS[status], key=lambda s: (not lifecycle.is_terminal(s), s))
        )
        for status in lifecycle.RUN_STATUSES
    }
)
"""Successors in a script: the table's, except that ``requires_action`` resumes ``queued``
(the client answered). Terminal statuses come first so that examples shrink to short runs."""


class StrategyError(ConfigError, InvalidArgument):
    """A strategy was called with arguments it cannot honour.

    Both a :class:`harness.errors.ConfigError` and a :class:`hypothesis.errors.InvalidArgument`,
    so either ``except`` catches it.
    """


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise StrategyError(message)


# -- small pieces --------------------------------------------------------------------------


def ids(prefix: str) -> SearchStrategy[str]:
    """Ids like the real API's: ``prefix_`` and 24 base62 characters (``ids("run")``)."""
    _require(
        bool(re.fullmatch(r"[a-z]+", prefix)),
        f"ids({prefix!r}): the prefix is lower-case letters without '_', e.g. 'run' or 'msg'",
    )
    return st.text(_ID_ALPHABET, min_size=24, max_size=24).map(lambda tail: f"{prefix}_{tail}")


def metadata(max_pairs: int = 16) -> SearchStrategy[dict[str, str]]:
    """Metadata the API accepts: at most ``max_pairs`` (≤ 16) string pairs, keys ≤ 64
    characters, values ≤ 512."""
    _require(
        0 <= max_pairs <= 16,
        f"metadata(max_pairs={max_pairs}): the API allows 0..16 pairs; pass a number in that range",
    )
    keys = st.text(string.ascii_letters + string.digits + "_-.", min_size=1, max_size=64)
    return st.dictionaries(keys, st.text(max_size=512), max_size=max_pairs)


def _timestamps() -> SearchStrategy[int]:
    return st.integers(_EPOCH, _EPOCH + 10**8)


def _texts() -> SearchStrategy[str]:
    return st.text(st.characters(codec="utf-8"), min_size=1, max_size=80)


def _arguments() -> SearchStrategy[str]:
    values = st.one_of(st.integers(-1000, 1000), st.text(max_size=20), st.booleans(), st.none())
    objects = st.dictionaries(
        st.text(string.ascii_lowercase, min_size=1, max_size=10), values, max_size=3
    )
    return objects.map(lambda value: json.dumps(value, separators=(",", ":")))


def _usage() -> SearchStrategy[Usage]:
    return st.builds(Usage, st.integers(0, 10_000), st.integers(0, 10_000))


def _function_names(names: Sequence[str] | None, where: str) -> tuple[str, ...]:
    """The names, checked; ``None`` (calls bound to the run's declared tools) is ``()``."""
    if names is None:
        return ()
    _require(bool(names), f"{where}: function_names is empty; give at least one function name")
    for name in names:
        _require(
            bool(_FUNCTION_NAME.match(name)),
            f"{where}: {name!r} is not a function name the API accepts (1..64 of A-Z a-z 0-9 _ -)",
        )
    return tuple(dict.fromkeys(names))


def _statuses(
    value: str | Collection[str] | None, allowed: Sequence[str], where: str
) -> tuple[str, ...]:
    chosen = (
        tuple(allowed) if value is None else (value,) if isinstance(value, str) else tuple(value)
    )
    unknown = [status for status in chosen if status not in allowed]
    _require(
        bool(chosen) and not unknown,
        f"{where}: status {unknown or list(chosen)!r} is not one of {', '.join(allowed)}",
    )
    return chosen


# -- API objects -----------------------------------------------------------------------------


def run_objects(
    status: str | Collection[str] | None = None,
    *,
    function_names: Sequence[str] = _DEFAULT_FUNCTIONS,
) -> SearchStrategy[JSON]:
    """Run objects (``thread.run``) in ``status`` (any when ``None``), as the API sent them:
    ``started_at`` once started, the end timestamp of a terminal status, ``expires_at`` null
    and ``usage`` set once terminal, ``required_action`` only in ``requires_action``."""
    statuses = _statuses(status, lifecycle.RUN_STATUSES, "run_objects")
    names = _function_names(function_names, "run_objects")
    return _run_object(statuses, names)


@st.composite
def _run_object(draw: st.DrawFn, statuses: tuple[str, ...], names: tuple[str, ...]) -> JSON:
    status = draw(st.sampled_from(statuses))
    created = draw(_timestamps())
    functions = draw(
        st.lists(
            st.sampled_from(names),
            min_size=1 if status == "requires_action" else 0,
            max_size=3,
            unique=True,
        )
    )
    tools: list[JSON] = [
        {"type": "function", "function": {"name": name, "strict": False}} for name in functions
    ]
    if draw(st.booleans()):
        tools.append({"type": "code_interpreter"})
    assistant = {
        "id": draw(ids("asst")),
        "model": draw(st.sampled_from(("gpt-4o", "gpt-4o-mini", "gpt-4.1"))),
        "instructions": draw(st.none() | st.text(max_size=40)),
        "tools": tools,
    }
    params: dict[str, Any] = {
        "metadata": draw(metadata(4)),
        "temperature": draw(st.none() | st.floats(0, 2)),
        "top_p": draw(st.none() | st.floats(0, 1)),
        "max_prompt_tokens": draw(st.none() | st.integers(256, 100_000)),
        "max_completion_tokens": draw(st.none() | st.integers(256, 100_000)),
        "tool_choice": draw(st.sampled_from(("auto", "none", "required"))),
        "parallel_tool_calls": draw(st.booleans()),
    }
    run = run_object(
        id=draw(ids("run")),
        created_at=created,
        thread_id=draw(ids("thread")),
        assistant=assistant,
        params=params,
        expires_at=created + 600,
    )
    started = created + draw(st.integers(0, 30))
    ended = started + draw(st.integers(0, 300))
    run["status"] = status
    never_started = status == "queued" or (
        status in {"failed", "expired", "cancelled"} and draw(st.booleans())
    )
    if not never_started or (
        status == "queued" and draw(st.booleans())
    ):  # queued again after tools
        run["started_at"] = started
    if status == "requires_action":
        calls = [
            {
                "id": draw(ids("call")),
                "type": "function",
                "function": {"name": name, "arguments": draw(_arguments())},
            }
            for name in draw(st.lists(st.sampled_from(functions), min_size=1, max_size=3))
        ]
        run["required_action"] = {
            "type": "submit_tool_outputs",
            "submit_tool_outputs": {"tool_calls": calls},
        }
    if lifecycle.is_terminal(status):
        run["expires_at"] = None
        run["usage"] = usage_json(draw(_usage()))
        stamp = lifecycle.TIMESTAMP_FIELD.get(status)
        if stamp is not None:
            run[stamp] = ended
        if status == "failed":
            code = draw(st.sampled_from(_ERROR_CODES))
            run["last_error"] = {"code": code, "message": draw(_texts())}
        if status == "incomplete":
            run["incomplete_details"] = {"reason": draw(st.sampled_from(_INCOMPLETE_REASONS))}
    return run


def messages(role: str | None = None) -> SearchStrategy[JSON]:
    """Message objects (``thread.message``): user messages as created by hand (``status`` null,
    no run), assistant messages as a run posts them (``in_progress``, ``completed`` or
    ``incomplete``, with the matching timestamp and reason)."""
    roles = _statuses(role, ("user", "assistant"), "messages")
    return _message(roles)


@st.composite
def _message(draw: st.DrawFn, roles: tuple[str, ...]) -> JSON:
    role = draw(st.sampled_from(roles))
    created = draw(_timestamps())
    content = [text_content(text) for text in draw(st.lists(_texts(), min_size=1, max_size=3))]
    if draw(st.booleans()):
        detail = draw(st.sampled_from(("auto", "low", "high")))
        content.append(
            {"type": "image_file", "image_file": {"file_id": draw(ids("file")), "detail": detail}}
        )
    if role == "user":
        return message_object(
            id=draw(ids("msg")),
            created_at=created,
            thread_id=draw(ids("thread")),
            role="user",
            content=content,
            status=None,
            metadata=draw(metadata(4)),
        )
    status = draw(st.sampled_from(sorted(_MESSAGE_STATUSES)))
    message = message_object(
        id=draw(ids("msg")),
        created_at=created,
        thread_id=draw(ids("thread")),
        role="assistant",
        content=content if status != "in_progress" else [],
        status=status,
        assistant_id=draw(ids("asst")),
        run_id=draw(ids("run")),
        completed_at=created + 1 if status == "completed" else None,
    )
    if status == "incomplete":
        message["incomplete_at"] = created + 1
        reasons = ("max_tokens", "run_cancelled", "run_expired", "run_failed", "content_filter")
        message["incomplete_details"] = {"reason": draw(st.sampled_from(reasons))}
    return message


def run_steps(
    status: str | Collection[str] | None = None,
    *,
    function_names: Sequence[str] = _DEFAULT_FUNCTIONS,
) -> SearchStrategy[JSON]:
    """Run step objects (``thread.run.step``): ``message_creation`` or ``tool_calls`` (function
    calls whose ``output`` is set once the step completed, code_interpreter calls with their
    logs), with the timestamp of their status and ``usage`` once finished."""
    statuses = _statuses(status, _STEP_STATUSES, "run_steps")
    names = _function_names(function_names, "run_steps")
    return _run_step(statuses, names)


@st.composite
def _run_step(draw: st.DrawFn, statuses: tuple[str, ...], names: tuple[str, ...]) -> JSON:
    status = draw(st.sampled_from(statuses))
    created = draw(_timestamps())
    run = {
        "id": draw(ids("run")),
        "assistant_id": draw(ids("asst")),
        "thread_id": draw(ids("thread")),
        "expires_at": None if status != "in_progress" else created + 600,
    }
    details: JSON
    if draw(st.booleans()):
        details = {"type": "message_creation", "message_creation": {"message_id": draw(ids("msg"))}}
    else:
        calls = [
            {
                "id": draw(ids("call")),
                "type": "function",
                "function": {
                    "name": name,
                    "arguments": draw(_arguments()),
                    "output": draw(st.text(max_size=40)) if status == "completed" else None,
                },
            }
            for name in draw(st.lists(st.sampled_from(names), max_size=3))
        ]
        if not calls or draw(st.booleans()):
            logs = (
                [{"type": "logs", "logs": draw(st.text(max_size=40))}]
                if status == "completed"
                else []
            )
            code = {"input": draw(st.text(max_size=40)), "outputs": logs}
            calls.append(
                {"id": draw(ids("call")), "type": "code_interpreter", "code_interpreter": code}
            )
        details = {"type": "tool_calls", "tool_calls": calls}
    step = run_step_object(id=draw(ids("step")), created_at=created, run=run, step_details=details)
    step["status"] = status
    if status != "in_progress":
        step[f"{status}_at"] = created + draw(st.integers(0, 60))
        step["usage"] = usage_json(draw(_usage()))
    if status == "failed":
        code = draw(st.sampled_from(("server_error", "rate_limit_exceeded")))
        step["last_error"] = {"code": code, "message": draw(_texts())}
    return step


# -- lifecycles and scripts ------------------------------------------------------------------


def _lengths(
    ends: frozenset[str], max_steps: int, rounds: int | None = None
) -> dict[tuple[str, int], set[int]]:
    """(status, tool rounds left) → the numbers of further transitions after which a run can
    end in ``ends`` having used up exactly the rounds left; entering ``requires_action`` takes a
    round (``rounds=None``: no limit, and the rounds left are always 0)."""
    lefts = [0] if rounds is None else list(range(rounds + 1))
    reach: dict[tuple[str, int], set[int]] = {
        (s, left): ({0} if s in ends and (rounds is None or left == 0) else set())
        for s in lifecycle.RUN_STATUSES
        for left in lefts
    }
    for steps in range(1, max_steps + 1):
        for status, successors in _SCRIPT_SUCCESSORS.items():
            for left in lefts:
                for after in successors:
                    after_left = _rounds_after(after, left, rounds)
                    if after_left is not None and steps - 1 in reach[(after, after_left)]:
                        reach[(status, left)].add(steps)
                        break
    return reach


def _rounds_after(status: str, left: int, rounds: int | None) -> int | None:
    """Rounds left after entering ``status``; ``None`` when it cannot be entered."""
    if rounds is None or status != "requires_action":
        return left
    return left - 1 if left > 0 else None


def _shortest(ends: frozenset[str]) -> int:
    return 1 + min(_lengths(ends, 12)[("queued", 0)], default=10**6)


def lifecycles(
    *,
    min_length: int = 2,
    max_length: int = 10,
    ends_in: Collection[str] | None = None,
    max_tool_rounds: int | None = None,
) -> SearchStrategy[list[str]]:
    """Legal run status sequences of ``min_length``..``max_length`` statuses: ``queued`` first,
    each step allowed by :data:`~harness.lifecycle.TRANSITIONS`, ``requires_action`` always
    followed by ``queued``, the last status terminal (one of ``ends_in`` when given), and at
    most ``max_tool_rounds`` ``requires_action`` statuses (any number when ``None``)."""
    terminal = sorted(lifecycle.TERMINAL_STATUSES)
    ends = frozenset(terminal if ends_in is None else ends_in)
    wrong = sorted(ends - lifecycle.TERMINAL_STATUSES)
    _require(
        bool(ends) and not wrong,
        f"lifecycles(ends_in={sorted(ends)}): a lifecycle ends in a terminal status; "
        f"{wrong or 'nothing'} is not one; choose from {', '.join(terminal)}",
    )
    shortest = _shortest(ends)
    _require(
        max_length >= 2,
        f"lifecycles(max_length={max_length}): a lifecycle has at least 2 statuses (the shortest "
        "legal one is queued › expired); pass max_length >= 2",
    )
    _require(
        min_length <= max_length,
        f"lifecycles(min_length={min_length}, max_length={max_length}): min_length is above "
        "max_length; lower min_length or raise max_length",
    )
    _require(
        max_tool_rounds is None or max_tool_rounds >= 0,
        f"lifecycles(max_tool_rounds={max_tool_rounds}): pass a number >= 0, or None",
    )
    rounds = max_tool_rounds
    lengths = _lengths(ends, max_length - 1, rounds)
    targets = [
        left
        for left in range((rounds or 0) + 1)
        if any(min_length <= 1 + steps <= max_length for steps in lengths[("queued", left)])
    ]
    _require(
        bool(targets),
        f"lifecycles(min_length={min_length}, max_length={max_length}, "
        f"ends_in={sorted(ends)}): no legal lifecycle has that length; the shortest that ends "
        f"in {' or '.join(sorted(ends))} has {shortest} statuses; raise max_length",
    )
    return _lifecycle(min_length, max_length, lengths, rounds, tuple(targets))


@st.composite
def _lifecycle(
    draw: st.DrawFn,
    min_length: int,
    max_length: int,
    lengths: dict[tuple[str, int], set[int]],
    rounds: int | None,
    targets: tuple[int, ...],
) -> list[str]:
    statuses = ["queued"]
    # With a bound, the number of tool rounds is drawn first: paths with several rounds are as
    # likely as paths with none (a uniform walk would rarely meet a second round), and
    # examples shrink towards fewer rounds.
    left = draw(st.sampled_from(targets)) if rounds is not None else 0
    while not lifecycle.is_terminal(statuses[-1]):
        position = len(statuses)  # index of the status to choose
        options = []
        for after in _SCRIPT_SUCCESSORS[statuses[-1]]:
            after_left = _rounds_after(after, left, rounds)
            if after_left is not None and any(
                min_length <= position + 1 + steps <= max_length
                for steps in lengths[(after, after_left)]
            ):
                options.append((after, after_left))
        status, left = draw(st.sampled_from(options))
        statuses.append(status)
    return statuses


def step_specs(
    status: str | Collection[str] | None = None,
    *,
    function_names: Sequence[str] | None = _DEFAULT_FUNCTIONS,
    max_polls: int = 3,
) -> SearchStrategy[StepSpec]:
    """A scripted step for ``status`` with what may come with it: ``polls``; tool calls for
    ``requires_action`` (named from ``function_names`` or ``declared``: ``name=None``, with given
    or generated arguments; only ``declared`` ones, bound to the run's own function tools with
    arguments valid against their parameters, when ``function_names`` is ``None``); assistant
    messages and code_interpreter calls for ``in_progress``, ``completed`` and ``incomplete``;
    ``last_error`` for ``failed``; a reason for ``incomplete``; usage once terminal."""
    statuses = _statuses(status, lifecycle.RUN_STATUSES, "step_specs")
    names = _function_names(function_names, "step_specs")
    _require(max_polls >= 1, f"step_specs(max_polls={max_polls}): a status is shown at least once")
    return _step_spec(statuses, names, max_polls)


@st.composite
def _step_spec(
    draw: st.DrawFn, statuses: tuple[str, ...], names: tuple[str, ...], max_polls: int
) -> StepSpec:
    status = draw(st.sampled_from(statuses))
    polls = draw(st.none() | st.integers(1, max_polls))
    tool_calls: tuple[ToolCallSpec, ...] = ()
    expires_after_s = None
    if status == "requires_action":
        # A name, or None: the run's next declared function; arguments, or None: generated
        # from that function's parameters.
        if names:
            tool_calls = tuple(
                ToolCallSpec(name, draw(st.none() | _arguments()))
                for name in draw(
                    st.lists(st.none() | st.sampled_from(names), min_size=1, max_size=3)
                )
            )
        else:
            tool_calls = tuple(ToolCallSpec() for _ in range(draw(st.integers(1, 3))))
        expires_after_s = draw(st.none() | st.integers(300, 3600))
    activity: list[Activity] = []
    if status in _MESSAGE_STATUSES:
        code = st.builds(CodeInterpreterSpec, _texts(), logs=st.none() | st.text(max_size=40))
        activity = draw(st.lists(st.builds(MessageSpec, _texts()) | code, max_size=2))
    return StepSpec(
        status=status,
        polls=polls,
        tool_calls=tool_calls,
        activity=tuple(activity),
        last_error=LastError(draw(st.sampled_from(_ERROR_CODES)), draw(_texts()))
        if status == "failed" and draw(st.booleans())
        else None,
        incomplete_reason=draw(st.sampled_from(_INCOMPLETE_REASONS))
        if status == "incomplete"
        else None,
        usage=draw(st.none() | _usage()) if lifecycle.is_terminal(status) else None,
        expires_after_s=expires_after_s,
    )


def run_scripts(
    *,
    min_length: int = 2,
    max_length: int = 10,
    ends_in: Collection[str] | None = None,
    function_names: Sequence[str] | None = _DEFAULT_FUNCTIONS,
    max_polls: int = 3,
    max_tool_rounds: int | None = None,
) -> SearchStrategy[RunScript]:
    """Run scripts whose statuses are a :func:`lifecycles` draw and whose steps are
    :func:`step_specs` draws for those statuses."""
    statuses = lifecycles(
        min_length=min_length,
        max_length=max_length,
        ends_in=ends_in,
        max_tool_rounds=max_tool_rounds,
    )
    names = _function_names(function_names, "run_scripts")
    _require(max_polls >= 1, f"run_scripts(max_polls={max_polls}): a status is shown at least once")
    return _run_script(statuses, names, max_polls)


@st.composite
def _run_script(
    draw: st.DrawFn, statuses: SearchStrategy[list[str]], names: tuple[str, ...], max_polls: int
) -> RunScript:
    chain = draw(statuses)
    steps = tuple(draw(_step_spec((status,), names, max_polls)) for status in chain)
    return RunScript(steps=steps, name="generated: " + " › ".join(chain))


def scenarios(
    *,
    max_runs: int = 3,
    min_length: int = 2,
    max_length: int = 10,
    ends_in: Collection[str] | None = None,
    function_names: Sequence[str] | None = _DEFAULT_FUNCTIONS,
    max_polls: int = 3,
    max_tool_rounds: int | None = None,
    max_faults: int = 0,
    stream_cuts: bool = False,
    seed_assistant: bool = True,
) -> SearchStrategy[Scenario]:
    """Whole scenarios the fake server plays: 1..``max_runs`` :func:`run_scripts` (consumed in
    order by the runs the client creates), up to ``max_faults`` :func:`faults` (with stream
    cuts when ``stream_cuts``), and unless ``seed_assistant`` is false a seeded assistant
    :data:`SCENARIO_ASSISTANT_ID` with every function of ``function_names`` as a tool.
    ``function_names=None`` makes every tool call ``declared``: bound to the client's own
    function tools when the run enters the step."""
    _require(max_runs >= 1, f"scenarios(max_runs={max_runs}): a scenario scripts at least 1 run")
    _require(max_faults >= 0, f"scenarios(max_faults={max_faults}): pass a number >= 0")
    names = _function_names(function_names, "scenarios")
    scripts = run_scripts(
        min_length=min_length,
        max_length=max_length,
        ends_in=ends_in,
        function_names=names or None,
        max_polls=max_polls,
        max_tool_rounds=max_tool_rounds,
    )
    seeds: tuple[SeedAssistant, ...] = ()
    if seed_assistant:
        seeds = (
            SeedAssistant(
                id=SCENARIO_ASSISTANT_ID,
                name="generated",
                tools=tuple(
                    {"type": "function", "function": {"name": name}}
                    for name in names or _DEFAULT_FUNCTIONS
                ),
            ),
        )
    return st.builds(
        lambda runs, injected: Scenario(
            name="generated",
            description="Drawn by harness.strategies.scenarios().",
            assistants=seeds,
            runs=tuple(runs),
            faults=tuple(injected),
        ),
        st.lists(scripts, min_size=1, max_size=max_runs),
        st.lists(faults(stream_cuts=stream_cuts), max_size=max_faults),
    )


_FAULT_TARGETS: Final = (
    ("GET", "/v1/threads/*/runs/*"),
    ("POST", "/v1/threads/*/runs"),
    ("POST", "/v1/threads/*/runs/*/submit_tool_outputs"),
    ("GET", "/v1/threads/*/messages"),
)
_FAULT_STATUSES: Final = (500, 429, 503)


def faults(*, stream_cuts: bool = False, max_nth: int = 3) -> SearchStrategy[FaultSpec]:
    """HTTP faults a client must ride out: one retryable error (500, 429, 503, with
    ``retry-after-ms: 5``) on the ``nth`` (1..``max_nth``) matching request of a run endpoint;
    with ``stream_cuts``, also a stream cut short or ended by an ``error`` event after a few
    events. (Dropped connections are left out: SDKs back off half a second or more before
    retrying them, which would make every such example slow.)"""
    _require(max_nth >= 1, f"faults(max_nth={max_nth}): the first request is number 1")
    return _fault(stream_cuts, max_nth)


@st.composite
def _fault(draw: st.DrawFn, stream_cuts: bool, max_nth: int) -> FaultSpec:
    kinds = ["status", *(["cut", "stream_error"] if stream_cuts else [])]
    kind = draw(st.sampled_from(kinds))
    nth = (draw(st.integers(1, max_nth)),)
    if kind in ("cut", "stream_error"):
        after = draw(st.integers(0, 8))
        return FaultSpec(
            method="POST",
            path="/v1/threads/*/runs",
            nth=nth,
            cut_stream_after=after if kind == "cut" else None,
            stream_error_after=after if kind == "stream_error" else None,
        )
    method, path = draw(st.sampled_from(_FAULT_TARGETS))
    return FaultSpec(
        method=method,
        path=path,
        nth=nth,
        status=draw(st.sampled_from(_FAULT_STATUSES)),
        headers={"retry-after-ms": "5"},
    )


def polled_statuses(script: RunScript) -> list[str]:
    """What a client that polls a run of ``script`` after creating it, and submits outputs at
    each ``requires_action``, is shown: each step ``polls`` times (default once), counting the
    create and submit answers; a status the client stops at (``requires_action``, terminal)
    once."""
    shown: list[str] = []
    for step in script.steps:
        times = 1 if step.status in lifecycle.POLL_STOP_STATUSES else step.polls or 1
        shown += [step.status] * times
        if lifecycle.is_terminal(step.status):
            break
    return shown
