"""`nanoglue sweep`: --set parsing, the validated grid, the combined table, and a tiny real sweep."""

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nanoglue.cli import app
from nanoglue.errors import CaseError, ExitCode
from nanoglue.sweep import expand_grid, parse_set, parse_sets
from nanoglue.sweep_outputs import PointResult, sweep_table
from tests.coarse_case import coarse_case

runner = CliRunner()


def _tiny_case(tmp_path: Path) -> Path:
    """The bare interface case on a coarse mesh (interface sizing stays the case's own)."""
    return coarse_case(tmp_path, "paper-bare-interface.yaml", 2.0, 5.0, "tiny.yaml")


def test_set_values_are_read_as_yaml_scalars():
    axis = parse_set("geometry.coating.thickness=5, 10.5,null")
    assert axis.key == "geometry.coating.thickness"
    assert axis.values == (5, 10.5, None)
    assert parse_set("sodiation.route=whole-surface,through-coating").values == (
        "whole-surface", "through-coating")
    assert parse_set("output.snapshot_at_percent=[1,2],[3]").values == ([1, 2], [3])


@pytest.mark.parametrize("spec, field", [
    ("geometry.coating.thickness", "--set"),            # no '='
    ("geometry.coating.thickness=", "--set"),           # no value
    ("geometry.coating.thickness=5,", "geometry.coating.thickness"),   # empty value
    ("geometry.coating.thickness=5,,6", "geometry.coating.thickness"),
    ("geometry.coating.thickness=5,5", "geometry.coating.thickness"),  # twice
])
def test_bad_set_specs_name_the_field(spec, field):
    with pytest.raises(CaseError) as caught:
        parse_set(spec)
    assert caught.value.path == field


def test_a_key_in_two_set_options_is_refused():
    with pytest.raises(CaseError, match="more than one --set"):
        parse_sets(["sodiation.c_rate=0.1", "sodiation.c_rate=0.2"])


def test_two_keys_give_the_grid_of_validated_cases(tmp_path):
    case = _tiny_case(tmp_path)
    points = expand_grid(case, parse_sets(["geometry.coating.thickness=5,10",
                                           "sodiation.route=through-coating",
                                           "sodiation.c_rate=0.1,1.0"]))
    assert [p.slug for p in points] == [
        "thickness=5_route=through-coating_c_rate=0.1", "thickness=5_route=through-coating_c_rate=1.0",
        "thickness=10_route=through-coating_c_rate=0.1", "thickness=10_route=through-coating_c_rate=1.0"]
    assert [p.case.geometry.coating.thickness for p in points] == [5.0, 5.0, 10.0, 10.0]
    assert [p.case.sodiation.c_rate for p in points] == [0.1, 1.0, 0.1, 1.0]
    assert points[3].case.sodiation.route == "through-coating"
    assert points[3].case.name == "paper-bare-interface-thickness=10_route=through-coating_c_rate=1.0"
    assert points[0].case.geometry.particle_radius == 90.0  # the file's other values stay


def test_keys_sharing_their_last_part_keep_their_full_path_in_the_slug(tmp_path):
    points = expand_grid(_tiny_case(tmp_path), parse_sets([
        "interfaces.particle_substrate.strength=0.5", "interfaces.particle_coating.strength=2"]))
    assert points[0].slug == ("interfaces.particle_substrate.strength=0.5_"
                              "interfaces.particle_coating.strength=2")


@pytest.mark.parametrize("spec, message", [
    ("geometry.coating.thickness=5,-1", "geometry.coating.thickness: Input should be greater than 0"),
    ("geometry.particle_radus=80", "geometry.particle_radus: unknown key (did you mean 'particle_radius'?)"),
    ("coating.thickness=5", "coating.thickness: unknown key (did you mean 'geometry.coating.thickness'?)"),
    ("sodiation.route=bogus", "sodiation.route: Input should be"),
    ("sodiation.route=whole-surface --set geometry.coating.thickness=5",   # a cross-field check
     "sodiation.route: 'whole-surface' is for a bare particle"),
])
def test_an_invalid_point_exits_2_naming_the_field_and_writes_nothing(tmp_path, spec, message):
    case = _tiny_case(tmp_path)
    out = tmp_path / "out"
    sets = [arg for part in spec.split(" --set ") for arg in ("--set", part)]
    result = runner.invoke(app, ["sweep", str(case), *sets, "-o", str(out)])
    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny.yaml"]


