"""Load scenario YAML into :class:`~harness.scenario.model.Scenario`, with located errors.

Errors name the file, line, column and field path and say what was expected, e.g.
``specs/x.yaml:14:9: runs[0].steps[2].status: 'complete' is not one of ['queued', …]``.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import jsonschema

from harness import lifecycle
from harness.errors import ScenarioError
from harness.scenario._located import Located, parse_located
from harness.scenario.model import (
    BUILTIN_PREFIX,
    CitationSpec,
    CodeInterpreterSpec,
    ContractRules,
    FaultSpec,
    FileSearchResultSpec,
    FileSearchSpec,
    GeneratedFileSpec,
    IngestionSpec,
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
)

__all__ = [
    "BUILTIN_PREFIX",
    "builtin_names",
    "builtin_scenarios",
    "load_scenario",
    "parse_scenario",
    "scenario_errors",
]

_MESSAGE_STATUSES = frozenset({"in_progress", "completed", "incomplete"})
_CONTINUATION = (
    StepSpec("queued"),
    StepSpec("in_progress"),
    StepSpec("completed", activity=(MessageSpec("Done."),), usage=Usage(40, 8)),
)

Path_ = tuple[str | int, ...]
T = TypeVar("T")

_INGESTION_TARGETS = {
    "files": "file",
    "file_batches": "file_batch",
    "vector_stores": "vector_store",
}
_INGESTION_ERRORS = {
    "server_error": "The file could not be processed.",
    "unsupported_file": "The file type is not supported.",
    "invalid_file": "The file could not be parsed.",
}
_INGESTION_ENDINGS = {
    "file": ("completed", "failed", "cancelled"),
    "file_batch": ("completed", "failed", "cancelled"),
    "vector_store": ("completed", "expired"),
}


@functools.lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    text = resources.files("harness.schemas").joinpath("scenario.schema.json").read_text("utf-8")
    return jsonschema.Draft202012Validator(
        json.loads(text), format_checker=jsonschema.FormatChecker(["regex"])
    )


def _builtin_dir() -> Any:
    return resources.files("harness.scenario").joinpath("builtins")


def builtin_names() -> list[str]:
    """Names of the built-in scenarios, usable as ``builtin:NAME``."""
    return sorted(
        entry.name.removesuffix(".yaml")
        for entry in _builtin_dir().iterdir()
        if entry.name.endswith(".yaml")
    )


def builtin_scenarios() -> list[Scenario]:
    """Every built-in scenario, loaded."""
    return [load_scenario(BUILTIN_PREFIX + name) for name in builtin_names()]


def load_scenario(ref: str | Path, *, base: Path | None = None) -> Scenario:
    """Load ``builtin:NAME`` or a YAML file (relative paths resolve against ``base``)."""
    text_ref = str(ref)
    if text_ref.startswith(BUILTIN_PREFIX):
        name = text_ref[len(BUILTIN_PREFIX) :]
        entry = _builtin_dir().joinpath(f"{name}.yaml")
        if not entry.is_file():
            raise ScenarioError(
                f"no built-in scenario {name!r}; known: {', '.join(builtin_names())}",
                source=text_ref,
            )
        return parse_scenario(entry.read_text("utf-8"), source=text_ref)
    path = Path(text_ref)
    if base is not None and not path.is_absolute():
        path = base / path
    return parse_scenario(read_scenario_file(path), source=str(path))


def read_scenario_file(path: Path) -> str:
    """The text of a scenario file; unreadable or non-UTF-8 files are a located error."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ScenarioError(
            f"cannot read the scenario: {error.strerror}", source=str(path)
        ) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line_start = raw.rfind(b"\n", 0, error.start) + 1
        raise ScenarioError(
            f"the file is not UTF-8 text: byte 0x{raw[error.start]:02x} cannot be decoded "
            "(saved as Latin-1 or UTF-16?); save it as UTF-8",
            source=str(path),
            line=raw.count(b"\n", 0, error.start) + 1,
            column=error.start - line_start + 1,
        ) from None


