"""Coating thickness trade-off: mechanical protection vs the Na the coating consumes.

On first sodiation the ALD Al2O3 coating converts irreversibly to a Na–Al–O layer (Han et al.
2014, Fig 1c, 3b). The Na it takes is lost from the first cycle, so a thicker coating lowers the
first-cycle Coulombic efficiency (CE) and, by its own mass, the specific capacity. This module
estimates that loss from geometry alone (docs/tradeoff.md derives every equation) and, in
:func:`thickness_section`, sets it next to the debonding results of ``nanoglue run`` directories.

All charges are in mAh per gram of Sn, the basis of the paper's capacities, unless a name says
``per_g_electrode`` (electrode = the uncoated Sn@CNF mat, 26 wt % Sn).
"""

from __future__ import annotations

import json
import math
import pathlib
from dataclasses import dataclass

import yaml

from nanoglue.run_directory import resolved_case

FARADAY_C_PER_MOL = 96485.33212
COULOMBS_PER_MAH = 3.6
AL2O3_MOLAR_MASS_G_PER_MOL = 101.961
PAPER_FIRST_CYCLE_CE = {6.0: 0.64, 15.0: 0.46}
"""Measured first-cycle CE [fraction] by ALD thickness [nm] (paper, p. 5)."""


@dataclass(frozen=True)
class Electrode:
    """The Sn@CNF mat and its coating chemistry (sources in docs/tradeoff.md §Inputs).

    sn_mass_fraction: Sn / (Sn + C) by mass, 26 % (TGA, Fig S2).
    particle_radius_nm: 120, the middle of the 180–300 nm particle diameters (Fig 2a).
    fiber_radius_nm: 170, the middle of the 280–400 nm fiber diameters (Fig 2a).
    sn_density_g_cm3: 7.29 (β-Sn).  carbon_density_g_cm3: 1.75 (assumption: PAN-based fiber).
    coating_density_g_cm3: 3.0 (assumption: ALD Al2O3 grown near 150–177 °C).
    sodium_per_al2o3: 2.0 (assumption: Na/Al = 1, NaAlO2-like, Al2O3 + 2 Na → "Na2Al2O3").
    reversible_mAh_per_g_sn: 625, the coated electrode's first charge capacity (Fig 4a).
    """

    sn_mass_fraction: float = 0.26
    particle_radius_nm: float = 120.0
    fiber_radius_nm: float = 170.0
    sn_density_g_cm3: float = 7.29
    carbon_density_g_cm3: float = 1.75
    coating_density_g_cm3: float = 3.0
    sodium_per_al2o3: float = 2.0
    reversible_mAh_per_g_sn: float = 625.0


def coating_volume_cm3_per_g_sn(electrode: Electrode, thickness_nm: float) -> float:
    """Coating volume per gram of Sn, exact shells on spheres and on cylinders [cm³/g]:

    V = [(1 + t/R)³ − 1]/ρ_Sn + (1 − w)/w · [(1 + t/r_f)² − 1]/ρ_C,

    i.e. shell volume per particle volume times the Sn volume per gram, plus shell volume per
    fiber volume times the fiber volume that comes with one gram of Sn (w = Sn mass fraction).
    """
    e = electrode
    on_particles = ((1.0 + thickness_nm / e.particle_radius_nm) ** 3 - 1.0) / e.sn_density_g_cm3
    carbon_per_sn = (1.0 - e.sn_mass_fraction) / e.sn_mass_fraction
    on_fibers = ((1.0 + thickness_nm / e.fiber_radius_nm) ** 2 - 1.0) / e.carbon_density_g_cm3
    return on_particles + carbon_per_sn * on_fibers


def coating_mass_g_per_g_sn(electrode: Electrode, thickness_nm: float) -> float:
    """Al2O3 mass per gram of Sn: m = ρ_coating · V [g/g]."""
    return electrode.coating_density_g_cm3 * coating_volume_cm3_per_g_sn(electrode, thickness_nm)


