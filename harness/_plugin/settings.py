"""The plugin's settings and their five layers.

Precedence, highest first: command line, marker keyword arguments, the ``harness_config``
fixture, ini keys, defaults. Relative directories given on the command line resolve against
the invocation directory; in the ini file against the ini file's directory; in a marker or in
``harness_config`` against the rootdir.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pytest

from harness.errors import ConfigError

if TYPE_CHECKING:
    from harness.core.state import ServerConfig

__all__ = [
    "MARKER_OPTIONS",
    "MODES",
    "RECORD_MODES",
    "HarnessSettings",
    "MarkerOptions",
    "add_options",
    "cli_overrides",
    "ini_settings",
    "layered",
    "marker_options",
]

MODES: Final = ("strict", "permissive")
RECORD_MODES: Final = ("none", "once", "new_episodes", "all", "rewrite")
MARKER_OPTIONS: Final = (
    "poll_after_ms",
    "seed",
    "mode",
    "allow_unused",
    "allow_violations",
    "expect_violations",
)
"""Keyword arguments accepted by the ``harness_scenario`` and ``harness_lifecycles`` markers."""


@dataclass(frozen=True)
class HarnessSettings:
    """What the harness fixtures do for one test; every field can be set at every layer."""

    scenario_dir: Path | None = None
    """Where relative scenario paths are looked up first (then the test file's directory)."""
    cassette_dir: Path = Path("cassettes")
    """Root of the cassettes (``<dir>/<module>/<test>.yaml``), for record/replay. Given values
    are absolute; the default stays relative, for the record/replay layer to place next to each
    test module, as pytest-recording does."""
    poll_after_ms: int = 5
    """``openai-poll-after-ms`` sent on run retrievals (the SDK pollers' sleep)."""
    mode: str = "strict"
    """``strict`` (answer like the real API) or ``permissive`` (tolerate unknown ids/params)."""
    seed: int = 0
    """Seed of generated ids: the same seed gives the same ids in every test."""
    record_mode: str = "none"
    """``none``, ``once``, ``new_episodes``, ``all`` or ``rewrite``; used by record/replay."""
    report_unused: bool = True
    """Fail a test whose scenario scripts runs it never created or faults that never fired."""
    tls: bool = False
    """Serve HTTPS with a throwaway CA (Azure's SDKs send bearer tokens only over TLS)."""
    upstream: str | None = None
    """A real or compatible API (``https://api.openai.com/v1``) that ``harness_cassette`` tests
    record from: their ``harness_client`` talks to it, with the key in the environment
    variable ``HARNESS_UPSTREAM_API_KEY`` (never written: the cassette is scrubbed)."""

    def server_config(self) -> ServerConfig:
        """The fake server's configuration for these settings."""
        from harness.core.state import ServerConfig

        permissive = self.mode == "permissive"
        return ServerConfig(
            poll_after_ms=self.poll_after_ms,
            strict=not permissive,
            permissive=permissive,
            seed=self.seed,
        )


@dataclass(frozen=True)
class MarkerOptions:
    """Per-test choices that are not settings: which violations the test expects."""

    allow_violations: bool = False
    expect_violations: tuple[str, ...] = ()


_FIELDS: Final = frozenset(field.name for field in dataclasses.fields(HarnessSettings))


def add_options(parser: pytest.Parser) -> None:
    """Register the ``harness`` option group and its ini keys."""
    group = parser.getgroup("harness", "harness: fake OpenAI Assistants API server")
    group.addoption(
        "--harness-scenario-dir",
        dest="harness_scenario_dir",
        metavar="DIR",
        default=None,
        help="directory where relative scenario paths are looked up first.",
    )
    group.addoption(
        "--harness-cassette-dir",
        dest="harness_cassette_dir",
        metavar="DIR",
        default=None,
        help="root directory of cassettes (default: cassettes, next to each test module).",
    )
    group.addoption(
        "--harness-poll-after-ms",
        dest="harness_poll_after_ms",
        metavar="MS",
        type=int,
        default=None,
        help="openai-poll-after-ms sent on run retrievals (default: 5).",
    )
    group.addoption(
        "--harness-strict",
        dest="harness_mode",
        action="store_const",
        const="strict",
        default=None,
        help="answer like the real API: reject unknown parameters and ids (the default).",
    )
    group.addoption(
        "--harness-permissive",
        dest="harness_mode",
        action="store_const",
        const="permissive",
        help="tolerate unknown parameters and materialise unknown ids.",
    )
    group.addoption(
        "--harness-seed",
        dest="harness_seed",
        metavar="N",
        type=int,
        default=None,
        help="seed of generated ids (default: 0).",
    )
    group.addoption(
        "--harness-record-mode",
        dest="harness_record_mode",
        choices=RECORD_MODES,
        default=None,
        help=(
            "cassette record mode: none (default), once, new_episodes, all, or rewrite "
            "(record the cassette again from scratch)."
        ),
    )
    group.addoption(
        "--harness-upstream",
        dest="harness_upstream",
        metavar="URL",
        default=None,
        help=(
            "record harness_cassette tests from this API (its base URL, e.g. "
            "https://api.openai.com/v1) instead of the fake; the key is read from "
            "HARNESS_UPSTREAM_API_KEY and never written."
        ),
    )
    group.addoption(
        "--harness-no-unused-check",
        dest="harness_report_unused",
        action="store_false",
        default=None,
        help="do not fail tests whose scenario runs or faults were never used.",
    )
    group.addoption(
        "--harness-tls",
        dest="harness_tls",
        action="store_true",
        default=None,
        help="serve HTTPS with a throwaway CA (harness_env exports SSL_CERT_FILE for it).",
    )
    parser.addini(
        "harness_tls", "harness: serve HTTPS with a throwaway CA.", type="bool", default=False
    )
    parser.addini("harness_scenario_dir", "harness: scenario directory.", default="")
    parser.addini(
        "harness_cassette_dir",
        "harness: cassette directory (default: cassettes, next to each test module).",
        default="",
    )
    parser.addini("harness_poll_after_ms", "harness: openai-poll-after-ms.", default="5")
    parser.addini("harness_mode", "harness: strict or permissive.", default="strict")
    parser.addini("harness_seed", "harness: seed of generated ids.", default="0")
    parser.addini("harness_record_mode", "harness: cassette record mode.", default="none")
    parser.addini("harness_upstream", "harness: API that cassette tests record from.", default="")
    parser.addini(
        "harness_report_unused",
        "harness: fail tests whose scenario runs or faults were never used.",
        type="bool",
        default=True,
    )


def ini_settings(config: pytest.Config) -> HarnessSettings:
    """The ini layer over the defaults."""
    base = config.inipath.parent if config.inipath is not None else config.rootpath
    values: dict[str, Any] = {}
    for name in _FIELDS:
        raw = config.getini(f"harness_{name}")
        if isinstance(raw, str):
            raw = raw.strip()
            if raw == "":
                continue
        values[name] = raw
    return _apply(HarnessSettings(), values, "ini", base)


def cli_overrides(config: pytest.Config) -> dict[str, Any]:
    """Settings given explicitly on the command line (the highest layer)."""
    values: dict[str, Any] = {}
    for name in _FIELDS:
        value = config.getoption(f"harness_{name}", default=None)
        if value is not None:
            values[name] = value
    return {
        name: _coerce(name, value, "the command line", config.invocation_params.dir)
        for name, value in values.items()
    }


def marker_options(kwargs: Mapping[str, Any], where: str) -> tuple[dict[str, Any], MarkerOptions]:
    """Split marker keyword arguments into settings overrides and :class:`MarkerOptions`."""
    unknown = sorted(set(kwargs) - set(MARKER_OPTIONS))
    if unknown:
        raise ConfigError(
            f"{where}: unknown keyword argument {unknown[0]!r}; expected one of: "
            + ", ".join(MARKER_OPTIONS)
        )
    overrides = {key: kwargs[key] for key in ("poll_after_ms", "seed", "mode") if key in kwargs}
    if "allow_unused" in kwargs:
        overrides["report_unused"] = not _boolean("allow_unused", kwargs["allow_unused"], where)
    expected = kwargs.get("expect_violations", ())
    if isinstance(expected, str):
        expected = (expected,)
    if not isinstance(expected, (list, tuple)) or not all(isinstance(r, str) for r in expected):
        raise ConfigError(f"{where}: expect_violations must be a list of rule names")
    options = MarkerOptions(
        allow_violations=_boolean("allow_violations", kwargs.get("allow_violations", False), where),
        expect_violations=tuple(expected),
    )
    return overrides, options


def layered(
    config_layer: object,
    ini: HarnessSettings,
    marker: Mapping[str, Any],
    cli: Mapping[str, Any],
    rootpath: Path,
    where: str,
) -> HarnessSettings:
    """The settings of one test: ``harness_config`` over ini, then marker, then CLI."""
    if isinstance(config_layer, HarnessSettings):
        settings = config_layer
    elif isinstance(config_layer, Mapping):
        settings = _apply(ini, config_layer, "the harness_config fixture", rootpath)
    else:
        raise ConfigError(
            "the harness_config fixture must return a dict of settings or a HarnessSettings, "
            f"not {type(config_layer).__name__}"
        )
    settings = _apply(settings, marker, where, rootpath)
    return dataclasses.replace(settings, **cli)


def _apply(
    settings: HarnessSettings, values: Mapping[str, Any], source: str, base: Path
) -> HarnessSettings:
    unknown = sorted(set(values) - _FIELDS)
    if unknown:
        raise ConfigError(
            f"{source}: unknown harness setting {unknown[0]!r}; expected one of: "
            + ", ".join(sorted(_FIELDS))
        )
    changes = {name: _coerce(name, value, source, base) for name, value in values.items()}
    return dataclasses.replace(settings, **changes)


def _coerce(name: str, value: Any, source: str, base: Path) -> Any:
    label = f"{source}: harness setting {name!r}"
    if name in ("scenario_dir", "cassette_dir"):
        if value is None and name == "scenario_dir":
            return None
        if not isinstance(value, (str, Path)):
            raise ConfigError(f"{label} must be a path, not {value!r}")
        path = Path(value)
        return path if path.is_absolute() else base / path
    if name in ("poll_after_ms", "seed"):
        if isinstance(value, bool):
            raise ConfigError(f"{label} must be an integer, not {value!r}")
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{label} must be an integer, not {value!r}") from None
        if name == "poll_after_ms" and number < 0:
            raise ConfigError(f"{label} must be >= 0, not {number}")
        return number
    if name == "mode":
        return _choice(label, value, MODES)
    if name == "record_mode":
        return _choice(label, value, RECORD_MODES)
    if name == "upstream":
        text = str(value).strip() if value is not None else ""
        if not text:
            return None
        if not re.fullmatch(r"https?://[^/\s?#]+(/[^\s?#]*)?", text):
            raise ConfigError(f"{label} must be an http(s) base URL, not {value!r}")
        return text.rstrip("/")
    if name in ("report_unused", "tls"):
        if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", "yes", "no"):
            return value.lower() in ("true", "1", "yes")
        if not isinstance(value, bool):
            raise ConfigError(f"{label} must be true or false, not {value!r}")
        return value
    raise AssertionError(name)  # pragma: no cover


def _choice(label: str, value: Any, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ConfigError(f"{label} must be one of {', '.join(choices)}, not {value!r}")
    return str(value)


def _boolean(name: str, value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: {name} must be True or False, not {value!r}")
    return value
