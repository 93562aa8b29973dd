"""`nanoglue run` / `mesh` end to end on a bundled paper case (coarse mesh to stay fast)."""

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from nanoglue.case_file import case_to_yaml, load_case
from nanoglue.coupling import checkpoint
from nanoglue.cli import app
from nanoglue.config import ConstantDiffusivity, TwoStageDiffusivity
from nanoglue.output.curves import read_curves
from nanoglue.materials.diffusivity import at_flux_density, front_precursor_length
from nanoglue.simulation import front_resolution_warning
from tests.test_cli import _stderr
from tests.coarse_case import coarse_case

ROOT = Path(__file__).resolve().parents[1]


def _coarse_copy(tmp_path: Path, name: str, stop: float = 6.0) -> Path:
    """The bundled case, coarser and stopped early (the interface sizing stays the case's own)."""
    return coarse_case(tmp_path, name, stop, 3.0)


def test_run_writes_curves_snapshots_and_an_honest_summary(tmp_path):
    case = _coarse_copy(tmp_path, "paper-coated-6nm.yaml")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(case), "-o", str(out), "--verbose"])
    assert result.exit_code == 0, result.output
    names = {p.name for p in out.iterdir()}
    expected = {"mesh.xdmf", "tags.json", "mesh.png", "case.yaml", "summary.json", "curves.csv",
                "curves.png", "fields.pvd", "fields", "checkpoint", "debonding.png"}
    assert expected <= names
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "completed"
    assert summary["final"]["expansion_percent"] == pytest.approx(6.0, rel=1e-9)
    assert "cohesive" in summary["note"]
    assert result.output.rstrip().endswith(summary["note"].rstrip())  # --verbose prints it last
    assert summary["debonding"]["held"] is True
    # each region's displacement (2 components) on at least the particle's transport nodes
    assert summary["unknowns"]["mechanics"] > 2 * summary["unknowns"]["transport"] > 0
    assert "NaN" not in (out / "summary.json").read_text()  # strict JSON
    provenance = summary["provenance"]  # what made this result, and on what
    assert provenance["ranks"] == 1 and provenance["resumed_at_step"] is None
    assert provenance["case_sha256"] == checkpoint.case_hash(case_to_yaml(load_case(out / "case.yaml")))
    assert provenance["started_utc"] <= provenance["finished_utc"]
    assert provenance["command"]  # this process's command line (here pytest's: in-process)
    assert {"nanoglue", "dolfinx", "petsc", "mpi"} <= set(summary["software"])
    assert summary["mesh"]["files"] == ["mesh.msh", "mesh.xdmf", "tags.json", "mesh.png"]
    assert all(not Path(path).is_absolute() for path in summary["profiles"])
    curves = read_curves(out / "curves.csv")
    assert curves["expansion_percent"][-1] == pytest.approx(6.0, rel=1e-9)
    assert max(curves["step_percent"]) <= 2.0 + 1e-12
    assert {"von_mises_max_particle_GPa", "von_mises_max_coating_GPa"} <= set(curves)
    strain = summary["coating_strain"]  # the coating stretched with the particle, flagged past 30 %
    assert strain["peak_max_principal"] == max(curves["coating_strain_max"]) > 0.06 / 3
    assert strain["survived"] == 0.30 and strain["beyond_survived"] is False
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


def test_sodiate_then_desodiate_ends_at_the_cut_off_or_empty(tmp_path):
    case = _coarse_copy(tmp_path, "paper-bare-surface.yaml", stop=4.0)
    data = yaml.safe_load(case.read_text())
    data["sodiation"].update({"desodiate": True, "cycles": 2})
    case.write_text(yaml.safe_dump(data))
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(case), "-o", str(out)])
    assert result.exit_code == 0, result.output
    curves = read_curves(out / "curves.csv")
    directions = curves["direction"]
    assert directions[0] == 1 and -1 in directions
    assert directions.count(1) > 3 and directions.count(-1) > 3
    changes = sum(1 for a, b in zip(directions, directions[1:]) if a != b)
    assert changes == 3  # sodiate, desodiate, sodiate, desodiate
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "completed"
    ends = summary["desodiation_cut_off_expansion_percent"]
    # each desodiation ended at the surface cut-off (c = 0 at the entry) or emptied the particle
    assert len(ends) == 2 or curves["expansion_percent"][-1] < 1e-6
    assert min(curves["c_min"]) >= 0.0


def test_front_precursor_is_how_far_na_leads_the_first_stage_front():
    """ℓ_f = D_lo·c1/j: D_lo 0.01 nm²/s, c1 = 0.5/3.75, j = 0.02 nm/s (the bare contact entry)
    → 0.0667 nm; no plateau (constant D) → None."""
    assert front_precursor_length(TwoStageDiffusivity(low=0.01), 0.02) == pytest.approx(
        0.0667, rel=1e-3)
    assert front_precursor_length(ConstantDiffusivity(), 0.02) is None


@pytest.mark.parametrize("flux_density", [0.02, 0.0018])  # contact / whole surface at C/5
def test_a_front_given_by_its_length_gets_the_pristine_diffusivity_of_each_entry_flux(
        flux_density):
    """D_lo = ℓ_f·j/c1, so the precursor is ℓ_f on every route: 7 nm → D_lo = 1.05 nm²/s at
    j = 0.02 nm/s, 0.0945 at 0.0018."""
    model = TwoStageDiffusivity(front_length=7.0)
    assert at_flux_density(model, flux_density).low == pytest.approx(
        7.0 * flux_density / (0.5 / 3.75), rel=1e-12)
    assert front_precursor_length(model, flux_density) == pytest.approx(7.0, rel=1e-12)


