"""Check a recorded session against the JSON Schemas and the run lifecycle.

Every JSON response and stream event is validated against the schema of its kind; every run's
observed status sequence is checked against :mod:`harness.lifecycle`. Problems are located
(``interactions[12].response: run: data.status: …``) and graded: an ``error`` is traffic that
breaks the contract, a ``warning`` is drift worth a look (unknown endpoints, v1 headers).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from harness import lifecycle, schemas
from harness.cassettes import Cassette
from harness.dialects.appbuilder.recorded import recorded_problems
from harness.dialects.surfaces import surface_of
from harness.errors import SchemaValidationError

__all__ = ["Problem", "cassette_problems"]

_ASSISTANTS_PATH = re.compile(r"^/v1/(assistants|threads)(/|$)")


@dataclass(frozen=True)
class Problem:
    severity: str
    """``error`` or ``warning``."""
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.severity}: {self.message}"


def cassette_problems(cassette: Cassette) -> list[Problem]:
    """Every problem of the recorded traffic, in order."""
    problems: list[Problem] = []
    statuses: dict[str, list[str]] = {}
    streamed: set[str] = set()
    old_beta: list[int] = []
    for index, interaction in enumerate(cassette.interactions):
        where = f"interactions[{index}]"
        request, response = interaction.request, interaction.response
        surface = surface_of(request.path)
        if surface is not None and surface.dialect == "appbuilder":
            events = response.sse_events() if response.is_sse else None
            body = None if response.is_sse else response.json()
            for place, message in recorded_problems(surface.path, response.status, body, events):
                problems.append(Problem("error", f"{where}.{place}", message))
            continue
        if surface is None or not _ASSISTANTS_PATH.match(surface.path):
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
            continue
        body = response.json()
        if body is None:
            continue
        kind = schemas.kind_of(body)
        if kind is None:
            continue
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
    return problems


def _validate(problems: list[Problem], where: str, kind: str, body: object) -> None:
    try:
        schemas.validate(kind, body)
    except SchemaValidationError as error:
        problems.append(Problem("error", where, str(error)))
