"""The distribution: its own name, a runtime that needs no test tools, ``harness --version``."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import urllib.request
from importlib import metadata
from pathlib import Path

import pytest

import harness
from harness.cli import main

DISTRIBUTION = "assistants-harness"
TEST_ONLY = re.compile(r"^(pytest|hypothesis|mypy|ruff|types-|brotli)", re.IGNORECASE)
# Run a snippet with these packages made unimportable, as on a machine that never installed them.
WITHOUT = """
import importlib.abc, sys

class Absent(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {names!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None

sys.meta_path.insert(0, Absent())
"""


def _requirements() -> list[tuple[str, str | None]]:
    """(requirement, extra or None) for every requirement the installed distribution declares."""
    found = []
    for line in metadata.requires(DISTRIBUTION) or []:
        extra = re.search(r"extra == ['\"]([\w-]+)['\"]", line)
        found.append((re.split(r"[ ;<>=!~\[]", line, maxsplit=1)[0], extra and extra.group(1)))
    return found


def test_the_distribution_has_its_own_name_and_keeps_the_import_package() -> None:
    dist = metadata.distribution(DISTRIBUTION)
    assert dist.metadata["Name"] == DISTRIBUTION
    assert dist.version == harness.__version__
    scripts = {ep.name: ep.value for ep in dist.entry_points if ep.group == "console_scripts"}
    assert scripts == {"harness": "harness.cli:main"}
    plugins = {ep.name: ep.value for ep in dist.entry_points if ep.group == "pytest11"}
    assert plugins == {"harness": "harness.pytest_plugin"}


def test_runtime_requirements_are_only_what_a_user_needs() -> None:
    runtime = [name for name, extra in _requirements() if extra is None]
    assert {"aiohttp", "jsonschema", "pyyaml"} <= {n.lower() for n in runtime}
    assert [name for name in runtime if TEST_ONLY.match(name)] == []


def test_dev_tools_come_only_with_dev() -> None:
    extras_of = {}
    for name, extra in _requirements():
        extras_of.setdefault(name.lower(), set()).add(extra)
    assert extras_of["mypy"] == {"dev"}
    assert extras_of["ruff"] == {"dev"}
    assert "pytest" in {name for name, extra in _requirements() if extra == "pytest"}


def test_version_flag_prints_the_installed_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"harness {metadata.version(DISTRIBUTION)}"


def test_serve_works_without_pytest_or_hypothesis() -> None:
    code = WITHOUT.format(names=("pytest", "_pytest", "hypothesis")) + textwrap.dedent(
        """
        from harness.cli import main
        raise SystemExit(main(["serve", "--port", "0"]))
        """
    )
    server = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        match = re.search(r"(http://\S+/v1)", line)
        assert match, f"no banner: {line!r} {server.stderr.read() if server.stderr else ''}"
        request = urllib.request.Request(
            match.group(1) + "/assistants",
            data=json.dumps({"model": "gpt-4o"}).encode(),
            headers={
                "OpenAI-Beta": "assistants=v2",
                "Content-Type": "application/json",
                "Authorization": "Bearer sk-test",
            },
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert json.load(response)["object"] == "assistant"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_plugin_loads_without_hypothesis(tmp_path: Path) -> None:
    (tmp_path / "test_one.py").write_text(
        "def test_one(harness_client):\n"
        "    assert harness_client.beta.assistants.create(model='m').object == 'assistant'\n"
    )
    code = WITHOUT.format(names=("hypothesis",)) + textwrap.dedent(
        f"""
        import pytest
        # hypothesis's own pytest plugin would be absent with it
        args = [{str(tmp_path)!r}, "-q", "-p", "no:cacheprovider", "-p", "no:hypothesispytest"]
        raise SystemExit(pytest.main(args))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


@pytest.mark.parametrize("line", ["pip install assistants-harness"])
def test_readme_opens_with_the_users_install_line(line: str) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    first_block = re.search(r"```(?:sh|bash)\n(.*?)```", readme, re.DOTALL)
    assert first_block, "README has no shell block"
    assert first_block.group(1).splitlines()[0].split("#")[0].strip() == line


def test_ci_runs_the_readmes_test_command() -> None:
    root = Path(__file__).resolve().parents[2]
    blocks = re.findall(r"```(?:sh|bash)\n(.*?)```", (root / "README.md").read_text(), re.DOTALL)
    checkout = [line.split("#")[0].strip() for line in blocks[1].splitlines()]
    assert checkout[0].startswith("pip install -e ")
    assert "harness demo" in checkout[0]
    test_command = checkout[1]
    ci_lines = [line.strip() for line in (root / ".ci" / "run").read_text().splitlines()]
    assert test_command in ci_lines


def test_a_reader_that_goes_away_stops_the_command_quietly() -> None:
    """``harness demo | head -1``: no BrokenPipeError traceback, the status a closed pipe gives."""
    command = [sys.executable, "-m", "harness", "demo"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None
    assert process.stderr is not None
    process.stdout.readline()
    process.stdout.close()  # the reader goes away after the first line
    errors = process.stderr.read().decode()
    assert process.wait(timeout=120) == 141
    assert "Traceback" not in errors
