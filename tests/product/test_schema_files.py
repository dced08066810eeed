"""Schemas for editors: every referenced file is printable, and every ``$schema`` comment resolves."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from harness.cli import main
from harness.schemas import _registry, validate
from tests.recordings import recording_files

ROOT = Path(__file__).resolve().parents[2]
COMMENT = re.compile(r"^# yaml-language-server: \$schema=(\S+)$", re.MULTILINE)


def _printed(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["schema", *args]) == 0
    return capsys.readouterr().out


def _external_refs(node: object) -> set[str]:
    if isinstance(node, dict):
        found = {v.partition("#")[0] for k, v in node.items() if k == "$ref" and "#" in v}
        return {ref for ref in found if ref} | set().union(*map(_external_refs, node.values()))
    if isinstance(node, list):
        return set().union(*map(_external_refs, node))
    return set()


def test_every_file_a_printed_schema_references_is_printable(
    capsys: pytest.CaptureFixture[str],
) -> None:
    names = _printed(capsys, "--list").split()
    assert "shared.defs.json" in names
    referenced: set[str] = set()
    for name in names:
        document = json.loads(_printed(capsys, name))
        referenced |= _external_refs(document)
    assert "shared.defs.json" in referenced
    assert referenced <= set(names)
    for name in referenced:
        assert json.loads(_printed(capsys, name))["$id"].endswith("/" + name)


def test_printed_schema_is_the_shipped_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert _printed(capsys, "run") == _registry.file_text("run.schema.json")


def test_written_schemas_validate_on_their_own(tmp_path: Path) -> None:
    """What an editor does: load run.schema.json from disk, follow its $refs to files beside it."""
    assert main(["schema", "run", "--write", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.schema.json", "shared.defs.json"]

    def beside(uri: str) -> Resource[object]:
        return Resource.from_contents(json.loads((tmp_path / uri.rsplit("/", 1)[-1]).read_text()))

    run_schema = json.loads((tmp_path / "run.schema.json").read_text())
    validator = Draft202012Validator(run_schema, registry=Registry(retrieve=beside))
    bad_run = {"object": "thread.run", "id": "run_x", "status": "complete"}
    assert list(validator.iter_errors(bad_run))


def test_readme_example_points_at_the_schema_harness_init_writes(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    example = re.search(r"```yaml\n(# yaml-language-server.*?)```", readme, re.DOTALL)
    assert example
    (target,) = COMMENT.findall(example.group(1))
    assert main(["init", str(tmp_path)]) == 0
    scenario = tmp_path / "specs" / "example.yaml"
    scenario.write_text(example.group(1))
    schema = json.loads((scenario.parent / target).read_text())
    Draft202012Validator(schema).validate(yaml.safe_load(example.group(1)))
    assert main(["validate", str(scenario)]) == 0


@pytest.mark.parametrize("layout", ["bare folder", "project with specs/"])
def test_convert_points_at_a_schema_that_resolves(tmp_path: Path, layout: str) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    if layout == "project with specs/":
        main(["schema", "scenario", "--write", str(tmp_path / "specs")])
    recording = next(p for p in recording_files() if "FunctionToolsWork" in p.name)
    output = tmp_path / "specs" / "scenarios" / "recorded.yaml"
    assert main(["convert", str(recording), "-o", str(output)]) == 0
    text = output.read_text()
    (target,) = COMMENT.findall(text.splitlines()[0])
    assert not Path(target).is_absolute()
    schema_path = (output.parent / target).resolve()
    expected = (
        "specs/scenario.schema.json"
        if "specs/" in layout
        else "specs/scenarios/scenario.schema.json"
    )
    assert schema_path == (tmp_path / expected).resolve()
    Draft202012Validator(json.loads(schema_path.read_text())).validate(yaml.safe_load(text))


def test_validate_on_a_folder_skips_the_schema_files_kept_for_editors(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path)]) == 0
    assert main(["validate", str(tmp_path / "specs")]) == 0
    validate("scenario", yaml.safe_load((tmp_path / "specs" / "weather.yaml").read_text()))
