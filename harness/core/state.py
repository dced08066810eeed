"""Everything one fake server holds, and the per-request context handlers receive."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from harness.clock import DEFAULT_EPOCH, VirtualClock
from harness.core.engine import Emitter, RunEngine
from harness.core.http import ApiRequest
from harness.core.ingestion import Ingestor
from harness.core.journal import Journal
from harness.core.params import Params, bad_request, invalid_choice, parse_json_body
from harness.core.polling import PollWatch
from harness.core.store import Page, Store
from harness.core.tools import ArgumentFactory
from harness.errors import ApiError
from harness.ids import IdFactory
from harness.scenario.model import (
    RunScript,
    Scenario,
    default_run_script,
    forced_tool_run_script,
)

__all__ = ["Context", "ScriptQueue", "ServerConfig", "ServerState"]

_ASCII_INTEGER = re.compile(r"-?[0-9]{1,100}")


@dataclass(frozen=True)
class ServerConfig:
    """How the fake behaves. Strict mode answers like the real API did."""

    poll_after_ms: int = 5
    """Sent as ``openai-poll-after-ms`` on run retrievals, so SDK pollers don't sleep 1 s."""
    strict: bool = True
    """Reject unknown body parameters, as the real API did (state checks apply either way)."""
    permissive: bool = False
    """Materialise unknown well-formed ids on first use (clients with hard-coded ids)."""
    seed: int | None = 0
    """Seed of generated ids; ``None`` for fresh random ids each start."""
    api_key: str | None = None
    """When set, only this bearer key is accepted."""
    clock_start: int = DEFAULT_EPOCH
    clock_tick_ms: int = 1000
    """Virtual milliseconds a retrieval of a run advances that run's own time by (as if the
    client had waited); other traffic moves no clock."""
    run_expiry_s: int = 600
    max_upload_bytes: int = 512 * 1024**2
    """The largest file ``POST /files`` accepts (the real API's limit)."""
    validate_responses: bool = False
    """Check every response against the JSON Schemas (tests turn this on)."""
    profile: str = "default"
    """``default``, or ``sunset``: answer 404 on every Assistants path as the API does now."""


class ScriptQueue:
    """Run scripts waiting for the runs the client creates, consumed in order."""

    def __init__(self, scenario: Scenario | None = None) -> None:
        self.scenario = scenario
        self._scripts: list[RunScript] = list(scenario.runs) if scenario else []
        self._used: list[bool] = [False] * len(self._scripts)
        self._default = (scenario.default_run if scenario else None) or default_run_script()
        self.unscripted: list[tuple[str, str]] = []
        """(run id, why) of runs that found no script in a scenario that scripts runs and
        declares no ``default_run``: work the scenario did not plan for."""

    def take(self, run: dict[str, Any], content: str) -> RunScript:
        """The first unused script matching ``run``; else the default (which honours a forced
        function ``tool_choice`` as a real model would)."""
        for index, script in enumerate(self._scripts):
            if self._used[index] or not _matches(
                script, run["assistant_id"], run["thread_id"], run["metadata"], content
            ):
                continue
            self._used[index] = True
            return script
        if self._scripts and self.scenario is not None and self.scenario.default_run is None:
            left = self._used.count(False)
            why = (
                f"matched none of the {left} unused run scripts"
                if left
                else f"was created after all {len(self._scripts)} run scripts were used"
            )
            self.unscripted.append((run["id"], why))
        forced = _forced_function(run)
        if forced is not None and (self.scenario is None or self.scenario.default_run is None):
            return forced_tool_run_script(forced)
        return self._default

    def is_builtin_default(self, script: RunScript) -> bool:
        """``script`` is what runs get when nothing scripted them (not a scenario's default)."""
        return script is self._default and (
            self.scenario is None or self.scenario.default_run is None
        )

    def unused(self) -> list[RunScript]:
        return [script for script, used in zip(self._scripts, self._used, strict=True) if not used]


def _forced_function(run: dict[str, Any]) -> str | None:
    functions: list[str] = [
        tool["function"]["name"] for tool in run["tools"] if tool.get("type") == "function"
    ]
    choice = run.get("tool_choice")
    if isinstance(choice, dict) and choice.get("type") == "function":
        name: object = (choice.get("function") or {}).get("name")
        return name if isinstance(name, str) else None
    if choice == "required" and functions:
        return functions[0]
    return None