def parse_scenario(text: str, *, source: str = "<scenario>") -> Scenario:
    """Parse and check one scenario document; the first problem raises :class:`ScenarioError`."""
    errors = scenario_errors(text, source=source)
    if errors:
        raise errors[0]
    return _Builder(parse_located(text, source)).scenario()


def scenario_errors(text: str, *, source: str = "<scenario>") -> list[ScenarioError]:
    """Every problem of a scenario document, located and in file order; empty when valid.

    Schema problems come first-hand; the checks a schema cannot express (transitions, regexes,
    tool-call arguments...) run on every run and fault the schema found nothing wrong with.
    """
    try:
        located = parse_located(text, source)
    except ScenarioError as error:
        return [error]
    if not isinstance(located.data, dict):
        hint = _colon_hint(located.data) if isinstance(located.data, str) else ""
        return [located.error((), f"a scenario must be a mapping with at least a 'name'{hint}")]
    schema = list(_schema_problems(located.data))
    builder = _Builder(located)
    if not schema:
        builder.collect(builder.scenario)
    else:
        broken = [path for path, _ in schema]
        data = located.data
        for key, build in (("runs", builder.run), ("faults", builder.fault)):
            items = data.get(key)
            for index, item in enumerate(items if isinstance(items, list) else ()):
                if not _overlaps((key, index), broken):
                    builder.collect(build, item, (key, index))
        if "default_run" in data and not _overlaps(("default_run",), broken):
            builder.collect(builder.run, data["default_run"], ("default_run",))
    problems = [located.error(path, message) for path, message in schema] + builder.errors
    return sorted(problems, key=lambda e: (e.line or 0, e.column or 0))


def _overlaps(item: Path_, paths: list[Path_]) -> bool:
    """Whether any of ``paths`` lies inside ``item`` or contains it."""
    return any(path[: len(item)] == item or item[: len(path)] == path for path in paths)


def _schema_problems(data: Any) -> Iterator[tuple[Path_, str]]:
    for error in sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path)):
        yield _explain(error)


