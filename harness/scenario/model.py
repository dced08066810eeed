"""The scenario model: what the fake server plays, as frozen dataclasses.

A scenario seeds objects, scripts the runs the client will create (status by status, with
tool calls, messages, errors and usage), injects HTTP faults, and states the contract the
client must keep. The YAML loader builds these; tests and strategies may build them directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "BUILTIN_PREFIX",
    "DECLARED",
    "Activity",
    "CitationSpec",
    "CodeInterpreterSpec",
    "ContractRules",
    "FaultSpec",
    "FileSearchResultSpec",
    "FileSearchSpec",
    "GeneratedFileSpec",
    "IngestionSpec",
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
    "default_run_script",
    "file_search_run_script",
    "forced_tool_run_script",
]


BUILTIN_PREFIX = "builtin:"
"""How a built-in scenario is named wherever a scenario path is accepted: ``builtin:NAME``."""


@dataclass(frozen=True)
class Usage:
    """Token counts reported on a terminal run."""

    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def as_json(self) -> dict[str, int]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
        }


@dataclass(frozen=True)
class LastError:
    """The ``last_error`` of a failed run."""

    code: str
    message: str


DECLARED = "declared"
"""The YAML tool-call item that binds to the run's own function tools: ``ToolCallSpec()``."""


@dataclass(frozen=True)
class ToolCallSpec:
    """One function call the run asks the client to perform.

    Bound when its step is entered, against the run's declared function tools (the run's
    ``tools``, from the assistant unless the run overrides them).
    """

    name: str | None = None
    """The function called; ``None`` binds to the run's declared functions: the k-th unnamed
    call of a step takes declared function k, cycling when there are more calls than functions
    (YAML: the item ``declared``, or a mapping without ``name``)."""
    arguments: str | None = None
    """The arguments as the JSON text the model produced; ``None`` generates arguments valid
    against the function's JSON Schema ``parameters``, reproducible from the server's seed."""
    id: str | None = None
    """A fixed call id; generated when absent."""

    @property
    def declared(self) -> bool:
        """Whether the function is chosen from the run's declared tools."""
        return self.name is None


@dataclass(frozen=True)
class OutputExpectation:
    """What the client must submit for one tool call."""

    tool: str | None = None
    """Function name (or call id) the expectation applies to; ``None`` for every call."""
    output_matches: str | None = None
    """A regular expression the output must match (``re.search``)."""
    output_schema: Mapping[str, Any] | None = None
    """A JSON Schema the output, parsed as JSON, must satisfy."""


@dataclass(frozen=True)
class CitationSpec:
    """An annotation of a message: a piece of its text that cites or points to a file."""

    text: str
    """The annotated text as it appears in the message (e.g. ``【4:0†source】``)."""
    file: str | None = None
    """The file's name or id: for a citation, a file the run's file_search found (the first
    result when ``None``); for a ``file_path``, a file the run's code_interpreter wrote."""
    kind: str = "file_citation"
    """``file_citation`` or ``file_path``."""


@dataclass(frozen=True)
class MessageSpec:
    """An assistant message the run posts to its thread."""

    text: str
    chunks: tuple[str, ...] = ()
    """How the text is split into stream deltas; derived from ``text`` when empty."""
    citations: tuple[CitationSpec, ...] = ()
    """Annotations; each ``text`` must occur in the message text (in order)."""
    quote_search: bool = False
    """The text quotes the best passage the run's file_search found and cites it (the
    default reply of a file_search assistant); ``text`` is then a lead-in."""


@dataclass(frozen=True)
class CodeInterpreterSpec:
    """A code_interpreter call the run makes by itself (no client action needed)."""

    input: str
    chunks: tuple[str, ...] = ()
    """How ``input`` is split into stream deltas; derived when empty."""
    logs: str | None = None
    """Logs output of the call, if any."""
    id: str | None = None
    images: tuple[str, ...] = ()
    """File names of PNG images the code draws: each becomes an ``image`` output, a file
    (purpose ``assistants_output``) and an ``image_file`` part of the run's next message."""
    files: tuple[GeneratedFileSpec, ...] = ()
    """Files the code writes (for ``file_path`` annotations)."""


@dataclass(frozen=True)
class GeneratedFileSpec:
    """A file a code_interpreter call writes."""

    name: str
    content: str = ""


@dataclass(frozen=True)
class FileSearchResultSpec:
    """One scripted file_search result."""

    file: str
    """The name or id of a stored file."""
    text: str | None = None
    """The passage returned; the file's passage that best matches the query when ``None``."""
    score: float = 0.9


@dataclass(frozen=True)
class FileSearchSpec:
    """A file_search call the run makes by itself over its vector stores."""

    query: str | None = None
    """What is searched for; the thread's last user message when ``None``."""
    results: tuple[FileSearchResultSpec, ...] = ()
    """Scripted results; when empty, the stores' files are searched for the query."""
    id: str | None = None


Activity = MessageSpec | CodeInterpreterSpec | FileSearchSpec
"""What a step does when it is entered, in order: post a message, run code, search files."""


@dataclass(frozen=True)
class StepSpec:
    """One status of a scripted run and what comes with it."""

    status: str
    polls: int | None = None
    """How many times the client observes this status before it moves on (default 1)."""
    after_ms: int | None = None
    """Virtual milliseconds the status lasts, instead of a poll count."""
    tool_calls: tuple[ToolCallSpec, ...] = ()
    expect_outputs: tuple[OutputExpectation, ...] = ()
    activity: tuple[Activity, ...] = ()
    """Messages posted and code run when the step is entered, in order."""
    last_error: LastError | None = None
    incomplete_reason: str | None = None
    usage: Usage | None = None
    expires_after_s: int | None = None
    """Virtual seconds left to answer a ``requires_action`` before the run expires."""
    chunk_delay_ms: int = 0
    """Real milliseconds between stream events emitted for this step."""
    illegal: bool = False
    """The transition into this step breaks the lifecycle on purpose."""
    line: int | None = None
    """Where the step was written, for messages."""


