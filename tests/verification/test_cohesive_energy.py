"""Cohesive laws on two elastic blocks (tests/verification/cohesive_blocks.py): energy, strength,
irreversibility and contact, for the bilinear and the exponential law.

Blocks 10 nm × 10 nm, E = 100 GPa, ν = 0.3, plane strain, P1, h = 1 nm; σc = 1 GPa,
Gc = 0.5 GPa·nm; bilinear K0 = 100 GPa/nm (δ0 = 0.01 nm, δf = 1 nm); exponential δc = 0.184 nm,
K0 = e²σc²/Gc = 14.8 GPa/nm. The blocks (≈ 5.5 GPa/nm in series in mode I) are stiffer than the
steepest softening (1 and 2 GPa/nm): no snap-back under displacement control.
"""

from functools import lru_cache

import numpy as np
import pytest

from nanoglue.config import CohesiveLaw
from tests.verification.cohesive_blocks import SIDE, Blocks, path

GC, SIGMA_C, K0 = 0.5, 1.0, 100.0
LAWS = {law: CohesiveLaw(law=law, toughness=GC, strength=SIGMA_C, stiffness=K0)
        for law in ("bilinear", "exponential")}
# Fine steps through the peak, coarser through the softening, up to full separation: bilinear
# past δf = 1 nm; exponential past 10 δc (missing tail energy Gc(1 + x)e^(−x) < 1e-4 Gc).
PATHS = {
    ("bilinear", False): path((0.3, 0.005), (1.3, 0.02)),
    ("bilinear", True): path((0.3, 0.005), (1.5, 0.02)),
    ("exponential", False): path((0.6, 0.01), (2.2, 0.02)),
    ("exponential", True): path((0.6, 0.01), (2.6, 0.02)),
}


@lru_cache(maxsize=None)
def separated(law: str, mixed: bool):
    """Blocks pulled to full separation: (blocks, W_ext, U_el)."""
    blocks = Blocks(LAWS[law], angle=45.0 if mixed else 0.0)
    record = blocks.run(PATHS[law, mixed])
    return blocks, record.external_work(), blocks.stored_energy()


@pytest.mark.parametrize("mixed", [False, True], ids=["mode-I", "mixed-45deg"])
@pytest.mark.parametrize("law", ["bilinear", "exponential"])
def test_dissipated_energy_is_toughness_times_length(law, mixed):
    """W_ext − U_el = Gc·L within 3 % (measured 0.996–0.997 Gc·L for all four cases)."""
    blocks, work, stored = separated(law, mixed)
    assert min(blocks.record.d_max[-1], blocks.damage().min()) > 0.9999
    assert (work - stored) / (GC * SIDE) == pytest.approx(1.0, rel=0.03)


@pytest.mark.parametrize("law", ["bilinear", "exponential"])
def test_peak_traction_is_strength(law):
    """Mode I is uniform: max mean traction P/L = σc within 2 % (measured 0.9965 / 0.99998)."""
    blocks, _, _ = separated(law, False)
    assert max(blocks.record.P) / SIDE == pytest.approx(SIGMA_C, rel=0.02)


def test_damage_is_irreversible_and_unloading_is_secant():
    """Load past the peak, unload, reload: nodal d never decreases; while unloading
    T/δn = (1 − d)K0 at fixed d (the secant to the origin)."""
    blocks = Blocks(LAWS["bilinear"])
    previous = blocks.damage()
    ratios, damages = [], []
    for stage, U in [("load", u) for u in path((0.4, 0.01))] + [
            ("unload", u) for u in np.linspace(0.4, 0.04, 10)[1:]] + [
            ("reload", u) for u in path((0.6, 0.01))]:
        blocks.step(float(U))
        d = blocks.damage()
        assert np.all(d >= previous - 1e-12)
        previous = d
        if stage == "unload":
            ratios.append(blocks.record.P[-1] / SIDE / blocks.record.delta_n[-1])
            damages.append(d.mean())
    assert 0.3 < damages[0] < 0.99
    assert np.ptp(damages) < 1e-12
    assert np.ptp(ratios) / ratios[0] < 1e-6
    assert ratios[0] == pytest.approx((1.0 - damages[0]) * K0, rel=1e-6)
    assert previous.mean() > damages[0]  # reloading beyond the old maximum damages further


def test_contact_after_full_debonding():
    """Fully debonded blocks pushed together (U = −0.5 nm, ≈ 2.7 GPa compression): the closed
    interface carries it with its contact stiffness Kc = K0, undamaged, so the blocks
    interpenetrate by p/K0 (2.7 % of the element size h = 1 nm here); the interface's
    geometric gap check (B's vertices behind A's surface) reads that same depth."""
    blocks = Blocks(LAWS["bilinear"])
    blocks.run(path((0.3, 0.01), (1.2, 0.05)))
    assert blocks.damage().min() == 1.0
    blocks.run(path((-0.5, 0.1)))
    assert blocks.record.P[-1] / SIDE < -2.0  # the pushed blocks do carry the compression
    openings = blocks.interface.nodal_openings()[:, 0]
    pressure = -blocks.record.P[-1] / SIDE
    assert openings.max() < 0.0  # closed everywhere
    assert np.abs(-openings / (pressure / K0) - 1.0).max() < 0.02
    assert blocks.interface.penetration() == pytest.approx(pressure / K0, rel=0.02)



def test_a_shear_strength_sets_the_sliding_peak_and_keeps_the_toughness():
    """τc = σc/2 (β = 0.5), blocks slid along the interface: the peak mean shear traction is τc
    within 2 % and W_ext − U_el = Gc·L within 3 % (δ0/β = 0.02 nm to δf/β = 2 nm of sliding;
    measured 0.4955 GPa and 0.9966 Gc·L; with β = 1 the peak would be σc)."""
    law = CohesiveLaw(law="bilinear", toughness=GC, strength=SIGMA_C, stiffness=K0,
                      shear_strength=0.5 * SIGMA_C)
    blocks = Blocks(law, angle=90.0)
    record = blocks.run(path((0.6, 0.01), (2.6, 0.04)))
    assert blocks.damage().min() > 0.9999
    assert max(record.P) / SIDE == pytest.approx(0.5 * SIGMA_C, rel=0.02)
    work = record.external_work() - blocks.stored_energy()
    assert work / (GC * SIDE) == pytest.approx(1.0, rel=0.03)
