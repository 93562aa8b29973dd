"""The cohesive interface in 3-D through the same Mechanics as the runs (blocks3d.py): energy
and strength of two cubes pulled apart, bilinear law, mode I and 45°.

Cubes 10 nm, E = 100 GPa, ν = 0.3, P1 tets of 2.5 nm; σc = 1 GPa, Gc = 0.5 GPa·nm, K0 = 100
GPa/nm (δ0 = 0.01, δf = 1 nm); damage rounds to |Δd| < 1e-4. W_ext − U_el = Gc·L² within 3 %
and, in mode I (uniform), the peak mean traction P/L² = σc within 2 % (measured on DOLFINx
0.5.2: 0.9906 / 0.9918 Gc·L² in mode I / at 45°, peak 1.0000 σc; ~10 s for both runs).
"""

from functools import lru_cache

import pytest

from nanoglue.config import CohesiveLaw
from tests.verification.blocks3d import SIDE, Cubes
from tests.verification.cohesive_blocks import path

GC, SIGMA_C = 0.5, 1.0
LAW = CohesiveLaw(law="bilinear", toughness=GC, strength=SIGMA_C, stiffness=100.0)
PATHS = {False: path((0.3, 0.005), (1.3, 0.02)), True: path((0.3, 0.005), (1.5, 0.02))}


@lru_cache(maxsize=None)
def separated(mixed: bool):
    """Cubes pulled to full separation: (cubes, W_ext, U_el)."""
    cubes = Cubes(LAW, angle=45.0 if mixed else 0.0)
    cubes.run(PATHS[mixed])
    return cubes, cubes.external_work(), cubes.stored_energy()


@pytest.mark.parametrize("mixed", [False, True], ids=["mode-I", "mixed-45deg"])
def test_dissipated_energy_is_toughness_times_area_3d(mixed):
    """W_ext − U_el = Gc·L² within 3 %."""
    cubes, work, stored = separated(mixed)
    assert cubes.damage().min() > 0.9999
    assert (work - stored) / (GC * SIDE**2) == pytest.approx(1.0, rel=0.03)


def test_peak_traction_is_strength_3d():
    """Mode I is uniform: max mean traction P/L² = σc within 2 %."""
    cubes, _, _ = separated(False)
    assert max(cubes.P) / SIDE**2 == pytest.approx(SIGMA_C, rel=0.02)


def test_energy_spent_balances_the_work_mid_softening_3d():
    """Halfway down the softening branch (U = 0.5 nm, mode I) the law's energy spent ∫D(κ)dS
    equals W_ext − U_el within 3 % (measured 0.37 Gc·L², balance 1.0003), and after full
    separation it is Gc·L² (D = Gc at κ ≥ δf)."""
    cubes = Cubes(LAW)
    cubes.run(path((0.3, 0.005), (0.5, 0.02)))
    spent = cubes.dissipated_energy()
    assert 0.2 * GC * SIDE**2 < spent < 0.8 * GC * SIDE**2
    assert spent == pytest.approx(cubes.external_work() - cubes.stored_energy(), rel=0.03)
    separated_cubes, _, _ = separated(False)
    assert separated_cubes.dissipated_energy() == pytest.approx(GC * SIDE**2, rel=1e-9)