def _matches(
    script: RunScript, assistant_id: str, thread_id: str, metadata: dict[str, str], content: str
) -> bool:
    match = script.match
    if match.assistant_id is not None and match.assistant_id != assistant_id:
        return False
    if match.thread_id is not None and match.thread_id != thread_id:
        return False
    if match.content is not None and not re.search(match.content, content):
        return False
    return all(metadata.get(key) == value for key, value in match.metadata.items())


@dataclass
class ServerState:
    """The store, clock, ids, journal, engine and scenario of one fake server."""

    config: ServerConfig
    store: Store = field(default_factory=Store)
    journal: Journal = field(default_factory=Journal)
    polls: PollWatch = field(default_factory=PollWatch)
    """Each caller's repeated retrievals, for the polling-loop rules."""
    clock: VirtualClock = field(init=False)
    ids: IdFactory = field(init=False)
    engine: RunEngine = field(init=False)
    ingestion: Ingestor = field(init=False)
    scripts: ScriptQueue = field(default_factory=ScriptQueue)
    arguments: ArgumentFactory | None = None
    """Generated tool-call arguments; pass one to keep its cache across resets."""

    def __post_init__(self) -> None:
        self.clock = VirtualClock(self.config.clock_start, self.config.clock_tick_ms)
        self.ids = IdFactory(self.config.seed)
        scenario = self.scripts.scenario
        self.engine = RunEngine(
            store=self.store,
            ids=self.ids,
            clock=self.clock,
            journal=self.journal,
            contract=scenario.contract if scenario else Scenario("default").contract,
            polls=None if self.config.permissive else self.polls,
            arguments=self.arguments or ArgumentFactory(seed=self.config.seed or 0),
            check_declared_tools=not self.config.permissive,
        )
        self.ingestion = Ingestor(self.store, self.clock, scenario.ingestion if scenario else ())


@dataclass
class Context:
    """One request as a handler sees it."""

    state: ServerState
    request: ApiRequest
    params: dict[str, str]
    label: str
    """``METHOD /v1/path``, for messages and the journal."""

    @property
    def strict(self) -> bool:
        return self.state.config.strict and not self.state.config.permissive

    @property
    def permissive(self) -> bool:
        return self.state.config.permissive

    def body(self, allowed: set[str], *, required: bool = False) -> Params:
        data = parse_json_body(self.request.body, required=required and not self.permissive)
        return Params(data, allowed=allowed, strict=self.strict, relaxed=self.permissive)

    def page(self, *, default_limit: int = 20, max_limit: int = 100) -> Page:
        limit_text = self._query("limit")
        limit = default_limit
        if limit_text is not None:
            # int() would also take "5_0", "+7", " 7" and non-ASCII digits; the API did not.
            if _ASCII_INTEGER.fullmatch(limit_text) is None:
                raise bad_request(
                    f"Invalid 'limit': expected an integer, but got '{limit_text}' instead.",
                    param="limit",
                    code="invalid_type",
                )
            limit = int(limit_text)
            if self.permissive:
                limit = min(max(limit, 1), max_limit)
            if limit < 1:
                raise bad_request(
                    "Invalid 'limit': integer below minimum value. Expected a value >= 1, but "
                    f"got {limit} instead.",
                    param="limit",
                    code="integer_below_min_value",
                )
            if limit > max_limit:
                raise bad_request(
                    "Invalid 'limit': integer above maximum value. Expected a value <= "
                    f"{max_limit}, but got {limit} instead.",
                    param="limit",
                    code="integer_above_max_value",
                )
        order = self._query("order") or "desc"
        if order not in ("asc", "desc"):
            raise invalid_choice("order", order, ("asc", "desc"))
        return Page(limit, order, self._query("after"), self._query("before"))

    def _query(self, name: str) -> str | None:
        values = self.request.query_values(name)
        return values[-1] if values else None

    def emitter(self, *, streaming: bool = False) -> Emitter:
        return Emitter(self.state.journal, streaming=streaming)

    def path_id(self, name: str, prefix: str, kind: str) -> str:
        """A path id, checked for its prefix like the real API did."""
        value = self.params[name]
        if not value.startswith(f"{prefix}_") and not self.state.config.permissive:
            raise ApiError(
                400,
                f"Invalid '{name}': '{value}'. Expected an ID that begins with '{prefix}'.",
                param=name,
                code="invalid_value",
            )
        return value

    def wants_stream(self, params: Params) -> bool:
        return bool(params.boolean("stream"))


def not_found(kind: str, id: str) -> ApiError:
    """``No thread found with id 'thread_x'.`` and its family."""
    return ApiError(404, f"No {kind} found with id '{id}'.")