def test_a_front_finer_than_the_particle_mesh_is_warned_about():
    bare = ROOT / "configs/paper-bare-interface.yaml"
    sharp = load_case(bare, {"sodiation.diffusivity.low": 0.01})  # ℓ_f = 0.067 nm < 4 nm
    size = sharp.geometry.mesh.particle_size
    assert size == 4.0
    precursor = front_precursor_length(sharp.sodiation.diffusivity, 0.02)
    assert "D_lo/v = 0.067 nm" in front_resolution_warning(precursor, size)
    default = load_case(bare).sodiation.diffusivity  # ℓ_f = 7 nm by default
    assert front_resolution_warning(front_precursor_length(default, 0.02), size) == ""
    assert front_resolution_warning(None, size) == ""  # no plateau, no front to resolve


def test_a_run_that_cannot_take_a_step_stops_cleanly_and_says_why(tmp_path):
    """One damage round per step (solver.max_damage_rounds = 1: a step needs two, the settling
    round and its check): every step is refused and halved (0.1 % → 0.0016 %, 7 refusals)
    until it falls below solver.min_step_percent (0.001 %); the stall relief's viscous damage
    restarts at 0.02 % and is refused too (5 more). The run stops with a summary naming the
    reason and counting the refusals, exit code 3 and the message on stderr; no curves (no
    step), no traceback. (Newton limited to one iteration no longer does it: with Kc = K0 the
    bonded problem is linear and its first steps converge in one.)"""
    case = _coarse_copy(tmp_path, "paper-bare-interface.yaml", stop=1.0)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(case), "-o", str(out),
                                      "--set", "solver.max_damage_rounds=1"])
    assert result.exit_code == 3, result.output
    assert "refused (damage did not converge in 1 rounds)" in result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "stopped" and summary["exit_code"] == 3
    assert summary["message"] == (
        "stopped by the solver at 0.000 % volume expansion: a refused step (damage did not "
        "converge in 1 rounds) was cut to 0.000625 % with viscous damage (the stall relief), below "
        "solver.min_step_percent = 0.001 %; results up to there are written")
    assert _stderr(result).strip() == summary["message"]
    assert summary["rejected_steps_by_reason"] == {"damage did not converge in 1 rounds": 12}
    assert summary["debonding"]["stall_relief"]["stalls"] == 1
    assert not (out / "curves.csv").exists()


def test_a_run_whose_stdout_reader_goes_away_finishes_its_work(tmp_path):
    """`nanoglue run ... | head -1`: head leaves after the first line; the run (which PETSc's
    SIGPIPE handler used to abort: "Caught signal number 13 Broken Pipe") goes on to its
    summary, exit 0, nothing on stderr about the pipe."""
    import os
    import subprocess
    import sys

    case = coarse_case(tmp_path, "paper-bare-interface.yaml", 2.0, 1.0)
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    script = (f"'{sys.executable}' -m nanoglue.cli run '{case}' -o '{out}' 2>'{tmp_path / 'err'}'"
              " | head -1; exit ${PIPESTATUS[0]}")
    done = subprocess.run(["bash", "-c", script], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, (tmp_path / "err").read_text()
    assert len(done.stdout.splitlines()) == 1
    assert json.loads((out / "summary.json").read_text())["status"] == "completed"
    errors = (tmp_path / "err").read_text()
    assert "PETSC ERROR" not in errors and "BrokenPipe" not in errors and "Traceback" not in errors


def test_snapshots_are_written_at_the_steps_that_find_the_onset_and_each_tenth_debonded(
        tmp_path):
    """Beside the 1 % snapshots: the accepted step where the onset is found and each step where
    the debonded share of the contact's arc passes another 10 % (output.
    snapshot_every_debonded_percent); curves.csv is that of a run without them, bit for bit."""
    import re

    runs = {}
    for every in (10.0, 0.0):
        out = runs[every] = tmp_path / f"out{every:g}"
        case = coarse_case(tmp_path, "paper-bare-interface.yaml", 2.0, 1.0, f"case{every:g}.yaml")
        setting = f"output.snapshot_every_debonded_percent={every}"
        result = CliRunner().invoke(app, ["run", str(case), "-o", str(out), "--set", setting])
        assert result.exit_code == 0, result.output
    curves = read_curves(runs[10.0] / "curves.csv")
    assert curves == read_curves(runs[0.0] / "curves.csv")
    onset = json.loads((runs[0.0] / "summary.json").read_text())["debonding"][
        "onset_expansion_percent"]["particle_substrate"]
    x = curves["expansion_percent"]
    found_at = min(value for value in x if value >= onset)
    tenths = [int(10 * f + 1e-12) for f in [0.0] + curves["particle_substrate_debonded_arc_fraction"]]
    passed = [x[i] for i in range(len(x)) if tenths[i + 1] > tenths[i]]
    assert len(passed) >= 3  # the contact debonds fast here: 0 → 60 % of the arc by 2 %

    def times(out):
        return [float(t) for t in re.findall(r'timestep="([^"]+)"', (out / "fields.pvd").read_text())]
    assert times(runs[0.0]) == pytest.approx(sorted([0.0, found_at, 1.0, 2.0]), abs=1e-9)
    assert times(runs[10.0]) == pytest.approx(sorted({0.0, found_at, 1.0, 2.0, *passed}), abs=1e-9)
