"""Run the battery against a server and collect the report."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Collection

from harness.conformance._checks import CheckFailed, ProbeStopped, Recorder
from harness.conformance._context import Context, Shared
from harness.conformance._probes import CHECKS, PROBES
from harness.conformance._report import AREAS, CheckResult, ConformanceReport
from harness.conformance._session import Session
from harness.conformance._wire import AZURE, OPENAI
from harness.errors import ConfigError

__all__ = ["run_conformance"]


def run_conformance(
    base_url: str,
    *,
    api_key: str = "sk-harness-conformance",
    progress: Callable[[CheckResult], None] | None = None,
    timeout: float = 10.0,
    max_wait: float = 60.0,
    model: str = "gpt-4o",
    areas: Collection[str] | None = None,
    dialect: str = "openai",
) -> ConformanceReport:
    """Run every probe against the Assistants API at ``base_url`` (e.g. ``http://host/v1``).

    ``progress`` is called with each :class:`CheckResult` as it is decided. ``timeout`` bounds
    each request, ``max_wait`` each wait for a run to move. ``areas`` keeps only the checks of
    those areas. What the battery creates is deleted at the end, best effort.

    ``dialect`` is the wire: ``openai`` (``base_url`` ends in ``/v1``), ``azure`` (Azure
    OpenAI: ``base_url`` is the endpoint, without ``/openai``) or ``appbuilder`` (``base_url``
    is ``GATEWAY_URL``; a battery of AppBuilder's own checks).
    """
    if dialect == "appbuilder":
        from harness.conformance._appbuilder import run_appbuilder_conformance

        return run_appbuilder_conformance(
            base_url, api_key=api_key, progress=progress, timeout=timeout, areas=areas
        )
    wires = {"openai": OPENAI, "azure": AZURE}
    if dialect not in wires:
        raise ConfigError(f"unknown dialect {dialect!r}; known: openai, azure, appbuilder")
    wire = wires[dialect]
    if not base_url.startswith(("http://", "https://")):
        raise ConfigError(f"base URL {base_url!r} must start with http:// or https://")
    if timeout <= 0 or max_wait <= 0:
        raise ConfigError("timeout and max_wait must be positive numbers of seconds")
    unknown = sorted(set(areas or ()) - set(AREAS))
    if unknown:
        raise ConfigError(f"unknown area(s) {', '.join(unknown)}; known: {', '.join(AREAS)}")
    wanted = {
        spec.id
        for spec in CHECKS
        if (areas is None or spec.area in areas) and spec.id not in wire.skipped
    }
    recorder = Recorder(
        {spec.id: spec for spec in CHECKS},
        emit=progress or (lambda _: None),
        wanted=wanted,
        skipped=wire.skipped,
    )
    session = Session(base_url, api_key, recorder, timeout=timeout, max_wait=max_wait, wire=wire)
    shared = Shared()
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            for probe in PROBES:
                ids = [spec.id for spec in probe.checks]
                if not wanted.intersection(ids):
                    continue
                context = Context(session, recorder, shared, model=model)
                try:
                    probe.run(context)
                except ProbeStopped as stop:
                    recorder.not_run(ids, stop.reason)
                except CheckFailed as failure:
                    recorder.not_run(
                        ids, f"setup of the {probe.name} probe failed: {failure.message}"
                    )
                except Exception as error:  # a probe must never take the battery down
                    recorder.not_run(
                        ids, f"the {probe.name} probe stopped: {type(error).__name__}: {error}"
                    )
                recorder.not_run(ids, f"the {probe.name} probe did not reach it")
        finally:
            session.cleanup()
            session.close()
    order = {spec.id: index for index, spec in enumerate(CHECKS)}
    results = sorted(recorder.results.values(), key=lambda result: order[result.id])
    return ConformanceReport(
        base_url=session.base_url,
        checks=results,
        seconds=time.perf_counter() - started,
        requests=session.requests,
        runs=session.runs_by_check(),
    )
