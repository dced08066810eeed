"""``harness init``: a project whose scenario's ``$schema`` resolves and whose tests pass."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from harness.cli import main
from harness.scaffold import scaffold_paths


def test_init_writes_specs_a_test_and_a_readme(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path / "new")]) == 0
    written = sorted(
        p.relative_to(tmp_path / "new") for p in (tmp_path / "new").rglob("*") if p.is_file()
    )
    assert written == scaffold_paths()
    assert {
        "README.md",
        "specs/scenario.schema.json",
        "specs/weather.yaml",
        "tests/test_weather.py",
    } <= {p.as_posix() for p in written}


def test_the_starter_scenario_schema_comment_resolves_and_validates(tmp_path: Path) -> None:
    main(["init", str(tmp_path)])
    scenario = tmp_path / "specs" / "weather.yaml"
    text = scenario.read_text()
    match = re.match(r"# yaml-language-server: \$schema=(\S+)\n", text)
    assert match
    schema = json.loads((scenario.parent / match.group(1)).read_text())
    Draft202012Validator(schema).validate(yaml.safe_load(text))


def test_init_never_overwrites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "README.md").write_text("mine")
    assert main(["init", str(tmp_path)]) == 1
    assert "README.md" in capsys.readouterr().err
    assert (tmp_path / "README.md").read_text() == "mine"
    assert not (tmp_path / "specs").exists()


def test_the_new_projects_tests_pass(tmp_path: Path) -> None:
    main(["init", str(tmp_path)])
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", "-q"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"\b10 passed\b", done.stdout), done.stdout
