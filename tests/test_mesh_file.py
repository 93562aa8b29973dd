"""geometry.mesh.file: the .msh `nanoglue mesh` writes runs unchanged and gives the generated
mesh's results; a file that does not fit the case is one line naming the field, exit 2, and
nothing written."""

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from nanoglue.cli import app
from nanoglue.output.curves import read_curves

runner = CliRunner()

# The bare paper case, coarse in the particle and stopped at 1 % (4 steps; the interfaces keep
# the case's own l_cz/12 sizing, so the mesh is the paper's along Sn/CNF).
SMALL = {
    "name": "small",
    "geometry": {"mesh": {"particle_size": 15.0, "far_size": 80.0}},
    "sodiation": {"stop_expansion_percent": 1.0},
    "output": {"snapshot_every_percent": 5.0},
}


def _write_case(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data))
    return path


def _stderr(result) -> str:
    try:
        return result.stderr
    except ValueError:  # click < 8.2 mixes stderr into output
        return result.output


@pytest.fixture(scope="module")
def meshed(tmp_path_factory) -> Path:
    """A directory holding small.yaml and its mesh, written by `nanoglue mesh` (mesh/mesh.msh)."""
    root = tmp_path_factory.mktemp("meshed")
    case = _write_case(root / "small.yaml", SMALL)
    result = runner.invoke(app, ["mesh", str(case), "-o", str(root / "mesh")])
    assert result.exit_code == 0, result.output
    return root


def test_nanoglue_mesh_writes_a_msh_with_the_physical_names(meshed):
    text = (meshed / "mesh" / "mesh.msh").read_text()
    assert "$PhysicalNames" in text
    for group in ('2 1 "particle"', '1 11 "particle_substrate"', '1 21 "axis"'):
        assert group in text


def test_a_run_on_the_written_msh_equals_the_run_on_the_generated_mesh(meshed, tmp_path):
    """Same cells, same curves to round-off: the file holds the generated mesh itself. The
    case names the file relative to its own directory, the run starts elsewhere."""
    generated, from_file = tmp_path / "generated", tmp_path / "from-file"
    assert runner.invoke(app, ["run", str(meshed / "small.yaml"), "-o", str(generated)]
                         ).exit_code == 0
    case = _write_case(meshed / "small-on-file.yaml",
                       {**SMALL, "geometry": {"mesh": {"file": "mesh/mesh.msh"}}})
    result = runner.invoke(app, ["run", str(case), "-o", str(from_file)])
    assert result.exit_code == 0, result.output
    summaries = [json.loads((d / "summary.json").read_text()) for d in (generated, from_file)]
    assert summaries[0]["mesh"]["cells"] == summaries[1]["mesh"]["cells"] > 500
    a, b = read_curves(generated / "curves.csv"), read_curves(from_file / "curves.csv")
    assert len(a["expansion_percent"]) == len(b["expansion_percent"]) >= 4
    for column in a:
        assert b[column] == pytest.approx(a[column], rel=1e-9, abs=1e-12), column
    assert (from_file / "mesh.msh").is_file()  # the run keeps the mesh it ran on
    resolved = yaml.safe_load((from_file / "case.yaml").read_text())["geometry"]["mesh"]["file"]
    assert resolved == str(meshed / "mesh" / "mesh.msh")


def _without_axis(source: Path, target: Path) -> Path:
    """``source`` with its 'axis' physical group renamed (as a user might in Gmsh), as ``target``."""
    text = source.read_text()
    assert text.count('1 21 "axis"') == 1
    target.write_text(text.replace('1 21 "axis"', '1 21 "symmetry_axis"'))
    return target


@pytest.mark.parametrize("change, expected", [
    ("no-axis", "has no physical group 'axis' (facets, id 21)"),
    ("coated", "has no physical group 'coating' (cells, id 3)"),
    ("radius", "not at geometry.particle_radius = 80 nm"),
    ("crater", "from the case's particle centre (0, 65) nm"),
    ("missing", "file not found"),
])
def test_a_file_that_does_not_fit_the_case_exits_2_naming_the_field(meshed, tmp_path, change,
                                                                    expected):
    msh = meshed / "mesh" / "mesh.msh"
    geometry = {"mesh": {"file": str(msh)}}
    data = {**SMALL, "geometry": geometry}
    if change == "no-axis":
        geometry["mesh"]["file"] = str(_without_axis(msh, tmp_path / "no-axis.msh"))
    elif change == "coated":
        geometry["coating"] = {"thickness": 6.0}
        data["sodiation"] = {"route": "through-coating"}
    elif change == "radius":
        geometry["particle_radius"] = 80.0
    elif change == "crater":
        geometry["crater_depth"] = 25.0  # the particle centre moves from z = 75 to 65 nm
    elif change == "missing":
        geometry["mesh"]["file"] = "nowhere/mesh.msh"
    case = _write_case(tmp_path / "case.yaml", data)
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(case), "-o", str(out)])
    assert result.exit_code == 2, result.output
    message = _stderr(result).strip()
    assert len(message.splitlines()) == 1 and "Traceback" not in result.output
    assert "geometry.mesh.file" in message and expected in message, message
    assert not out.exists()
