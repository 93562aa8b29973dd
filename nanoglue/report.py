"""Quantities that follow from a case without solving anything (shown by ``nanoglue validate``)."""

from __future__ import annotations

from nanoglue.config import Case
from nanoglue.formulas import (
    cap_area,
    contact_radius,
    entry_area,
    sphere_volume,
)
from nanoglue.materials.diffusivity import at_flux_density, front_precursor_length

SECONDS_PER_HOUR = 3600.0


def entry_flux(case: Case) -> float:
    """Inward flux density of normalised c [nm/s]: j = V_particle·(C-rate)/(3600 s · A_entry).

    At this rate a particle with c̄ = 0 reaches c̄ = 1 (Na15Sn4) after 1/(C-rate) hours.
    """
    g = case.geometry
    volume = sphere_volume(g.particle_radius)
    area = entry_area(case.sodiation.route, g.particle_radius, g.crater_depth, case.has_substrate)
    return volume * case.sodiation.c_rate / (SECONDS_PER_HOUR * area)


def charge_time(case: Case) -> float:
    """Time [s] to reach the stop expansion: t = (stop/100)/β · 3600/(C-rate)."""
    s = case.sodiation
    return (s.stop_expansion_percent / 100.0) / s.expansion * SECONDS_PER_HOUR / s.c_rate


def derived_quantities(case: Case) -> list[tuple[str, str]]:
    """(label, value with unit) pairs describing the case's geometry and loading."""
    g, s = case.geometry, case.sodiation
    radius, depth = g.particle_radius, g.crater_depth
    full_charge = SECONDS_PER_HOUR / s.c_rate
    rows = [
        ("particle volume", f"{sphere_volume(radius):.6g} nm³"),
        ("Na entry area", f"{entry_area(s.route, radius, depth, case.has_substrate):.6g} nm²"),
        ("entry flux j (normalised c)", f"{entry_flux(case):.6g} nm/s"),
        ("time to stop expansion", f"{charge_time(case):.6g} s"),
    ]
    if case.has_substrate:
        rows.insert(0, ("contact (rim) radius a", f"{contact_radius(radius, depth):.6g} nm"))
        rows.insert(1, ("contact cap area", f"{cap_area(radius, depth):.6g} nm²"))
    diffusivity = s.diffusivity
    d_max = {"two-stage": "high", "constant": "value", "zhu": "cap"}[diffusivity.model]
    rows.append(
        (
            "D·t_charge/R² (the identifiable transport number, largest D)",
            f"{getattr(diffusivity, d_max) * full_charge / radius**2:.6g}",
        )
    )
    if diffusivity.model == "two-stage":
        flux = entry_flux(case)
        rows.append(("pristine-Sn D_lo (front precursor ℓ_f = D_lo·c1/j)",
                     f"{at_flux_density(diffusivity, flux).low:.4g} nm²/s "
                     f"({front_precursor_length(diffusivity, flux):.3g} nm)"))
    rows.append(("cohesive-zone lengths", "see `nanoglue mesh`"))
    return rows