@dataclass(frozen=True)
class RunMatch:
    """Which created runs a script applies to; every given field must match."""

    assistant_id: str | None = None
    thread_id: str | None = None
    content: str | None = None
    """A regular expression searched in the thread's last user message."""
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RunScript:
    """The story of one run, consumed by the first created run it matches."""

    steps: tuple[StepSpec, ...]
    match: RunMatch = field(default_factory=RunMatch)
    on_cancel: tuple[StepSpec, ...] = (StepSpec("cancelling"), StepSpec("cancelled"))
    name: str = ""


@dataclass(frozen=True)
class FaultSpec:
    """An HTTP-level fault injected before the API sees a request."""

    method: str = "*"
    path: str = "*"
    """A glob over the request path, segment by segment: ``/v1/threads/*/runs/*`` is a run
    (not its steps); a ``**`` segment matches any number of segments; ``*`` alone, any path."""
    nth: tuple[int, ...] = ()
    """Which matching requests (1-based) fail; empty with ``times`` means the first ``times``."""
    times: int = 1
    status: int | None = None
    """Answer with this status (and the real error body for it) instead of the API."""
    body: Mapping[str, Any] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    delay_ms: int = 0
    reset: bool = False
    """Drop the connection instead of answering."""
    cut_stream_after: int | None = None
    """For a streamed answer: close the connection after this many events."""
    stream_error_after: int | None = None
    """For a streamed answer: send an ``error`` event after this many events, and end there."""


@dataclass(frozen=True)
class IngestionSpec:
    """How the processing of a vector store file, a file batch or a vector store ends.

    Scripts are consumed in order by the first object of ``target`` they match; objects no
    script matches complete after one observation, as the real API's small files did.
    """

    target: str
    """``file`` (a vector store file), ``file_batch`` or ``vector_store``."""
    match: str | None = None
    """A glob over the file's name (a batch matches when any of its files does), or over the
    vector store's name; ``None`` matches any."""
    status: str = "completed"
    """How it ends: ``completed``, ``failed`` or ``cancelled`` (files, batches); ``expired``
    (vector stores)."""
    polls: int = 1
    """How many observations show it ``in_progress`` (a store: ``completed``) first."""
    last_error: LastError | None = None
    """The ``last_error`` of a failed file."""
    line: int | None = None


@dataclass(frozen=True)
class ContractRules:
    """The client's side of the contract, checked by the server."""

    max_polls_after_terminal: int = 10
    """Retrievals in a row of a run already shown finished before the poll-after-terminal rule
    trips."""
    max_polls_requires_action: int = 10
    """Retrievals in a row of a run already shown waiting for tool outputs, with no submit,
    before the poll-requires-action rule trips."""
    require_beta_header: bool = True
    check_locked_thread: bool = True


@dataclass(frozen=True)
class SeedAssistant:
    id: str
    model: str = "gpt-4o"
    name: str | None = None
    instructions: str | None = None
    tools: tuple[Mapping[str, Any], ...] = ()
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SeedMessage:
    role: str
    content: str


@dataclass(frozen=True)
class SeedThread:
    id: str
    messages: tuple[SeedMessage, ...] = ()
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Scenario:
    """A whole scenario: seeds, run scripts, faults and contract."""

    name: str
    description: str = ""
    assistants: tuple[SeedAssistant, ...] = ()
    threads: tuple[SeedThread, ...] = ()
    runs: tuple[RunScript, ...] = ()
    faults: tuple[FaultSpec, ...] = ()
    ingestion: tuple[IngestionSpec, ...] = ()
    contract: ContractRules = field(default_factory=ContractRules)
    default_run: RunScript | None = None
    """The script of runs no scripted run matches; the built-in default when ``None``."""
    source: str = "<scenario>"


def default_run_script(reply: str = "Hello! This is the harness fake assistant.") -> RunScript:
    """``queued › in_progress › completed`` with a short reply: runs with no scenario."""
    return RunScript(
        name="default",
        steps=(
            StepSpec("queued"),
            StepSpec("in_progress"),
            StepSpec(
                "completed",
                activity=(MessageSpec(reply),),
                usage=Usage(prompt_tokens=30, completion_tokens=12),
            ),
        ),
    )


def file_search_run_script() -> RunScript:
    """A file_search assistant's run with no scenario: search, then answer quoting the best
    passage with a citation."""
    return RunScript(
        name="default-file-search",
        steps=(
            StepSpec("queued"),
            StepSpec("in_progress"),
            StepSpec(
                "completed",
                activity=(FileSearchSpec(), MessageSpec("", quote_search=True)),
                usage=Usage(prompt_tokens=900, completion_tokens=40),
            ),
        ),
    )


def forced_tool_run_script(function_name: str) -> RunScript:
    """What a run with a forced function ``tool_choice`` does with no scenario: call it once,
    with arguments valid against the function's ``parameters``."""
    return RunScript(
        name=f"forced-{function_name}",
        steps=(
            StepSpec("queued"),
            StepSpec("in_progress"),
            StepSpec("requires_action", tool_calls=(ToolCallSpec(function_name),)),
            StepSpec("queued"),
            StepSpec("in_progress"),
            StepSpec(
                "completed",
                activity=(MessageSpec(f"Done: {function_name} answered."),),
                usage=Usage(prompt_tokens=60, completion_tokens=10),
            ),
        ),
    )