def conversion_charge_mAh(al2o3_mass_g: float, sodium_per_al2o3: float) -> float:
    """Faraday's law for Al2O3 + n Na⁺ + n e⁻ → NaₙAl2O3: Q = m/M_Al2O3 · n · F / 3.6 [mAh]."""
    moles = al2o3_mass_g / AL2O3_MOLAR_MASS_G_PER_MOL
    return moles * sodium_per_al2o3 * FARADAY_C_PER_MOL / COULOMBS_PER_MAH


def coating_irreversible_mAh_per_g_sn(electrode: Electrode, thickness_nm: float) -> float:
    """Na charge the coating consumes in the first sodiation, per gram of Sn [mAh/g]."""
    mass = coating_mass_g_per_g_sn(electrode, thickness_nm)
    return conversion_charge_mAh(mass, electrode.sodium_per_al2o3)


def first_cycle_efficiency(electrode: Electrode, thickness_nm: float, baseline_mAh_per_g_sn: float) -> float:
    """CE(t) = Q_rev / (Q_rev + Q_irr,baseline + Q_irr,coating(t)) [fraction].

    Q_rev is the Sn's reversible charge (the same at every thickness), Q_irr,baseline everything
    the uncoated electrode loses in cycle 1 (SEI, SnO2 → Sn + Na2O, trapped Na).
    """
    reversible = electrode.reversible_mAh_per_g_sn
    coating = coating_irreversible_mAh_per_g_sn(electrode, thickness_nm)
    return reversible / (reversible + baseline_mAh_per_g_sn + coating)


def calibrated_baseline_mAh_per_g_sn(electrode: Electrode, thickness_nm: float = 6.0,
                                     measured_efficiency: float = PAPER_FIRST_CYCLE_CE[6.0]) -> float:
    """The one calibrated number: Q_irr,baseline = Q_rev/CE_measured − Q_rev − Q_irr,coating(t_ref).

    Default reference: the paper's 64 % at 6 nm (the paper gives no bare first-cycle CE in text).
    Negative means the coating alone already loses more than the measurement allows.
    """
    reversible = electrode.reversible_mAh_per_g_sn
    coating = coating_irreversible_mAh_per_g_sn(electrode, thickness_nm)
    return reversible / measured_efficiency - reversible - coating


def sodium_loss_fraction(electrode: Electrode, thickness_nm: float, baseline_mAh_per_g_sn: float) -> float:
    """Share of the first sodiation charge the coating takes: Q_irr,coating / Q_first [fraction]."""
    coating = coating_irreversible_mAh_per_g_sn(electrode, thickness_nm)
    return coating / (electrode.reversible_mAh_per_g_sn + baseline_mAh_per_g_sn + coating)


def capacity_mAh_per_g_electrode(electrode: Electrode, thickness_nm: float) -> float:
    """Sn's reversible charge per gram of coated electrode: w·Q_rev / (1 + w·m_coating) [mAh/g].

    The carbon's own capacity is left out, as in the paper's Sn-based figures; m_coating is the
    pristine Al2O3 mass per gram of Sn.
    """
    w = electrode.sn_mass_fraction
    return w * electrode.reversible_mAh_per_g_sn / (1.0 + w * coating_mass_g_per_g_sn(electrode, thickness_nm))


@dataclass(frozen=True)
class TradeoffRow:
    """One thickness of the CE table (charges per gram of Sn unless named otherwise)."""

    thickness_nm: float
    coating_mass_percent_of_electrode: float
    coating_irreversible_mAh_per_g_sn: float
    coating_irreversible_mAh_per_g_electrode: float
    first_cycle_efficiency: float
    sodium_loss_fraction: float
    capacity_mAh_per_g_electrode: float