def test_sweep_table_has_a_row_per_point_with_empty_cells_for_missing_values(tmp_path):
    points = expand_grid(_tiny_case(tmp_path), parse_sets(["sodiation.c_rate=0.1,0.2"]))
    summary = {"debonding": {"onset_expansion_percent": {"particle_substrate": 1.23456},
                             "complete_expansion_percent": {}, "held": True,
                             "final": {"particle_substrate": {}}},
               "final": {"expansion_percent": 30.0}}
    results = [PointResult(points[0], "completed", ExitCode.COMPLETED, "", 12.0, summary),
               PointResult(points[1], "failed", ExitCode.INTERNAL_ERROR,
                           "RuntimeError: no convergence", 3.0, None)]
    columns, rows = sweep_table(results)
    assert columns == ["point", "sodiation.c_rate", "status", "held", "reached_percent",
                       "onset_particle_substrate_percent",
                       "complete_particle_substrate_percent", "wall_seconds", "message"]
    assert rows[0] == ["c_rate=0.1", "0.1", "completed", "true", "30", "1.235", "", "12", ""]
    assert rows[1] == ["c_rate=0.2", "0.2", "failed", "", "", "", "", "3",
                       "RuntimeError: no convergence"]


def test_sweep_runs_each_point_in_a_worker_and_combines_them(tmp_path):
    """Bare particle to 0.4 % and 2 %: on this mesh debonding starts near 0.6 %, so only the
    2 % point has an onset (each point a few seconds)."""
    out = tmp_path / "out"
    result = runner.invoke(app, ["sweep", str(_tiny_case(tmp_path)), "--set",
                                 "sodiation.stop_expansion_percent=0.4,2.0", "-o", str(out)])
    assert result.exit_code == 0, result.output
    with open(out / "sweep.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["point"] for row in rows] == ["stop_expansion_percent=0.4", "stop_expansion_percent=2.0"]
    assert [row["status"] for row in rows] == ["completed", "completed"]
    assert rows[0]["onset_particle_substrate_percent"] == ""
    onset = float(rows[1]["onset_particle_substrate_percent"])
    assert onset > 0.4 and onset < 2.0
    for row, stop in zip(rows, (0.4, 2.0)):
        summary = json.loads((out / row["point"] / "summary.json").read_text())
        assert summary["final"]["expansion_percent"] == pytest.approx(stop, rel=1e-9)
        assert summary["case"] == f"paper-bare-interface-{row['point']}"
        assert (out / row["point"] / "run.log").stat().st_size > 0
    assert (out / "sweep_debonding.png").stat().st_size > 0
    assert "| stop_expansion_percent=2.0 |" in (out / "sweep.md").read_text()
    status = runner.invoke(app, ["sweep", "status", str(out)])
    assert status.exit_code == 0 and status.output.strip().splitlines()[-1] == "2 done"
    (out / "sweep.csv").unlink()
    collected = runner.invoke(app, ["sweep", "collect", str(out)])
    assert collected.exit_code == 0 and "2 of 2 points finished" in collected.output
    with open(out / "sweep.csv", newline="") as handle:
        again = list(csv.DictReader(handle))
    assert [{k: v for k, v in row.items() if k != "wall_seconds"} for row in again] == [
        {k: v for k, v in row.items() if k != "wall_seconds"} for row in rows]
    for given in ([out], sorted(out.iterdir())):  # `report SWEEPDIR` and `report SWEEPDIR/*`
        report = runner.invoke(app, ["report", *map(str, given), "-o", str(tmp_path / "report")])
        assert report.exit_code == 0, report.output
        text = (tmp_path / "report" / "report.md").read_text()
        assert all(f"/{row['point']} | paper-bare-interface-{row['point']} | small | completed |" in text
                   for row in rows)


def test_sweep_refuses_a_non_empty_output_directory(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("precious")
    result = runner.invoke(app, ["sweep", str(_tiny_case(tmp_path)), "--set",
                                 "sodiation.c_rate=0.1", "-o", str(out)])
    assert result.exit_code == 2 and "not empty" in result.output
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


@pytest.mark.parametrize("command", [[], ["run"], ["status"], ["collect"]])
def test_sweep_help_shows_an_example(command):
    result = runner.invoke(app, ["sweep", *command, "--help"])
    assert result.exit_code == 0 and "Example" in result.output and "nanoglue sweep" in result.output


def test_a_point_whose_run_refuses_its_case_is_a_row_and_the_sweep_exits_2(tmp_path):
    """The 3-D model validates but cannot be run yet: run_case refuses it in the worker, as
    `nanoglue run` would (exit 2)."""
    out = tmp_path / "out"
    result = runner.invoke(app, ["sweep", str(_tiny_case(tmp_path)), "--set", "geometry.model=quarter-3d",
                                 "--set", "geometry.substrate.kind=fiber", "-o", str(out)])
    assert result.exit_code == 2
    with open(out / "sweep.csv", newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["status"] == "invalid"
    assert row["message"].startswith("geometry.model: 'quarter-3d' can be meshed")


@pytest.mark.slow  # 31 s: three points, then their resume
def test_a_resumed_sweep_keeps_finished_points_and_goes_on_with_the_others(tmp_path):
    """Three points to 0.4 / 1 / 2 %; afterwards the 1 % point is made to look killed before
    its first checkpoint (summary and checkpoint gone) and the 2 % point killed after one
    (summary gone, checkpoint kept): --resume keeps the 0.4 % point untouched, runs the 1 %
    point again, resumes the 2 % point, and the table has all three, as the first sweep had."""
    out = tmp_path / "out"
    args = ["sweep", str(_tiny_case(tmp_path)), "--set",
            "sodiation.stop_expansion_percent=0.4,1.0,2.0", "-o", str(out)]
    assert runner.invoke(app, args).exit_code == 0
    first = (out / "sweep.csv").read_text()
    kept, rerun, resumed = (out / f"stop_expansion_percent={v}" for v in ("0.4", "1.0", "2.0"))
    untouched = (kept / "summary.json").stat().st_mtime_ns
    shutil.rmtree(rerun / "checkpoint")
    for point in (rerun, resumed):
        (point / "summary.json").unlink()
    result = runner.invoke(app, [*args, "--resume"])
    assert result.exit_code == 0, result.output
    assert (kept / "summary.json").stat().st_mtime_ns == untouched
    assert "resumed at step" not in (rerun / "run.log").read_text()
    assert "resumed at step" in (resumed / "run.log").read_text()
    with open(out / "sweep.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    before = list(csv.DictReader(io.StringIO(first, newline="")))
    assert [row["status"] for row in rows] == ["completed"] * 3
    for now, then in zip(rows, before):
        assert {k: v for k, v in now.items() if "wall" not in k} == {
            k: v for k, v in then.items() if "wall" not in k}


def test_a_slurm_sweep_writes_one_array_job_to_inspect(tmp_path):
    """Without --submit: the point cases, the slug list and the script, nothing run; status
    says pending, collect writes rows saying so."""
    out = tmp_path / "out"
    result = runner.invoke(app, ["sweep", str(_tiny_case(tmp_path)), "--set",
                                 "sodiation.c_rate=0.2,0.4", "-o", str(out), "--scheduler",
                                 "slurm", "--ranks-per-point", "4", "--time", "01:30:00",
                                 "--partition", "short", "--account", "nano"])
    assert result.exit_code == 0, result.output
    script = (out / "slurm" / "sweep.sbatch").read_text()
    for line in ("#SBATCH --array=0,1", "#SBATCH --ntasks=4", "#SBATCH --time=01:30:00",
                 "#SBATCH --partition=short", "#SBATCH --account=nano", "#SBATCH --requeue",
                 "#SBATCH --signal=TERM@120", "srun --mpi=pmix", "--resume", "scontrol requeue"):
        assert line in script, line
    assert (out / "slurm" / "points.txt").read_text().split() == ["c_rate=0.2", "c_rate=0.4"]
    assert (out / "slurm" / "points" / "c_rate=0.4.yaml").is_file()
    assert not (out / "c_rate=0.2").exists()
    status = runner.invoke(app, ["sweep", "status", str(out)])
    assert status.output.strip().splitlines()[-1] == "2 pending"
    assert runner.invoke(app, ["sweep", "collect", str(out)]).exit_code == 0
    with open(out / "sweep.csv", newline="") as handle:
        assert [row["status"] for row in csv.DictReader(handle)] == ["pending", "pending"]
    # one point done (as its task would run it): re-submitting writes a job for the other only
    point = runner.invoke(app, ["run", str(out / "slurm" / "points" / "c_rate=0.2.yaml"), "-o",
                                str(out / "c_rate=0.2")])
    assert point.exit_code == 0, point.output
    again = runner.invoke(app, ["sweep", str(_tiny_case(tmp_path)), "--set", "sodiation.c_rate=0.2,0.4",
                                "-o", str(out), "--scheduler", "slurm", "--resume"])
    assert again.exit_code == 0, again.output
    assert "#SBATCH --array=1\n" in (out / "slurm" / "sweep.sbatch").read_text()
    assert runner.invoke(app, ["sweep", "status", str(out)]).output.strip().splitlines()[-1] == (
        "1 done, 1 pending")


def test_sweep_status_of_a_directory_without_a_sweep_is_one_line(tmp_path):
    result = runner.invoke(app, ["sweep", "status", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.strip() == f"error: {tmp_path}: is not a sweep directory (no sweep.json)"


def test_sweep_takes_its_options_before_the_case_too(tmp_path):
    """`sweep` is a group whose run command is the default: `sweep --set ... CASE` still runs."""
    out = tmp_path / "out"
    result = runner.invoke(app, ["sweep", "--set", "sodiation.c_rate=0.2,0.4", "-o", str(out),
                                 "--scheduler", "slurm", str(_tiny_case(tmp_path))])
    assert result.exit_code == 0, result.output
    assert (out / "slurm" / "sweep.sbatch").is_file()
