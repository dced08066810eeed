"""The built wheel, as a user gets it: a fresh venv, ``harness init`` in an empty folder, ``pytest``.

Marked ``wheel``: it builds and installs from the package index (about a minute), so the everyday
``pytest`` deselects it (``addopts``) and ``.ci/run`` runs it as its own step: ``pytest -m wheel``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.wheel, pytest.mark.timeout(600)]

ROOT = Path(__file__).resolve().parents[2]
TEST_TOOLS = {"pytest", "hypothesis", "mypy", "ruff", "pytest-asyncio", "pytest-xdist"}


def _run(*command: object, cwd: Path | None = None) -> str:
    done = subprocess.run(
        [str(part) for part in command], cwd=cwd, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"{command}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _installed(python: Path) -> set[str]:
    listing = json.loads(_run(python, "-m", "pip", "list", "--format", "json"))
    return {entry["name"].lower() for entry in listing}


def test_the_wheel_installs_and_a_new_project_passes(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", wheels, ROOT)
    (wheel,) = wheels.glob("assistants_harness-*.whl")
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", venv)
    python, harness = venv / "bin" / "python", venv / "bin" / "harness"

    _run(python, "-m", "pip", "install", "--quiet", wheel)  # the README's user install line
    assert "assistants-harness" in _installed(python)
    assert _installed(python) & TEST_TOOLS == set()
    assert _run(harness, "--version").startswith("harness ")

    _run(python, "-m", "pip", "install", "--quiet", f"{wheel}[pytest]")
    project = tmp_path / "project"
    project.mkdir()
    _run(harness, "init", cwd=project)
    assert _run(harness, "validate", "specs", cwd=project).strip().endswith("ok")
    output = _run(python, "-m", "pytest", "-p", "no:cacheprovider", cwd=project)
    assert re.search(r"=+ 10 passed in ", output), output