def tradeoff_row(electrode: Electrode, thickness_nm: float, baseline_mAh_per_g_sn: float) -> TradeoffRow:
    """All trade-off quantities at one thickness (electrode mass = uncoated Sn@CNF)."""
    w = electrode.sn_mass_fraction
    coating = coating_irreversible_mAh_per_g_sn(electrode, thickness_nm)
    return TradeoffRow(
        thickness_nm=thickness_nm,
        coating_mass_percent_of_electrode=100.0 * w * coating_mass_g_per_g_sn(electrode, thickness_nm),
        coating_irreversible_mAh_per_g_sn=coating,
        coating_irreversible_mAh_per_g_electrode=w * coating,
        first_cycle_efficiency=first_cycle_efficiency(electrode, thickness_nm, baseline_mAh_per_g_sn),
        sodium_loss_fraction=sodium_loss_fraction(electrode, thickness_nm, baseline_mAh_per_g_sn),
        capacity_mAh_per_g_electrode=capacity_mAh_per_g_electrode(electrode, thickness_nm),
    )


def efficiency_table_markdown(electrode: Electrode, thicknesses_nm: list[float]) -> str:
    """Markdown table of the trade-off at each thickness, baseline calibrated at 6 nm / 64 %."""
    baseline = calibrated_baseline_mAh_per_g_sn(electrode)
    lines = [("| t [nm] | Al2O3 [wt % of Sn@CNF] | Q_irr,coat [mAh/g Sn] | [mAh/g electrode] "
             "| CE 1st [%] | Na to coating [% of 1st sodiation] | capacity [mAh/g electrode] | paper CE |"),
             "|---|---|---|---|---|---|---|---|"]
    for t in thicknesses_nm:
        r = tradeoff_row(electrode, t, baseline)
        paper = PAPER_FIRST_CYCLE_CE.get(t)
        lines.append(
            f"| {t:g} | {r.coating_mass_percent_of_electrode:.1f} | {r.coating_irreversible_mAh_per_g_sn:.0f} "
            f"| {r.coating_irreversible_mAh_per_g_electrode:.1f} | {100 * r.first_cycle_efficiency:.1f} "
            f"| {100 * r.sodium_loss_fraction:.1f} | {r.capacity_mAh_per_g_electrode:.0f} "
            f"| {'–' if paper is None else f'{100 * paper:.0f} %'} |")
    return "\n".join(lines)


@dataclass(frozen=True)
class RunProtection:
    """Mechanical outcome of one run directory (thickness 0 nm for a bare case)."""

    case: str
    thickness_nm: float
    sn_cnf_debonded_area_fraction: float | None
    held: bool | None


def read_run(run_dir: pathlib.Path) -> RunProtection:
    """Read summary.json (case, debonding.held, debonding.final.particle_substrate.
    debonded_area_fraction) and case.yaml (geometry.coating.thickness; absent/None → bare)."""
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    case_path = resolved_case(run_dir)
    case = yaml.safe_load(case_path.read_text(encoding="utf-8")) if case_path.exists() else {}
    coating = ((case or {}).get("geometry") or {}).get("coating") or {}
    debonding = summary.get("debonding") or {}
    interface = (debonding.get("final") or {}).get("particle_substrate") or {}
    fraction = interface.get("debonded_area_fraction")
    return RunProtection(
        case=summary.get("case", run_dir.name),
        thickness_nm=float(coating.get("thickness") or 0.0),
        sn_cnf_debonded_area_fraction=None if fraction is None or math.isnan(fraction) else float(fraction),
        held=debonding.get("held"),
    )


