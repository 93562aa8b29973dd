"""Coating trade-off model (nanoglue.tradeoff) against numbers worked out by hand."""

from __future__ import annotations

import itertools
import json
import math
import pathlib
from dataclasses import replace

import pytest

from nanoglue.tradeoff import (
    Electrode,
    calibrated_baseline_mAh_per_g_sn,
    capacity_mAh_per_g_electrode,
    coating_irreversible_mAh_per_g_sn,
    coating_volume_cm3_per_g_sn,
    conversion_charge_mAh,
    first_cycle_efficiency,
    thickness_section,
)


def test_coating_volume_per_gram_of_sn_on_a_simple_electrode():
    # w = 0.5 (1 g C per g Sn), R = r_f = 100 nm, t = 10 nm, both densities 1 g/cm³:
    # particles 1.1³ − 1 = 0.331 cm³, fibers 1.1² − 1 = 0.21 cm³ → 0.541 cm³ per g Sn
    simple = Electrode(sn_mass_fraction=0.5, particle_radius_nm=100.0, fiber_radius_nm=100.0,
                       sn_density_g_cm3=1.0, carbon_density_g_cm3=1.0)
    assert coating_volume_cm3_per_g_sn(simple, 10.0) == pytest.approx(0.541, rel=1e-9)


def test_faraday_charge_of_converting_one_gram_of_al2o3():
    # 1 g / 101.961 g/mol = 9.8077e-3 mol; × 2 Na × 96485.33 C/mol = 1892.6 C; / 3.6 = 525.72 mAh
    assert conversion_charge_mAh(1.0, 2.0) == pytest.approx(525.72, rel=1e-4)


def test_default_coating_charge_at_6_nm():
    # particles (1 + 6/120)³ − 1 = 0.157625 → /7.29 = 0.021622 cm³/g Sn;
    # fibers (1 + 6/170)² − 1 = 0.071834 → ×(0.74/0.26)/1.75 = 0.116829 cm³/g Sn;
    # 0.138451 cm³ × 3.0 g/cm³ = 0.415353 g Al2O3 → × 525.72 mAh/g = 218.36 mAh/g Sn
    assert coating_irreversible_mAh_per_g_sn(Electrode(), 6.0) == pytest.approx(218.36, rel=1e-3)


def test_zero_thickness_gives_the_baseline_efficiency():
    electrode = Electrode()
    assert coating_irreversible_mAh_per_g_sn(electrode, 0.0) == 0.0
    assert first_cycle_efficiency(electrode, 0.0, 100.0) == pytest.approx(625.0 / 725.0)
    assert capacity_mAh_per_g_electrode(electrode, 0.0) == pytest.approx(0.26 * 625.0)


def test_efficiency_and_capacity_fall_monotonically_with_thickness():
    electrode = Electrode()
    baseline = calibrated_baseline_mAh_per_g_sn(electrode)
    thicknesses = [0.5 * i for i in range(81)]
    efficiencies = [first_cycle_efficiency(electrode, t, baseline) for t in thicknesses]
    capacities = [capacity_mAh_per_g_electrode(electrode, t) for t in thicknesses]
    assert all(later < earlier for earlier, later in itertools.pairwise(efficiencies))
    assert all(later < earlier for earlier, later in itertools.pairwise(capacities))


def test_calibration_reproduces_64_percent_at_6_nm():
    electrode = Electrode()
    baseline = calibrated_baseline_mAh_per_g_sn(electrode)
    # 625/0.64 − 625 − 218.36 = 133.20 mAh/g Sn
    assert baseline == pytest.approx(133.20, abs=0.2)
    assert first_cycle_efficiency(electrode, 6.0, baseline) == pytest.approx(0.64, abs=1e-12)


def test_15_nm_prediction_is_the_documented_value_near_the_papers_46_percent():
    electrode = Electrode()
    predicted = first_cycle_efficiency(electrode, 15.0, calibrated_baseline_mAh_per_g_sn(electrode))
    assert predicted == pytest.approx(0.473, abs=0.001)  # docs/tradeoff.md; paper: 0.46
    assert abs(predicted - 0.46) < 0.02


def test_full_reduction_stoichiometry_is_flagged_by_a_negative_baseline():
    # Al2O3 + 6 Na → 2 Al + 3 Na2O would take 3× the default charge: 655 mAh/g at 6 nm > 351.6
    assert calibrated_baseline_mAh_per_g_sn(replace(Electrode(), sodium_per_al2o3=6.0)) < 0.0


def _write_run(directory: pathlib.Path, case: str, thickness_nm: float | None,
               debonded: float, held: bool) -> pathlib.Path:
    directory.mkdir(parents=True)
    summary = {"case": case, "debonding": {
        "held": held, "final": {"particle_substrate": {"debonded_area_fraction": debonded}}}}
    (directory / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    coating = "null" if thickness_nm is None else f"{{thickness: {thickness_nm}, extent: null}}"
    (directory / "case.yaml").write_text(f"name: {case}\ngeometry:\n  particle_radius: 90.0\n"
                                         f"  coating: {coating}\n", encoding="utf-8")
    return directory


def _is_png(path: pathlib.Path) -> bool:
    return path.exists() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 5000


def test_thickness_section_tabulates_runs_and_writes_the_plot(tmp_path):
    runs = [_write_run(tmp_path / "c40", "coated-40", 40.0, 0.0, True),
            _write_run(tmp_path / "bare", "bare", None, 1.0, False),
            _write_run(tmp_path / "c6", "coated-6", 6.0, 0.25, True)]
    markdown = thickness_section(runs, tmp_path / "report")
    assert _is_png(tmp_path / "report" / "thickness_choice.png")
    first_table = markdown.split("\n\n![")[0]
    rows = [line for line in first_table.splitlines() if line.startswith("| ") and "---" not in line]
    assert rows[1:] == ["| bare | 0 | 1.00 | no | 82.4 |",
                        "| coated-6 | 6 | 0.25 | yes | 64.0 |",
                        "| coated-40 | 40 | 0.00 | yes | 26.0 |"]
    assert "![thickness choice](thickness_choice.png)" in markdown
    assert "No coated run" not in markdown
    chemistry = markdown.split("### The chemistry at each thickness")[1]
    assert "| 6 | 10.8 |" in chemistry and "| 40 | 81.4 |" in chemistry  # docs/tradeoff.md table


def test_thickness_section_without_coated_runs_still_plots_the_curve(tmp_path):
    bare = _write_run(tmp_path / "bare", "bare", None, 1.0, False)
    (bare / "case.yaml").unlink()
    markdown = thickness_section([bare], tmp_path / "out")
    assert _is_png(tmp_path / "out" / "thickness_choice.png")
    assert "| bare | 0 | 1.00 | no | 82.4 |" in markdown
    assert "No coated run" in markdown
    assert math.isclose(float(markdown.split("baseline ")[1].split()[0]), 133.0)
