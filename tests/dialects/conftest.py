"""Servers speaking each dialect, one per session, reset for every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness import AssistantsAPI, FakeServer
from harness.scenario import load_scenario
from tests.conftest import TEST_CONFIG


@pytest.fixture(scope="session")
def appbuilder_session() -> Iterator[FakeServer]:
    with FakeServer(AssistantsAPI(TEST_CONFIG), dialect="appbuilder") as server:
        yield server


@pytest.fixture
def appbuilder_server(
    appbuilder_session: FakeServer, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[FakeServer]:
    """The AppBuilder server, reset (playing the ``scenario`` marker's builtin, if any), and the
    environment pointing ``appbuilder-sdk`` at it. A correct client breaks no contract rule:
    the dialect's own polling must never be charged to it."""
    marker = request.node.get_closest_marker("scenario")
    scenario = load_scenario(marker.args[0]) if marker else None
    appbuilder_session.api.load_scenario(scenario)
    monkeypatch.setenv("GATEWAY_URL", appbuilder_session.url)
    monkeypatch.setenv("APPBUILDER_TOKEN", "appbuilder-test-token")
    yield appbuilder_session
    assert appbuilder_session.api.state.journal.violations == []


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "scenario(ref): the scenario the dialect server plays")


@pytest.fixture(scope="session")
def azure_session() -> Iterator[FakeServer]:
    with FakeServer(AssistantsAPI(TEST_CONFIG), dialect="azure", tls=True) as server:
        yield server


@pytest.fixture
def azure_server(azure_session: FakeServer, request: pytest.FixtureRequest) -> FakeServer:
    """The Azure server over HTTPS (its CA in ``server.tls.ca_bundle``), reset."""
    marker = request.node.get_closest_marker("scenario")
    azure_session.api.load_scenario(load_scenario(marker.args[0]) if marker else None)
    return azure_session
