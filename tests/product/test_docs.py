"""The documentation site: every page in the nav, generated pages complete, plugin surface covered.

``.ci/run`` builds the site with ``mkdocs build --strict``; these tests keep its sources honest
without needing mkdocs installed.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from harness.cli import build_parser
from harness.schemas import schema

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PAGES = [
    "index.md",
    "getting-started.md",
    "fixtures.md",
    "markers.md",
    "options.md",
    "cli.md",
    "scenarios.md",
    "schemas.md",
    "control.md",
    "contract.md",
    "virtual-time.md",
    "errors.md",
    "cassettes.md",
    "conformance.md",
    "dialects.md",
    "files.md",
    "fuzz.md",
    "cookbook/polling-loop.md",
    "cookbook/every-ending.md",
    "cookbook/record.md",
    "cookbook/import.md",
    "cookbook/conformance-ci.md",
]


def _hooks() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "docs_reference", ROOT / "docs_hooks" / "reference.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _nav_files(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [page for item in node for page in _nav_files(item)]
    if isinstance(node, dict):
        return [page for value in node.values() for page in _nav_files(value)]
    return []


def test_every_page_is_in_the_nav_and_every_nav_entry_exists() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    nav = _nav_files(config["nav"])
    on_disk = sorted(str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md"))
    assert sorted(nav) == on_disk
    assert set(PAGES) <= set(nav)
    assert config["strict"] is True


def test_the_cli_page_has_every_command_and_option() -> None:
    text = _hooks().cli_reference()
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                assert f"## `harness {name}`" in text
                for option in sub._actions:
                    for flag in option.option_strings:
                        assert flag in text, f"harness {name} {flag}"
    assert "### `harness clock advance`" in text


def test_the_scenario_page_has_every_field_of_the_schema() -> None:
    text = _hooks().scenario_reference()
    document = schema("scenario")
    for field in document["properties"]:
        assert f"| `{field}` |" in text
    for name, definition in document["$defs"].items():
        assert f"## `{name}`" in text
        for field in definition.get("properties", {}):
            assert f"| `{field}` |" in text, f"{name}.{field}"


def test_the_hook_fills_the_generated_pages() -> None:
    hooks = _hooks()
    for page, marker in [
        ("cli.md", "<!-- generated: cli -->"),
        ("scenarios.md", "<!-- generated: scenario -->"),
    ]:
        source = (DOCS / page).read_text()
        assert marker in source
        assert marker not in hooks.on_page_markdown(source, page=None, config=None, files=None)


@pytest.mark.parametrize(
    ("page", "pattern", "source"),
    [
        ("options.md", r'"(--harness-[a-z-]+)"', "harness/_plugin/*.py"),
        ("options.md", r'addini\(\s*"(harness_[a-z_]+)"', "harness/_plugin/*.py"),
        ("fixtures.md", r"^def (harness_[a-z_]+)\(", "harness/pytest_plugin.py"),
        ("markers.md", r'^    "(harness_[a-z_]+)\(', "harness/pytest_plugin.py"),
        ("control.md", r'f"\{CONTROL_PREFIX\}/([a-z]+)"', "harness/server/control.py"),
    ],
)
def test_pages_name_everything_the_code_offers(page: str, pattern: str, source: str) -> None:
    texts = [path.read_text() for path in sorted(ROOT.glob(source))]
    offered = {name for text in texts for name in re.findall(pattern, text, re.MULTILINE)}
    assert offered, f"nothing found in {source}"
    text = (DOCS / page).read_text()
    assert {name for name in offered if name not in text} == set()
