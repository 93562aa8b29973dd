"""The cohesive interface in 3-D through the same Mechanics as the runs (blocks3d.py): energy
and strength of two cubes pulled apart, bilinear and exponential law, mode I and 45°.

Cubes 10 nm, E = 100 GPa, ν = 0.3, P1 tets of 2.5 nm; σc = 1 GPa, Gc = 0.5 GPa·nm; bilinear
K0 = 100 GPa/nm (δ0 = 0.01, δf = 1 nm), exponential δc = 0.184 nm; the automatic residual floor
(r·K0·κ₉₉ = 10⁻³σc); damage rounds to |Δd| < 1e-4. The tool's energy budget (problems.energy)
against the work and stored energy the test measures itself (W_ext = ∫P dU, U_el + Ψ), and, in
mode I (uniform), the peak mean traction P/L² = σc within 2 % (~4 s per run on DOLFINx 0.5.2).
"""

from functools import lru_cache

import pytest

from nanoglue.config import CohesiveLaw
from tests.verification.blocks3d import SIDE, Cubes
from tests.verification.cohesive_blocks import path

GC, SIGMA_C = 0.5, 1.0
LAWS = {law: CohesiveLaw(law=law, toughness=GC, strength=SIGMA_C, stiffness=100.0,
                        residual_stiffness=None)
        for law in ("bilinear", "exponential")}
LAW = LAWS["bilinear"]
# bilinear past δf = 1 nm; exponential past 12 δc, where the floor stops the dissipation
PATHS = {("bilinear", False): path((0.3, 0.005), (1.3, 0.02)),
         ("bilinear", True): path((0.3, 0.005), (1.5, 0.02)),
         ("exponential", False): path((0.6, 0.01), (2.2, 0.02)),
         ("exponential", True): path((0.6, 0.01), (2.6, 0.02))}


@lru_cache(maxsize=None)
def separated(law: str, mixed: bool):
    """Cubes pulled to full separation: (cubes, W_ext, U_el + Ψ)."""
    cubes = Cubes(LAWS[law], angle=45.0 if mixed else 0.0)
    cubes.run(PATHS[law, mixed])
    return cubes, cubes.external_work(), cubes.stored_energy()


@pytest.mark.parametrize("mixed", [False, True], ids=["mode-I", "mixed-45deg"])
@pytest.mark.parametrize("law", ["bilinear", "exponential"])
def test_energy_budget_at_full_separation_is_toughness_times_area_3d(law, mixed):
    """Separated cubes: the budget's dissipation D (its rate-independent D_law and its
    step-by-step D_d alike) equals W_ext − U_el − Ψ within 1 % and Gc·L² within 1 %
    (measured 0.999 / 0.997 Gc·L² bilinear / exponential: the floor keeps the rest), and the
    bulk residual is −W_ext within 0.5 %."""
    cubes, work, stored = separated(law, mixed)
    assert cubes.damage().min() > 0.999
    interface = cubes.energy.interfaces["cubes"]
    for dissipated in (interface.dissipated, interface.dissipated + interface.viscous):
        assert dissipated == pytest.approx(work - stored, rel=0.01)
        assert dissipated / (GC * SIDE**2) == pytest.approx(1.0, rel=0.01)
    assert cubes.energy.bulk_residual == pytest.approx(-work, rel=0.005)


def test_peak_traction_is_strength_3d():
    """Mode I is uniform: max mean traction P/L² = σc within 2 %."""
    cubes, _, _ = separated("bilinear", False)
    assert max(cubes.P) / SIDE**2 == pytest.approx(SIGMA_C, rel=0.02)


def test_energy_budget_balances_mid_softening_3d():
    """Halfway down the softening branch (U = 0.5 nm, mode I), the tool's energy budget
    (problems.energy): the interface's dissipation D = ∫D(κ(d)) dS equals W_ext − U_el − Ψ,
    work and stored energy computed by the test itself, within 1 % (measured 0.03 %); the
    interface balance closes within 1 % of its work; and the bulk balance, whose only outside
    input is the prescribed displacement, has the residual −W_ext (within 0.5 %)."""
    cubes = Cubes(LAW)
    cubes.run(path((0.3, 0.005), (0.5, 0.02)))
    energy, work = cubes.energy, cubes.external_work()
    interface = energy.interfaces["cubes"]
    assert 0.2 * GC * SIDE**2 < interface.dissipated < 0.8 * GC * SIDE**2
    assert interface.dissipated == pytest.approx(work - cubes.stored_energy(), rel=0.01)
    assert abs(interface.balance_residual) < 0.01 * interface.work
    assert energy.bulk_residual == pytest.approx(-work, rel=0.005)
