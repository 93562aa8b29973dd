"""The command line: exit codes, one-line errors, nothing written on bad input, examples in help."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from nanoglue.cli import app
from tests.test_config import BAD_CASES

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def _stderr(result) -> str:
    try:
        return result.stderr
    except ValueError:  # click < 8.2 mixes stderr into output
        return result.output


@pytest.mark.parametrize("text, field, reason", BAD_CASES.values(), ids=BAD_CASES.keys())
@pytest.mark.parametrize("command", ["run", "mesh", "validate"])
def test_bad_case_exits_2_with_one_line_and_writes_nothing(tmp_path, command, text, field, reason):
    case = tmp_path / "case.yaml"
    case.write_text(text)
    out = tmp_path / "out"
    args = [command, str(case)] + ([] if command == "validate" else ["-o", str(out)])
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    message = _stderr(result).strip()
    assert field in message and reason in message
    assert len(message.splitlines()) == 1
    assert "Traceback" not in result.output
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.yaml"]


def test_missing_case_file(tmp_path):
    result = runner.invoke(app, ["run", str(tmp_path / "missing.yaml"), "-o", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "file not found" in _stderr(result)
    assert not (tmp_path / "o").exists()


def test_run_refuses_a_non_empty_output_directory(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("precious")
    result = runner.invoke(app, ["run", str(ROOT / "configs/paper-bare-interface.yaml"), "-o", str(out)])
    assert result.exit_code == 2
    assert "not empty" in _stderr(result) and "--overwrite" in _stderr(result)
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_validate_prints_the_resolved_case():
    result = runner.invoke(app, ["validate", str(ROOT / "configs/paper-coated-6nm.yaml")])
    assert result.exit_code == 0
    assert "young: 30.0" in result.output  # a default the file does not spell out
    assert "contact (rim) radius a" in result.output


@pytest.mark.parametrize("command", [[], ["run"], ["mesh"], ["validate"]])
def test_help_shows_an_example(command):
    result = runner.invoke(app, command + ["--help"])
    assert result.exit_code == 0
    assert "Example" in result.output and "nanoglue " in result.output


def test_installed_entry_point_reports_the_stack_it_runs_on():
    import dolfinx
    from petsc4py import PETSc

    exe = Path(sys.executable).parent / "nanoglue"
    done = subprocess.run([str(exe), "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    versions = dict(line.split(" ", 1) for line in done.stdout.splitlines())
    assert versions["dolfinx"] == dolfinx.__version__
    assert versions["petsc"].startswith(f"{PETSc.Sys.getVersion()[0]}.")
    assert {"nanoglue", "basix", "ufl", "ffcx", "mpi", "gmsh", "numpy", "python"} <= set(versions)


@pytest.mark.parametrize("setting, field", [
    ("sodiation.stop_expansion=5", "stop_expansion"),
    ("sodiation.stop_expansion_percent=5,10", "sodiation.stop_expansion_percent"),
    ("geometry.particle_radius=-1", "geometry.particle_radius"),
])
def test_run_set_errors_name_the_field_exit_2_and_write_nothing(tmp_path, setting, field):
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(ROOT / "configs/paper-bare-interface.yaml"),
                                 "-o", str(out), "--set", setting])
    assert result.exit_code == 2, result.output
    assert field in _stderr(result)
    assert not out.exists()


def test_run_set_overrides_the_case_file(tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(ROOT / "configs/paper-bare-interface.yaml"), "-o",
                                 str(out), "--set", "sodiation.stop_expansion_percent=0.3",
                                 "--set", "geometry.mesh.particle_size=10"])
    assert result.exit_code == 0, result.output
    resolved = yaml.safe_load((out / "case.yaml").read_text(encoding="utf-8"))
    assert resolved["sodiation"]["stop_expansion_percent"] == 0.3
    assert resolved["geometry"]["mesh"]["particle_size"] == 10.0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert abs(summary["final"]["expansion_percent"] - 0.3) < 1e-9
    assert summary["entry"]["front_precursor_nm"] == pytest.approx(7.0, rel=1e-9)  # ℓ_f default
    assert "smeared" in summary["entry"]["front_warning"]  # 7 nm < 10 nm elements


OVERSIZED = {  # a size no machine can mesh: refused from the estimate, before Gmsh is asked
    "element size 1e-6 nm": ({"particle_size": 1e-6}, "geometry.mesh.particle_size"),
    "1e8 elements across the coating": ({"coating_elements": 100_000_000},
                                        "geometry.mesh.coating_elements"),
    "interface elements of 1 pm": ({"interface_size": 1e-3}, "geometry.mesh.interface_size"),
}


@pytest.mark.parametrize("mesh, field", OVERSIZED.values(), ids=OVERSIZED.keys())
@pytest.mark.parametrize("command", ["run", "mesh", "validate"])
def test_a_mesh_too_large_for_the_machine_is_refused_before_meshing(tmp_path, command, mesh, field):
    data = yaml.safe_load((ROOT / "configs/paper-coated-6nm.yaml").read_text())
    data["geometry"].setdefault("mesh", {}).update(mesh)
    case = tmp_path / "case.yaml"
    case.write_text(yaml.safe_dump(data))
    out = tmp_path / "out"
    result = runner.invoke(app, [command, str(case)] + ([] if command == "validate" else ["-o", str(out)]))
    assert result.exit_code == 2
    message = _stderr(result).strip()
    assert message.startswith(f"error: {case}: {field}: the mesh would have ~")
    assert "--allow-large" in message and len(message.splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.yaml"]


def test_allow_large_lets_a_case_past_the_memory_budget(monkeypatch):
    """The coated paper case (~4.3 k cells, ~0.7 GiB) on a machine of 0.5 GiB: refused, and
    accepted with --allow-large."""
    monkeypatch.setattr("nanoglue.budget.machine_memory", lambda comm=None: 0.5 * 2**30)
    case = str(ROOT / "configs/paper-coated-6nm.yaml")
    refused = runner.invoke(app, ["validate", case])
    assert refused.exit_code == 2 and "more than the 0.5 GiB this machine has" in _stderr(refused)
    allowed = runner.invoke(app, ["validate", case, "--allow-large"])
    assert allowed.exit_code == 0
    assert "#   mesh (estimated before meshing): ~4.3e+03 cells" in allowed.output


BAD_PETSC = {  # PETSc builds a solver from them before anything is meshed or written
    "unknown preconditioner": ("pc_type=nonsense", "solver.petsc_options",
                               "Unable to find requested PC type nonsense"),
    "a misspelt key": ("pc_factor_mat_solver_typ=mumps", "solver.petsc_options.pc_factor_mat_solver_typ",
                       "do not read this option"),
    "a value of the wrong type": ("mat_mumps_icntl_14=lots", "solver.petsc_options", "lots"),
    "a tolerance the direct solve never reads": ("ksp_rtol=1e-8", "solver.petsc_options.ksp_rtol",
                                                 "do not read this option"),
    "an unknown factorisation package": ("pc_factor_mat_solver_type=notasolver",
                                         "solver.petsc_options", "notasolver"),
}


@pytest.mark.parametrize("setting, field, reason", BAD_PETSC.values(), ids=BAD_PETSC.keys())
def test_petsc_options_petsc_refuses_are_refused_before_anything_is_written(tmp_path, setting,
                                                                            field, reason):
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(ROOT / "configs/paper-bare-interface.yaml"), "-o",
                                 str(out), "--set", f"solver.petsc_options.{setting}"])
    assert result.exit_code == 2
    message = _stderr(result).strip()
    assert message.startswith(f"error: {ROOT / 'configs/paper-bare-interface.yaml'}: {field}: ")
    assert reason in message and len(message.splitlines()) == 1
    assert not out.exists()


def test_petsc_options_of_other_solvers_pass_the_check():
    from nanoglue.fem.linear import refused_options

    assert refused_options({"ksp_type": "cg", "pc_type": "gamg", "pc_gamg_threshold": 0.01}) is None
    assert refused_options({"ksp_type": "gmres", "pc_type": "bjacobi", "sub_pc_type": "ilu",
                            "ksp_monitor": None}) is None


def test_validate_explain_prints_every_field_with_value_and_description():
    case = ROOT / "configs/paper-coated-6nm.yaml"
    result = runner.invoke(app, ["validate", str(case), "--explain", "--set",
                                 "geometry.particle_radius=100"])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines() if line and line[0] != "#"}

    def leaves(data, prefix=""):
        for key, value in data.items():
            if isinstance(value, dict) and value and key != "petsc_options":
                yield from leaves(value, f"{prefix}{key}.")
            else:
                yield prefix + key

    resolved = yaml.safe_load(runner.invoke(app, ["validate", str(case)]).output)
    assert set(leaves(resolved)) <= set(lines)
    assert lines["geometry.particle_radius"].split()[1] == "100.0"
    assert "[nm]" in lines["geometry.particle_radius"]
    assert all(len(line.split(None, 2)) == 3 for line in lines.values())  # a description each