def plot_thickness_choice(runs: list[RunProtection], electrode: Electrode, path: pathlib.Path) -> None:
    """Left axis: 1 − Sn/CNF debonded area fraction per run (● held, ✕ not held, ○ unknown);
    right axis: predicted first-cycle CE and the coating's share of the first sodiation [%]."""
    from nanoglue.output.plots import plt

    baseline = calibrated_baseline_mAh_per_g_sn(electrode)
    top = max([40.0] + [r.thickness_nm for r in runs])
    grid = [top * i / 200 for i in range(201)]
    figure, protection_axis = plt.subplots(figsize=(7.0, 5.6), constrained_layout=False)
    chemistry_axis = protection_axis.twinx()
    chemistry_axis.spines["right"].set_visible(True)  # the style hides it: this axis lives there
    chemistry_axis.grid(False)
    chemistry_axis.plot(grid, [100 * first_cycle_efficiency(electrode, t, baseline) for t in grid],
                        color="tab:red", label="predicted 1st-cycle CE")
    chemistry_axis.plot(grid, [100 * sodium_loss_fraction(electrode, t, baseline) for t in grid],
                        color="tab:orange", linestyle="--", label="Na consumed by coating")
    chemistry_axis.plot(list(PAPER_FIRST_CYCLE_CE), [100 * v for v in PAPER_FIRST_CYCLE_CE.values()],
                        "s", color="tab:red", markerfacecolor="none", label="paper CE (6 nm calibrated)")
    chemistry_axis.set_ylabel("first cycle: CE, Na to coating [%]")
    chemistry_axis.set_ylim(-5, 105)  # aligned with the protection axis
    measured = [r for r in runs if r.sn_cnf_debonded_area_fraction is not None]
    for held, marker, label in ((True, "o", "held"), (False, "x", "not held"), (None, "o", "held unknown")):
        group = [r for r in measured if r.held is held]
        if group:
            protection_axis.plot([r.thickness_nm for r in group],
                                 [1.0 - r.sn_cnf_debonded_area_fraction for r in group], marker,
                                 color="tab:blue", markerfacecolor="none" if held is None else None,
                                 linestyle="none", label=f"run: {label} when it ended")
    protection_axis.set_xlabel("ALD Al2O3 thickness [nm]")
    protection_axis.set_ylabel("protection: 1 − Sn/CNF debonded area fraction [-]")
    protection_axis.set_ylim(-0.05, 1.05)
    handles = protection_axis.get_legend_handles_labels()
    extra = chemistry_axis.get_legend_handles_labels()
    protection_axis.set_title("Coating thickness: mechanical protection vs Na loss")
    figure.tight_layout(rect=(0.0, 0.14, 1.0, 1.0))  # the legend below the axes, off the data
    figure.legend(handles[0] + extra[0], handles[1] + extra[1], loc="lower center", ncol=3,
                  fontsize=8, frameon=False)
    figure.savefig(path)
    plt.close(figure)


def thickness_section(run_dirs: list[pathlib.Path], out_dir: pathlib.Path) -> str:
    """Write ``out_dir/thickness_choice.png`` and return the Markdown section for the report:
    one row per run (thickness, final Sn/CNF debonded area fraction, held, predicted CE)."""
    electrode = Electrode()
    baseline = calibrated_baseline_mAh_per_g_sn(electrode)
    runs = sorted((read_run(pathlib.Path(d)) for d in run_dirs), key=lambda r: (r.thickness_nm, r.case))
    out_dir.mkdir(parents=True, exist_ok=True)
    plot_thickness_choice(runs, electrode, out_dir / "thickness_choice.png")
    lines = ["## Coating thickness choice", "",
             ("Mechanical protection from the runs; first-cycle CE predicted from the coating's "
             f"conversion to Na–Al–O (Na/Al2O3 = {electrode.sodium_per_al2o3:g}, baseline "
             f"{baseline:.0f} mAh/g Sn calibrated on the paper's 64 % at 6 nm; docs/tradeoff.md)."), "",
             "| case | t [nm] | Sn/CNF debonded (area) | held | predicted CE 1st [%] |",
             "|---|---|---|---|---|"]
    for r in runs:
        fraction = "–" if r.sn_cnf_debonded_area_fraction is None else f"{r.sn_cnf_debonded_area_fraction:.2f}"
        held = {True: "yes", False: "no", None: "–"}[r.held]
        efficiency = 100 * first_cycle_efficiency(electrode, r.thickness_nm, baseline)
        lines.append(f"| {r.case} | {r.thickness_nm:g} | {fraction} | {held} | {efficiency:.1f} |")
    if not any(r.thickness_nm > 0 for r in runs):
        lines += ["", "No coated run given: the CE curve is a prediction without mechanical comparison."]
    lines += ["", "![thickness choice](thickness_choice.png)", "",
              "### The chemistry at each thickness", "",
              efficiency_table_markdown(electrode, sorted({0.0, 6.0, 40.0} | {r.thickness_nm for r in runs})),
              ""]
    return "\n".join(lines)
