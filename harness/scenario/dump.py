"""Write a :class:`~harness.scenario.model.Scenario` back as YAML the loader reads again.

The inverse of :mod:`harness.scenario.loader` for everything the model holds: loading the
dumped text gives back an equal scenario (up to source locations). Defaults are left out, so a
generated counterexample reads like a hand-written scenario.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from harness.scenario.model import (
    Activity,
    ContractRules,
    FaultSpec,
    FileSearchSpec,
    MessageSpec,
    RunMatch,
    RunScript,
    Scenario,
    StepSpec,
    ToolCallSpec,
)

__all__ = ["dump_scenario", "scenario_document"]

_DEFAULT_CANCEL = RunScript(steps=()).on_cancel
_SCHEMA_COMMENT = "# yaml-language-server: $schema={schema}\n"


_YAML_LINE_BREAKS = ("\x85", "\u2028", "\u2029")


class _Dumper(yaml.SafeDumper):
    """PyYAML writes NEL and the Unicode line separators raw under ``allow_unicode``, and reads
    them back as line breaks; such strings go double-quoted, where they are escaped."""


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = '"' if any(char in text for char in _YAML_LINE_BREAKS) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_text)


def dump_scenario(scenario: Scenario, *, header: str = "", schema: str | None = None) -> str:
    """``scenario`` as YAML text; ``header`` lines become comments at the top."""
    body = yaml.dump(
        scenario_document(scenario),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
    )
    comments = "".join(f"# {line}\n".replace("# \n", "#\n") for line in header.splitlines())
    prefix = _SCHEMA_COMMENT.format(schema=schema) if schema else ""
    return prefix + comments + body


def scenario_document(scenario: Scenario) -> dict[str, Any]:
    """``scenario`` as plain data ready for YAML."""
    document: dict[str, Any] = {"name": scenario.name}
    if scenario.description:
        document["description"] = scenario.description
    if scenario.assistants:
        document["assistants"] = [
            _without_empty(
                {
                    "id": seed.id,
                    "model": seed.model if seed.model != "gpt-4o" else None,
                    "name": seed.name,
                    "instructions": seed.instructions,
                    "tools": [dict(tool) for tool in seed.tools],
                    "metadata": dict(seed.metadata),
                }
            )
            for seed in scenario.assistants
        ]
    if scenario.threads:
        document["threads"] = [
            _without_empty(
                {
                    "id": seed.id,
                    "messages": [{"role": m.role, "content": m.content} for m in seed.messages],
                    "metadata": dict(seed.metadata),
                }
            )
            for seed in scenario.threads
        ]
    if scenario.runs:
        document["runs"] = [_run(script) for script in scenario.runs]
    if scenario.default_run is not None:
        document["default_run"] = _run(scenario.default_run)
    if scenario.faults:
        document["faults"] = [_fault(fault) for fault in scenario.faults]
    contract = _changed(scenario.contract, ContractRules())
    if contract:
        document["contract"] = contract
    return document


def _run(script: RunScript) -> dict[str, Any]:
    run: dict[str, Any] = {}
    if script.name:
        run["name"] = script.name
    match = _match(script.match)
    if match:
        run["match"] = match
    run["steps"] = [_step(step) for step in script.steps]
    if script.on_cancel != _DEFAULT_CANCEL:
        run["on_cancel"] = [_step(step) for step in script.on_cancel]
    return run


def _match(match: RunMatch) -> dict[str, Any]:
    return _without_empty(
        {
            "assistant_id": match.assistant_id,
            "thread_id": match.thread_id,
            "content": match.content,
            "metadata": dict(match.metadata),
        }
    )


def _step(step: StepSpec) -> str | dict[str, Any]:
    data: dict[str, Any] = {"status": step.status}
    if step.polls is not None:
        data["polls"] = step.polls
    if step.after_ms is not None:
        data["after_ms"] = step.after_ms
    if step.tool_calls:
        data["tool_calls"] = [_tool_call(call) for call in step.tool_calls]
    if step.expect_outputs:
        data["expect_outputs"] = [
            _without_empty(
                {
                    "tool": item.tool,
                    "output_matches": item.output_matches,
                    "output_schema": dict(item.output_schema)
                    if item.output_schema is not None
                    else None,
                }
            )
            for item in step.expect_outputs
        ]
    if step.activity:
        data["activity"] = [_activity(item) for item in step.activity]
    if step.last_error is not None:
        data["last_error"] = {"code": step.last_error.code, "message": step.last_error.message}
    if step.incomplete_reason is not None:
        data["incomplete_details"] = {"reason": step.incomplete_reason}
    if step.usage is not None:
        data["usage"] = {
            "prompt_tokens": step.usage.prompt_tokens,
            "completion_tokens": step.usage.completion_tokens,
        }
    if step.expires_after_s is not None:
        data["expires_after_s"] = step.expires_after_s
    if step.chunk_delay_ms:
        data["stream"] = {"chunk_delay_ms": step.chunk_delay_ms}
    if step.illegal:
        data["illegal"] = True
    return step.status if len(data) == 1 else data


def _tool_call(call: ToolCallSpec) -> str | dict[str, Any]:
    """``declared`` (bound to the run's own tools), or what the call fixes."""
    data: dict[str, Any] = {}
    if call.name is not None:
        data["name"] = call.name
    if call.arguments is not None:
        data["arguments"] = _arguments(call.arguments)
    if call.id is not None:
        data["id"] = call.id
    return data or "declared"


def _arguments(text: str) -> Any:
    """A JSON object as a mapping (more readable) when the loader writes it back the same."""
    try:
        value = json.loads(text)
    except ValueError:
        return text
    if isinstance(value, dict) and json.dumps(value, separators=(",", ":")) == text:
        return value
    return text


def _activity(item: Activity) -> dict[str, Any]:
    """The YAML form the loader reads back (``_activity`` in the loader is its inverse)."""
    if isinstance(item, MessageSpec):
        message: dict[str, Any] = {"text": item.text}
        if item.chunks:
            message["chunks"] = list(item.chunks)
        for key, kind in (("citations", "file_citation"), ("file_paths", "file_path")):
            notes = [
                _without_empty({"text": note.text, "file": note.file})
                for note in item.citations
                if note.kind == kind
            ]
            if notes:
                message[key] = notes
        if item.quote_search:
            message["quote_search"] = True
        return {"message": message}
    if isinstance(item, FileSearchSpec):
        search: dict[str, Any] = {}
        if item.query is not None:
            search["query"] = item.query
        if item.results:
            search["results"] = [
                _without_empty({"file": r.file, "text": r.text, "score": r.score})
                for r in item.results
            ]
        if item.id is not None:
            search["id"] = item.id
        return {"file_search": search}
    code: dict[str, Any] = {"input": item.input}
    if item.chunks:
        code["chunks"] = list(item.chunks)
    if item.logs is not None:
        code["logs"] = item.logs
    if item.id is not None:
        code["id"] = item.id
    if item.images:
        code["images"] = list(item.images)
    if item.files:
        code["files"] = [
            {"name": f.name, "content": f.content} if f.content else {"name": f.name}
            for f in item.files
        ]
    return {"code_interpreter": code}


def _fault(fault: FaultSpec) -> dict[str, Any]:
    data: dict[str, Any] = {"match": {"method": fault.method, "path": fault.path}}
    if fault.nth:
        data["nth"] = fault.nth[0] if len(fault.nth) == 1 else list(fault.nth)
    elif fault.times != 1:
        data["times"] = fault.times
    if fault.status is not None:
        respond: dict[str, Any] = {"status": fault.status}
        if fault.headers:
            respond["headers"] = dict(fault.headers)
        if fault.body is not None:
            respond["body"] = dict(fault.body)
        data["respond"] = respond
    if fault.delay_ms:
        data["delay_ms"] = fault.delay_ms
    if fault.reset:
        data["reset"] = True
    if fault.cut_stream_after is not None:
        data["cut_stream_after"] = fault.cut_stream_after
    if fault.stream_error_after is not None:
        data["stream_error_after"] = fault.stream_error_after
    return data


def _changed(value: ContractRules, default: ContractRules) -> dict[str, Any]:
    return {
        name: getattr(value, name)
        for name in vars(default)
        if getattr(value, name) != getattr(default, name)
    }


def _without_empty(data: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value
        for key, value in data.items()
        if value is not None and value != [] and value != {}
    }
