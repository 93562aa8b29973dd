"""`nanoglue report` and the paper table on hand-written run directories with known values."""

import json
import sys
import types
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from nanoglue.cli import app
from nanoglue.paper_table import IN, NO_RUN, NOT_EVALUATED, OUT, evaluate, step_at, value_at

runner = CliRunner()


def _run_dir(root: Path, directory: str, case: str, *, onset=None, complete=None, held=True,
             expansion=(0.1, 0.2, 0.3), fraction=None, direction=None, thickness=None,
             status="completed", kinematics=None) -> Path:
    """A run directory like `nanoglue run` writes: summary.json, case.yaml, curves.csv."""
    path = root / directory
    path.mkdir()
    summary = {"case": case, "status": status, "final": {"expansion_percent": expansion[-1]},
               "wall_seconds": 12.5,
               "debonding": {"onset_expansion_percent": {} if onset is None else {"particle_substrate": onset},
                             "complete_expansion_percent": {} if complete is None else {"particle_substrate": complete},
                             "held": held, "final": {"particle_substrate": {}}}}
    (path / "summary.json").write_text(json.dumps(summary))
    geometry = {"coating": {"thickness": thickness}} if thickness else {"coating": None}
    case_yaml = {"name": case, "geometry": geometry}
    if kinematics:
        case_yaml["mechanics"] = {"kinematics": kinematics}
    (path / "case.yaml").write_text(yaml.safe_dump(case_yaml))
    fraction = fraction or [0.0] * len(expansion)
    direction = direction or [1] * len(expansion)
    bonded = [52.7 * (1.0 - f) for f in fraction]  # arc [nm], for the report's text only
    lines = ["step,direction,expansion_percent,particle_substrate_debonded_area_fraction,"
             "particle_substrate_bonded_arc_nm"]
    lines += [f"{i + 1},{d},{x},{f},{b}"
              for i, (d, x, f, b) in enumerate(zip(direction, expansion, fraction, bonded))]
    (path / "curves.csv").write_text("\n".join(lines) + "\n")
    return path


def _profile(run: Path, points) -> None:
    """profiles/coating_von_mises_56.csv with (through_thickness_nm, von_mises_GPa) rows."""
    (run / "profiles").mkdir()
    rows = ["through_thickness_nm,von_mises_GPa"] + [f"{depth},{stress}" for depth, stress in points]
    (run / "profiles" / "coating_von_mises_56.csv").write_text("\n".join(rows) + "\n")


def _verdicts(results) -> dict:
    return {result.row.row_id: (result.verdict, result.measured) for result in results}


def test_curve_helpers_interpolate_at_the_first_crossing():
    curves = {"expansion_percent": [50.0, 60.0, 70.0, 60.0],
              "particle_substrate_debonded_area_fraction": [0.9, 1.0, 1.0, 0.5]}
    assert value_at(curves, "particle_substrate_debonded_area_fraction", 56.0) == pytest.approx(0.96)
    assert value_at(curves, "particle_substrate_debonded_area_fraction", 80.0) is None
    assert step_at(curves, 55.0) == pytest.approx(10.0)
    assert step_at({"expansion_percent": [0.1, 0.3]}, 0.05) == pytest.approx(0.1)


def test_bare_interface_rows_in_and_out_of_band(tmp_path):
    fine = _run_dir(tmp_path, "fine", "paper-bare-interface", onset=1.6, complete=61.0,
                    expansion=(1.5, 1.65, 1.8))
    coarse = _run_dir(tmp_path, "coarse", "paper-bare-interface", onset=1.6, complete=90.0,
                      expansion=(1.0, 2.0, 3.0))
    results = evaluate([fine, coarse])
    onset = [(r.runs, r.verdict, r.measured) for r in results if r.row.row_id == "bare-onset"]
    assert onset[0] == ((fine,), IN, "1.6 % (step 0.15 %)")
    assert onset[1][1] == OUT and "step 1 %" in onset[1][2]  # onset fine, step too coarse
    complete = {r.runs[0]: r.verdict for r in results if r.row.row_id == "bare-complete"}
    assert complete == {fine: IN, coarse: OUT}