def _explain(error: jsonschema.ValidationError) -> tuple[Path_, str]:
    """The most useful (path, message) for an error; ``oneOf`` is unpacked to its best branch."""
    if error.validator == "oneOf" and error.context:
        instance = error.instance
        branches = [
            sub
            for sub in error.context
            if not (sub.validator == "type" and not sub.absolute_path)
            and not (
                isinstance(instance, dict) and sub.validator == "enum" and not sub.relative_path
            )
        ]
        if branches:
            best = max(branches, key=lambda sub: len(sub.absolute_path))
            return _explain(best)
    path: Path_ = tuple(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        schema = error.schema if isinstance(error.schema, dict) else {}
        allowed = set(schema.get("properties", {}))
        extra = [key for key in error.instance if key not in allowed]
        if extra:
            name = str(extra[0])
            expected = ", ".join(sorted(allowed))
            message = f"unknown field {name!r}{_did_you_mean(name, allowed)}; expected one of: "
            return (*path, name), message + expected
    if (
        error.validator == "enum"
        and isinstance(error.instance, str)
        and isinstance(error.validator_value, list)
    ):
        options = [str(option) for option in error.validator_value]
        hint = _did_you_mean(error.instance, options) or _colon_hint(error.instance)
        return path, error.message + hint
    return path, error.message


def _did_you_mean(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _colon_hint(text: str) -> str:
    """``status:completed`` is one string to YAML: the space after the colon makes a key."""
    if re.search(r"\w:\S", text):
        return " (to write a key and its value, put a space after the colon: 'key: value')"
    return ""


class _Noted(Exception):
    """A piece stops here; its problems are already noted."""


class _Builder:
    """Turns schema-valid data into the model, checking what a schema cannot say."""

    def __init__(self, located: Located) -> None:
        self.located = located
        self.errors: list[ScenarioError] = []
        """Problems noted on the way; :meth:`collect` adds the one that stopped a piece."""

    def fail(self, path: Path_, message: str) -> ScenarioError:
        return self.located.error(path, message)

    def note(self, path: Path_, message: str) -> None:
        """A problem that does not stop the rest of the piece from being checked."""
        self.errors.append(self.fail(path, message))

    def collect(self, build: Callable[..., T], *args: Any) -> T | None:
        """``build(*args)``, or ``None`` with its error noted."""
        before = len(self.errors)
        try:
            result = build(*args)
        except ScenarioError as error:
            self.errors.append(error)
            return None
        except _Noted:
            return None
        return result if len(self.errors) == before else None

    def scenario(self) -> Scenario:
        data: dict[str, Any] = self.located.data
        contract = data.get("contract") or {}
        runs = [
            self.collect(self.run, item, ("runs", index))
            for index, item in enumerate(data.get("runs") or ())
        ]
        default_run = (
            self.collect(self.run, data["default_run"], ("default_run",))
            if "default_run" in data
            else None
        )
        faults = [
            self.collect(self.fault, item, ("faults", index))
            for index, item in enumerate(data.get("faults") or ())
        ]
        ingestion = self.ingestion(data.get("ingestion") or {})
        if self.errors:
            raise _Noted
        return Scenario(
            name=data["name"],
            description=data.get("description", ""),
            assistants=tuple(
                SeedAssistant(
                    id=item["id"],
                    model=item.get("model", "gpt-4o"),
                    name=item.get("name"),
                    instructions=item.get("instructions"),
                    tools=tuple(item.get("tools") or ()),
                    metadata=item.get("metadata") or {},
                )
                for item in data.get("assistants") or ()
            ),
            threads=tuple(
                SeedThread(
                    id=item["id"],
                    messages=tuple(
                        SeedMessage(m["role"], m["content"]) for m in item.get("messages") or ()
                    ),
                    metadata=item.get("metadata") or {},
                )
                for item in data.get("threads") or ()
            ),
            runs=tuple(run for run in runs if run is not None),
            default_run=default_run,
            faults=tuple(fault for fault in faults if fault is not None),
            ingestion=ingestion,
            contract=ContractRules(**contract),
            source=self.located.source,
        )

    def ingestion(self, data: Mapping[str, Any]) -> tuple[IngestionSpec, ...]:
        """Ingestion outcomes, checked for what each kind of object can end as."""
        specs: list[IngestionSpec] = []
        for key, target in _INGESTION_TARGETS.items():
            for index, item in enumerate(data.get(key) or ()):
                path: Path_ = ("ingestion", key, index)
                status = item["status"]
                if status not in _INGESTION_ENDINGS[target]:
                    self.note(
                        (*path, "status"),
                        f"{key} end as one of {', '.join(_INGESTION_ENDINGS[target])}, "
                        f"not {status!r}",
                    )
                if "last_error" in item and status != "failed":
                    self.note((*path, "last_error"), "only a failed file has last_error")
                error = item.get("last_error")
                specs.append(
                    IngestionSpec(
                        target=target,
                        match=item.get("match"),
                        status=status,
                        polls=item.get("polls", 1),
                        last_error=LastError(
                            error["code"], error.get("message") or _INGESTION_ERRORS[error["code"]]
                        )
                        if error
                        else None,
                        line=(self.located.where(path) or (None,))[0],
                    )
                )
        return tuple(specs)

    def _check_annotations(self, value: Any, path: Path_) -> None:
        """Each annotation's text must occur in the message text (once per annotation that
        names it)."""
        if not isinstance(value, dict):
            return
        text = value["text"]
        seen: dict[str, int] = {}
        for key in ("citations", "file_paths"):
            for index, item in enumerate(value.get(key) or ()):
                seen[item["text"]] = seen.get(item["text"], 0) + 1
                if text.count(item["text"]) < seen[item["text"]]:
                    self.note(
                        (*path, key, index, "text"),
                        f"{item['text']!r} does not occur in the message text {text!r}"
                        + (" that often" if seen[item["text"]] > 1 else ""),
                    )

    def run(self, data: Mapping[str, Any], path: Path_) -> RunScript:
        built = [
            self.collect(self.step, item, (*path, "steps", i))
            for i, item in enumerate(data["steps"])
        ]
        match = data.get("match") or {}
        if "content" in match:
            self.collect(self._check_regex, match["content"], (*path, "match", "content"))
        on_cancel = self.collect(self._on_cancel, data.get("on_cancel"), (*path, "on_cancel"))
        if any(step is None for step in built) or on_cancel is None:
            raise _Noted
        steps = self._normalized([step for step in built if step is not None], (*path, "steps"))
        return RunScript(
            steps=tuple(steps),
            match=RunMatch(
                assistant_id=match.get("assistant_id"),
                thread_id=match.get("thread_id"),
                content=match.get("content"),
                metadata=match.get("metadata") or {},
            ),
            on_cancel=on_cancel,
            name=data.get("name", ""),
        )

    def _on_cancel(self, data: Any, path: Path_) -> tuple[StepSpec, ...]:
        if data is None:
            return (StepSpec("cancelling"), StepSpec("cancelled"))
        on_cancel = tuple(self.step(item, (*path, i)) for i, item in enumerate(data))
        if on_cancel[0].status != "cancelling":
            raise self.fail((*path, 0), "a cancellation starts with 'cancelling'")
        self._check_chain(list(on_cancel), path)
        if not lifecycle.is_terminal(on_cancel[-1].status):
            raise self.fail(
                (*path, len(on_cancel) - 1),
                f"a cancellation must end in a terminal status, not {on_cancel[-1].status!r}",
            )
        return on_cancel

    def _normalized(self, steps: list[StepSpec], path: Path_) -> list[StepSpec]:
        """Add the implicit ``queued`` statuses the real API always showed; check the chain."""
        self._check_chain(steps, path, offset=0)
        result: list[StepSpec] = []
        if steps[0].status != "queued":
            result.append(StepSpec("queued"))
        for index, step in enumerate(steps):
            previous = steps[index - 1] if index else None
            if (
                previous is not None
                and previous.status == "requires_action"
                and step.status != "queued"
                and not step.illegal
            ):
                result.append(StepSpec("queued"))
            result.append(step)
        if result[-1].status == "requires_action":
            result.extend(_CONTINUATION)
        elif (
            not lifecycle.is_terminal(result[-1].status) and result[-1].status != "requires_action"
        ):
            raise self.fail(
                (*path, len(steps) - 1),
                f"a run script must end in a terminal status or requires_action, not "
                f"{result[-1].status!r}",
            )
        return result

    def _check_chain(self, steps: list[StepSpec], path: Path_, offset: int = 0) -> None:
        first = steps[0]
        starts = ("queued", "in_progress", "cancelling")
        if first.status not in starts and not first.illegal and path[-1] == "steps":
            raise self.fail(
                (*path, 0),
                f"a run starts 'queued' (or 'in_progress' after an implicit queued), not "
                f"{first.status!r}; mark the step 'illegal: true' to test a misbehaving server",
            )
        for index in range(1, len(steps)):
            before, after = steps[index - 1].status, steps[index].status
            implicit_queue = before == "requires_action" and after == "in_progress"
            if implicit_queue or lifecycle.is_legal(before, after) or steps[index].illegal:
                continue
            allowed = sorted(lifecycle.TRANSITIONS[before]) or ["nothing: it is terminal"]
            raise self.fail(
                (*path, index + offset, "status")
                if isinstance(self._raw(path, index), dict)
                else (*path, index + offset),
                f"illegal transition {before} › {after}; from {before!r} a run may go to "
                f"{', '.join(allowed)} (mark the step 'illegal: true' to test a misbehaving "
                "server)",
            )

    def _raw(self, path: Path_, index: int) -> Any:
        node: Any = self.located.data
        for part in (*path, index):
            node = node[part]
        return node

    def step(self, data: Any, path: Path_) -> StepSpec:
        if isinstance(data, str):
            if data == "requires_action":
                raise self.fail(
                    path,
                    "a requires_action step needs tool_calls: write it as {status: "
                    "requires_action, tool_calls: [{name: NAME, arguments: {...}}]}",
                )
            return StepSpec(data, line=(self.located.where(path) or (None,))[0])
        status = data["status"]
        before = len(self.errors)
        if "polls" in data and "after_ms" in data:
            self.note(path, "give either 'polls' or 'after_ms', not both")
        for key, wanted in (
            ("tool_calls", {"requires_action"}),
            ("expect_outputs", {"requires_action"}),
            ("last_error", {"failed"}),
            ("incomplete_details", {"incomplete"}),
        ):
            if key in data and status not in wanted:
                self.note(
                    (*path, key),
                    f"only a {'/'.join(sorted(wanted))} step has {key}, not {status!r}",
                )
        if status == "requires_action" and not data.get("tool_calls"):
            self.note(path, "a requires_action step needs tool_calls")
        given = [key for key in ("message", "messages", "activity") if key in data]
        if given and status not in _MESSAGE_STATUSES:
            self.note(
                (*path, given[0]),
                "messages are posted by in_progress, completed or incomplete steps, not "
                f"{status!r}",
            )
        if len(given) > 1:
            self.note(path, f"give one of 'message', 'messages' or 'activity', not {given}")
        message_paths: list[tuple[Any, Path_]] = (
            [(data["message"], (*path, "message"))]
            if "message" in data
            else [(m, (*path, "messages", i)) for i, m in enumerate(data.get("messages") or ())]
        )
        for message, where in message_paths:
            self._check_annotations(message, where)
        activity: list[MessageSpec | CodeInterpreterSpec | FileSearchSpec] = [
            _message(m) for m, _ in message_paths
        ]
        for index, item in enumerate(data.get("activity") or ()):
            if "message" in item:
                self._check_annotations(item["message"], (*path, "activity", index, "message"))
            activity.append(_activity(item))
        for index, call in enumerate(data.get("tool_calls") or ()):
            if isinstance(call, dict) and isinstance(call.get("arguments"), str):
                self.collect(
                    self._check_arguments,
                    call["arguments"],
                    (*path, "tool_calls", index, "arguments"),
                )
        error = data.get("last_error")
        usage = data.get("usage")
        for index, expectation in enumerate(data.get("expect_outputs") or ()):
            if "output_matches" in expectation:
                self.collect(
                    self._check_regex,
                    expectation["output_matches"],
                    (*path, "expect_outputs", index, "output_matches"),
                )
            if "output_schema" in expectation:
                try:
                    jsonschema.Draft202012Validator.check_schema(expectation["output_schema"])
                except jsonschema.SchemaError as problem:
                    self.note(
                        (*path, "expect_outputs", index, "output_schema"),
                        f"not a valid JSON Schema: {problem.message}",
                    )
        if len(self.errors) > before:
            raise _Noted
        return StepSpec(
            status=status,
            polls=data.get("polls"),
            after_ms=data.get("after_ms"),
            tool_calls=tuple(_tool_call(call) for call in data.get("tool_calls") or ()),
            expect_outputs=tuple(
                OutputExpectation(
                    tool=item.get("tool"),
                    output_matches=item.get("output_matches"),
                    output_schema=item.get("output_schema"),
                )
                for item in data.get("expect_outputs") or ()
            ),
            activity=tuple(activity),
            last_error=_last_error(error) if error else None,
            incomplete_reason=(data.get("incomplete_details") or {}).get("reason"),
            usage=Usage(usage.get("prompt_tokens", 0), usage.get("completion_tokens", 0))
            if usage
            else None,
            expires_after_s=data.get("expires_after_s"),
            chunk_delay_ms=(data.get("stream") or {}).get("chunk_delay_ms", 0),
            illegal=bool(data.get("illegal", False)),
            line=(self.located.where(path) or (None,))[0],
        )

    def fault(self, data: Mapping[str, Any], path: Path_) -> FaultSpec:
        match = data.get("match") or {}
        respond = data.get("respond") or {}
        nth = data.get("nth")
        effects = ("respond", "delay_ms", "reset", "cut_stream_after", "stream_error_after")
        if not any(key in data for key in effects):
            raise self.fail(path, f"a fault needs an effect: one of {', '.join(effects)}")
        if "nth" in data and "times" in data:
            raise self.fail(path, "give either 'nth' or 'times', not both")
        return FaultSpec(
            method=match.get("method", "*"),
            path=match.get("path", "*"),
            nth=tuple(nth) if isinstance(nth, list) else ((nth,) if nth is not None else ()),
            times=data.get("times", 1),
            status=respond.get("status") if respond else None,
            body=respond.get("body"),
            headers=respond.get("headers") or {},
            delay_ms=data.get("delay_ms", 0),
            reset=bool(data.get("reset", False)),
            cut_stream_after=data.get("cut_stream_after"),
            stream_error_after=data.get("stream_error_after"),
        )

    def _check_arguments(self, text: str, path: Path_) -> None:
        """Arguments given as a string are sent as they are: they must be a JSON object."""
        try:
            value = json.loads(text)
        except ValueError as error:
            raise self.fail(
                path,
                f"arguments given as a string must be JSON, and this is not: {error}; write them "
                'as a mapping ({city: Paris}) or as a JSON object string (\'{"city": "Paris"}\')',
            ) from None
        if not isinstance(value, dict):
            raise self.fail(
                path, f"arguments must be a JSON object, not {type(value).__name__} {text!r}"
            )

    def _check_regex(self, pattern: str, path: Path_) -> None:
        try:
            re.compile(pattern)
        except re.error as error:
            raise self.fail(path, f"invalid regular expression: {error}") from None


def _message(value: Any) -> MessageSpec:
    if isinstance(value, str):
        return MessageSpec(value)
    annotations = [
        CitationSpec(item["text"], item.get("file"), kind)
        for key, kind in (("citations", "file_citation"), ("file_paths", "file_path"))
        for item in value.get(key) or ()
    ]
    # Annotations are kept in the order they appear in the text.
    annotations.sort(key=lambda note: value["text"].find(note.text))
    return MessageSpec(
        value["text"],
        tuple(value.get("chunks") or ()),
        citations=tuple(annotations),
        quote_search=bool(value.get("quote_search", False)),
    )


def _activity(value: Mapping[str, Any]) -> MessageSpec | CodeInterpreterSpec | FileSearchSpec:
    if "message" in value:
        return _message(value["message"])
    if "file_search" in value:
        search = value["file_search"]
        return FileSearchSpec(
            query=search.get("query"),
            results=tuple(
                FileSearchResultSpec(item["file"], item.get("text"), item.get("score", 0.9))
                for item in search.get("results") or ()
            ),
            id=search.get("id"),
        )
    code = value["code_interpreter"]
    return CodeInterpreterSpec(
        input=code["input"],
        chunks=tuple(code.get("chunks") or ()),
        logs=code.get("logs"),
        id=code.get("id"),
        images=tuple(code.get("images") or ()),
        files=tuple(
            GeneratedFileSpec(item["name"], item.get("content", ""))
            for item in code.get("files") or ()
        ),
    )


def _last_error(value: Mapping[str, Any]) -> LastError:
    code = value["code"]
    return LastError(code, value.get("message") or _default_error(code))


def _tool_call(value: Any) -> ToolCallSpec:
    """``declared`` or ``{name?, arguments?, id?}``: what is left out is bound when the step is
    entered (the run's declared functions, arguments valid against their ``parameters``)."""
    if isinstance(value, str):  # the schema allows only DECLARED here
        return ToolCallSpec()
    arguments = value.get("arguments")
    return ToolCallSpec(
        name=value.get("name"),
        arguments=None if arguments is None else _arguments(arguments),
        id=value.get("id"),
    )


def _arguments(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def _default_error(code: str) -> str:
    return {
        "server_error": "Sorry, something went wrong.",
        "rate_limit_exceeded": "Rate limit reached. Please try again later.",
        "invalid_prompt": "The prompt was flagged as potentially violating our usage policy.",
    }.get(code, code)
