"""`nanoglue run` / `mesh` end to end on a bundled paper case (coarse mesh to stay fast)."""

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from nanoglue.cli import app

ROOT = Path(__file__).resolve().parents[1]


def _coarse_copy(tmp_path: Path, name: str) -> Path:
    """The bundled case with coarser bulk sizes (the interface sizing stays the case's own)."""
    data = yaml.safe_load((ROOT / "configs" / name).read_text())
    data.setdefault("geometry", {})["mesh"] = {"particle_size": 15.0, "far_size": 80.0}
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data))
    return path


def test_run_writes_mesh_case_and_an_honest_summary(tmp_path):
    case = _coarse_copy(tmp_path, "paper-coated-6nm.yaml")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(case), "-o", str(out)])
    assert result.exit_code == 0, result.output
    names = {p.name for p in out.iterdir()}
    assert {"mesh.xdmf", "tags.json", "mesh.png", "case.yaml", "summary.json"} <= names
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "meshed-only"
    assert "not implemented yet" in result.output
    tags = json.loads((out / "tags.json").read_text())
    assert {"particle", "substrate", "coating", "particle_substrate"} <= set(json.dumps(tags).split('"'))
    # the written case reloads to the same case
    again = CliRunner().invoke(app, ["validate", str(out / "case.yaml")])
    assert again.exit_code == 0


def test_overwrite_replaces_an_earlier_run(tmp_path):
    case = _coarse_copy(tmp_path, "paper-bare-interface.yaml")
    out = tmp_path / "out"
    assert CliRunner().invoke(app, ["mesh", str(case), "-o", str(out)]).exit_code == 0
    assert CliRunner().invoke(app, ["mesh", str(case), "-o", str(out)]).exit_code == 2
    assert CliRunner().invoke(app, ["mesh", str(case), "-o", str(out), "--overwrite"]).exit_code == 0