def test_rows_without_a_run_and_a_run_that_never_debonded(tmp_path):
    """A run the solver stopped before the row's state is out of band; one that ended there on
    purpose (its stop, or a signal) cannot say: not evaluated."""
    bare = _run_dir(tmp_path, "bare", "paper-bare-interface", expansion=(0.5, 1.0),
                    status="stopped")
    verdicts = _verdicts(evaluate([bare]))
    assert verdicts["bare-onset"] == (OUT, "no onset (run ended at 1 %)")
    assert verdicts["coated-onset"] == (NO_RUN, "")
    assert verdicts["s11d"][0] == NO_RUN and verdicts["desodiate-held"][0] == NO_RUN
    short = _run_dir(tmp_path, "short", "paper-bare-interface", expansion=(15.0, 30.0))
    verdicts = _verdicts(evaluate([short]))
    assert verdicts["bare-complete"] == (NOT_EVALUATED, "not evaluated: the run ended before 45 % "
                                         "(run ended at 30 %, completed)")
    inside = _run_dir(tmp_path, "inside", "paper-bare-interface", expansion=(30.0, 60.0))
    assert _verdicts(evaluate([inside]))["bare-complete"] == (OUT, "no complete (run ended at 60 %)")
    held = _run_dir(tmp_path, "held", "paper-coated-6nm-desodiate", expansion=(10.0, 20.0),
                    status="interrupted")
    assert _verdicts(evaluate([held]))["desodiate-held"][0] == NOT_EVALUATED


def test_coated_complete_needs_the_particle_held(tmp_path):
    held = _run_dir(tmp_path, "held", "paper-coated-6nm", onset=39.0, complete=67.0, held=True)
    loose = _run_dir(tmp_path, "loose", "paper-coated-6nm", onset=20.0, complete=67.0, held=False)
    results = [r for r in evaluate([held, loose]) if r.row.configs == ("paper-coated-6nm",)]
    found = {(r.row.row_id, r.runs[0].name): (r.verdict, r.measured) for r in results}
    assert found[("coated-onset", "held")][0] == IN
    assert found[("coated-onset", "loose")][0] == OUT  # 20 % < 25 %
    assert found[("coated-complete", "held")] == (IN, "67 %, held")
    assert found[("coated-complete", "loose")] == (OUT, "67 %, not held")


def test_debonding_state_at_56_percent_per_thickness(tmp_path):
    """full = complete by 56 %, partial = onset but not complete, none = no onset by 56 %."""
    runs = [
        _run_dir(tmp_path, "t5", "paper-coating-5nm", onset=10.0, complete=60.0,
                 expansion=(50.0, 60.0), fraction=[0.9, 1.0], thickness=5),
        _run_dir(tmp_path, "t10", "paper-coating-10nm", onset=30.0, expansion=(50.0, 56.0),
                 fraction=[0.2, 0.5], thickness=10),
        _run_dir(tmp_path, "t40", "paper-coating-40nm", onset=57.0, expansion=(30.0, 60.0),
                 thickness=40),
    ]
    verdicts = _verdicts(evaluate(runs))
    assert verdicts["coating-5nm"] == (  # complete only at 60 %
        OUT, "partial at 56 % (area fraction 0.96, 2.11 nm of arc bonded)")
    assert verdicts["coating-10nm"] == (IN, "partial at 56 % (area fraction 0.5, 26.4 nm of arc bonded)")
    assert verdicts["coating-40nm"][0] == IN and verdicts["coating-40nm"][1].startswith("none")
    full = _run_dir(tmp_path, "full", "paper-coating-5nm", onset=10.0, complete=52.0,
                    expansion=(50.0, 60.0), fraction=[0.9, 1.0], thickness=5)
    assert _verdicts(evaluate([full]))["coating-5nm"][:1] == (IN,)
    short = _run_dir(tmp_path, "short", "paper-coating-40nm", expansion=(30.0, 50.0), thickness=40,
                     status="stopped")
    assert _verdicts(evaluate([short]))["coating-40nm"] == (OUT, "56 % not reached (run ended at 50 %)")


