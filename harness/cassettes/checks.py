"""Check a recorded session against the JSON Schemas and the run lifecycle.

Every JSON response and stream event is validated against the schema of its kind; every run's
observed status sequence is checked against :mod:`harness.lifecycle`. Problems are located
(``interactions[12].response: run: data.status: …``) and graded: an ``error`` is traffic that
breaks the contract, a ``warning`` is drift worth a look (v1 headers).

Requests are read through :mod:`harness.surfaces` (OpenAI, Azure OpenAI, Azure AI Foundry, and
the dialects' surfaces registered in :mod:`harness.dialects.recorded`: AppBuilder), never by a
hard-coded ``/v1``; a dialect's wire is checked by its own registered check. What the checker
cannot read — a request on no known surface, a response that is not JSON or not an object the
schemas know — is listed as **unchecked** (:attr:`CheckReport.unchecked`): a checker that
checked nothing must say so, not say ``ok``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from harness import lifecycle, schemas
from harness.cassettes import Cassette
from harness.dialects.recorded import CASSETTE_SURFACES, RECORDED_CHECKS
from harness.errors import SchemaValidationError
from harness.surfaces import ASSISTANTS_WIRE, Surface, operation_of, surface_names

__all__ = ["CheckReport", "Problem", "Unchecked", "cassette_problems", "check_cassette"]


@dataclass(frozen=True)
class Problem:
    severity: str
    """``error`` or ``warning``."""
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.severity}: {self.message}"


@dataclass(frozen=True)
class Unchecked:
    """An interaction (or its response) the checker could not read, and why."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: unchecked: {self.reason}"


@dataclass
class CheckReport:
    """What :func:`check_cassette` found and what it could not check."""

    interactions: int
    checked: int = 0
    """Interactions whose request and response were both read and checked."""
    problems: list[Problem] = field(default_factory=list)
    unchecked: list[Unchecked] = field(default_factory=list)


def cassette_problems(cassette: Cassette) -> list[Problem]:
    """Every problem of the recorded traffic, in order (see :func:`check_cassette`)."""
    return check_cassette(cassette).problems


def check_cassette(
    cassette: Cassette, *, surfaces: Sequence[Surface] = CASSETTE_SURFACES
) -> CheckReport:
    """Check every interaction the surfaces can read; list the others as unchecked."""
    report = CheckReport(len(cassette))
    problems = report.problems
    statuses: dict[str, list[str]] = {}
    streamed: set[str] = set()
    old_beta: list[int] = []
    for index, interaction in enumerate(cassette.interactions):
        where = f"interactions[{index}]"
        request, response = interaction.request, interaction.response
        operation = operation_of(request.method, request.uri, surfaces)
        if operation is not None and operation.surface.wire != ASSISTANTS_WIRE:
            check = RECORDED_CHECKS.get(operation.surface.wire)
            if check is None:
                report.unchecked.append(
                    Unchecked(
                        f"{where}.response", f"no check knows the {operation.surface.wire!r} wire"
                    )
                )
                continue
            events = response.sse_events() if response.is_sse else None
            body = None if response.is_sse else response.json()
            for place, message in check(operation.path, response.status, body, events):
                problems.append(Problem("error", f"{where}.{place}", message))
            report.checked += 1
            continue
        if operation is None:
            report.unchecked.append(
                Unchecked(
                    f"{where}.request",
                    f"{request.method} {request.path} is no Assistants operation on a known "
                    f"surface ({surface_names(surfaces)})",
                )
            )
            continue
        beta = request.header("openai-beta") or ""
        if beta and "assistants=v2" not in beta:
            old_beta.append(index)
        if response.is_sse:
            for number, (event, data) in enumerate(response.sse_events()):
                try:
                    payload: Any = json.loads(data) if not data.startswith("[DONE]") else data
                except ValueError:
                    problems.append(
                        Problem("error", f"{where}.response.events[{number}]", "data is not JSON")
                    )
                    continue
                _validate(
                    problems,
                    f"{where}.response.events[{number}]",
                    "stream_event",
                    {"event": event, "data": payload},
                )
                if (
                    isinstance(payload, dict)
                    and event.startswith("thread.run.")
                    and ("step" not in event)
                ):
                    if event != "thread.run.created":
                        statuses.setdefault(payload["id"], []).append(payload["status"])
                    streamed.add(payload["id"])
            report.checked += 1
            continue
        body = response.json()
        if body is None:
            if response.content.strip():
                report.unchecked.append(
                    Unchecked(f"{where}.response", "the body is not JSON (nor a stream)")
                )
            else:
                report.checked += 1  # an empty answer (204) has nothing more to check
            continue
        kind = schemas.kind_of(body)
        if kind is None:
            tag = body.get("object") if isinstance(body, dict) else type(body).__name__
            report.unchecked.append(
                Unchecked(f"{where}.response", f"no schema knows this object ({tag!r})")
            )
            continue
        report.checked += 1
        _validate(problems, f"{where}.response", kind, body)
        if isinstance(body, dict) and body.get("object") == "thread.run":
            statuses.setdefault(body["id"], []).append(body["status"])
    if old_beta:
        problems.insert(
            0,
            Problem(
                "warning",
                f"interactions[{old_beta[0]}].request",
                f"{len(old_beta)} request(s) recorded with an OpenAI-Beta other than "
                "assistants=v2 (the v1 API); the fake server answers those with 400",
            ),
        )
    for run_id, sequence in statuses.items():
        for issue in lifecycle.check_sequence(sequence, sampled=run_id not in streamed):
            problems.append(Problem("error", f"run {run_id}", str(issue)))
    return report


def _validate(problems: list[Problem], where: str, kind: str, body: object) -> None:
    try:
        schemas.validate(kind, body)
    except SchemaValidationError as error:
        problems.append(Problem("error", where, str(error)))