def _coating_runs(tmp_path, profiles: dict) -> list:
    runs = []
    for thickness, points in profiles.items():
        run = _run_dir(tmp_path, f"t{thickness}", f"paper-coating-{thickness}nm", thickness=thickness)
        if points is not None:
            _profile(run, points)
        runs.append(run)
    return runs


def test_s11d_compares_thicknesses_at_the_same_normalised_position(tmp_path):
    """σ = 3 − s (5 nm), 2.9 − s (10 nm), 1 (40 nm): thinner is higher at every s, although at
    the same depth in nm (5 nm) the 10 nm coating (2.4) exceeds the 5 nm one (2.0)."""
    runs = _coating_runs(tmp_path, {5: [(5.0, 2.0), (0.0, 3.0)], 10: [(0.0, 2.9), (10.0, 1.9)],
                                    40: [(0.0, 1.0), (20.0, 1.0), (40.0, 1.0)]})
    verdict, measured = _verdicts(evaluate(runs))["s11d"]
    assert verdict == IN
    assert measured == "σ(5 nm) > σ(10 nm) > σ(40 nm) at every s"


def test_s11d_out_of_band_names_where_the_thinner_is_not_higher(tmp_path):
    """σ(10 nm) = 2 − 2s crosses σ(40 nm) = 1 at s = 0.5."""
    runs = _coating_runs(tmp_path, {5: [(0.0, 3.0), (5.0, 3.0)], 10: [(0.0, 2.0), (10.0, 0.0)],
                                    40: [(0.0, 1.0), (40.0, 1.0)]})
    verdict, measured = _verdicts(evaluate(runs))["s11d"]
    assert verdict == OUT
    assert measured == "σ(10 nm) ≤ σ(40 nm) at s = 0.50"


def test_s11d_with_one_profile_is_not_evaluated_and_names_the_missing(tmp_path):
    runs = _coating_runs(tmp_path, {5: [(0.0, 3.0), (5.0, 3.0)], 10: None})
    verdict, measured = _verdicts(evaluate(runs))["s11d"]
    assert verdict == NOT_EVALUATED
    assert f"no coating profile in {runs[1]}" in measured


def test_desodiated_run_is_in_band_only_if_held_after_desodiating(tmp_path):
    done = _run_dir(tmp_path, "done", "paper-coated-6nm-desodiate", held=True,
                    expansion=(40.0, 80.0, 30.0), direction=[1, 1, -1])
    not_desodiated = _run_dir(tmp_path, "half", "paper-coated-6nm-desodiate", held=True,
                              expansion=(40.0, 80.0), direction=[1, 1], status="stopped")
    stopped_early = _run_dir(tmp_path, "early", "paper-coated-6nm-desodiate", held=True,
                             expansion=(40.0, 60.0), direction=[1, 1])
    found = {r.runs[0]: (r.verdict, r.measured)
             for r in evaluate([done, not_desodiated, stopped_early])
             if r.row.row_id == "desodiate-held"}
    assert found[done] == (IN, "held after desodiation")
    assert found[not_desodiated] == (OUT, "held (run did not end desodiating)")
    assert found[stopped_early] == (NOT_EVALUATED, "not evaluated: the run ended before "
                                    "desodiating (run ended at 60 %, completed)")


def _table_marks(markdown: str) -> dict:
    """Row id → the 'in band' cell of the report's Markdown table."""
    rows = [line.split(" | ") for line in markdown.splitlines() if line.startswith("| ")]
    return {cells[0].lstrip("| "): cells[6] for cells in rows[2:] if len(cells) == 8}


def test_report_command_writes_markdown_and_pngs_with_marks(tmp_path):
    bare = _run_dir(tmp_path, "bare", "paper-bare-interface", onset=1.6, complete=90.0,
                    expansion=(1.5, 1.65, 1.8))
    coated = _run_dir(tmp_path, "coated", "paper-coating-10nm", thickness=10)  # no profile
    out = tmp_path / "report"
    result = runner.invoke(app, ["report", str(bare), str(coated), "-o", str(out)])
    assert result.exit_code == 0, result.output
    markdown = (out / "report.md").read_text()
    marks = _table_marks(markdown)
    assert marks["bare-onset"] == "✓" and marks["bare-complete"] == "✗"
    assert marks["coated-onset"] == "no run"
    assert f"no coating profile in {coated}" in markdown
    assert marks["coating-10nm"] == "not evaluated"  # the run ended at 0.3 %, before 56 %
    assert "1 in band, 1 out of band" in markdown
    assert {"report.md", "report_table.png", "report_debonding.png"} <= {p.name for p in out.iterdir()}
    assert not (out / "report_s11d.png").exists()


def test_report_shows_small_and_finite_strain_side_by_side(tmp_path):
    small = _run_dir(tmp_path, "small", "paper-bare-interface", onset=0.43, complete=61.3,
                     expansion=(0.3, 0.5, 62.0))
    finite = _run_dir(tmp_path, "finite", "paper-bare-interface", onset=0.39, complete=36.0,
                      expansion=(0.3, 0.5, 37.0), kinematics="finite")
    out = tmp_path / "report"
    result = runner.invoke(app, ["report", str(small), str(finite), "-o", str(out)])
    assert result.exit_code == 0, result.output
    markdown = (out / "report.md").read_text()
    header = next(line for line in markdown.splitlines() if line.startswith("| row"))
    assert "small strain" in header and "finite strain" in header
    line = next(line for line in markdown.splitlines() if line.startswith("| bare-complete "))
    cells = [cell.strip() for cell in line.strip("|").split("|")]
    assert cells[5:] == ["61.3 %", "✓", "36 %", "✗"]  # band 45–90 %: finite is out
    assert "small strain: 2 in band" in markdown and "finite strain: 1 in band, 1 out" in markdown
    assert f"| {finite} | paper-bare-interface | finite |" in markdown  # the runs' kinematics


def test_report_plots_coating_profiles_when_present(tmp_path):
    runs = _coating_runs(tmp_path, {5: [(0.0, 3.0), (5.0, 3.0)], 40: [(0.0, 1.0), (40.0, 1.0)]})
    out = tmp_path / "report"
    assert runner.invoke(app, ["report", *map(str, runs), "-o", str(out)]).exit_code == 0
    assert (out / "report_s11d.png").stat().st_size > 0
    assert _table_marks((out / "report.md").read_text())["s11d"] == "✓"


def test_report_includes_the_tradeoff_section_when_the_module_exists(tmp_path, monkeypatch):
    calls = []
    fake = types.ModuleType("nanoglue.tradeoff")
    fake.thickness_section = lambda run_dirs, out_dir: calls.append((run_dirs, out_dir)) or "## Trade-off X"
    monkeypatch.setitem(sys.modules, "nanoglue.tradeoff", fake)
    bare = _run_dir(tmp_path, "bare", "paper-bare-interface")
    out = tmp_path / "report"
    assert runner.invoke(app, ["report", str(bare), "-o", str(out)]).exit_code == 0
    assert "## Trade-off X" in (out / "report.md").read_text()
    assert calls == [([bare], out)]


def test_report_on_a_directory_that_is_not_a_run_exits_2_and_writes_nothing(tmp_path):
    (tmp_path / "empty").mkdir()
    out = tmp_path / "report"
    result = runner.invoke(app, ["report", str(tmp_path / "empty"), "-o", str(out)])
    assert result.exit_code == 2
    assert "not a nanoglue run directory" in result.output
    assert not out.exists()


def test_report_help_shows_an_example():
    result = runner.invoke(app, ["report", "--help"])
    assert result.exit_code == 0 and "Example" in result.output and "nanoglue report" in result.output
