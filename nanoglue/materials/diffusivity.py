"""Concentration-dependent Na diffusivity D(c) as UFL expressions [nm²/s].

Every parameter enters as a ``fem.Constant`` on the mesh of ``c``, so a form built with another
parameter value has the same signature and reuses the JIT-compiled kernel. The models are the
``sodiation.diffusivity`` sections of nanoglue.config (discriminated by ``model``).
"""

from __future__ import annotations

import ufl
from dolfinx import fem

from nanoglue.config import ConstantDiffusivity, TwoStageDiffusivity, ZhuDiffusivity

# 1 − c is never taken smaller than this in the Zhu model: D0/GUARD is far above any cap, so the
# capped D is continuous through c = 1 and stays finite (= cap) if c overshoots 1.
ONE_MINUS_C_GUARD = 1e-12


def _constant(c: fem.Function, value: float) -> fem.Constant:
    return fem.Constant(c.function_space.mesh, float(value))


def two_stage(c: fem.Function, model: TwoStageDiffusivity):
    """Smooth switch from D_lo (pristine Sn) to D_hi (Na_xSn) at the first-stage plateau c1.

    D(c) = D_lo + (D_hi − D_lo)·½(1 + tanh((c − c1)/w))
    """
    d_lo, d_hi = _constant(c, model.low), _constant(c, model.high)
    c1, w = _constant(c, model.plateau), _constant(c, model.width)
    return d_lo + (d_hi - d_lo) * 0.5 * (1.0 + ufl.tanh((c - c1) / w))


def at_flux_density(model, flux_density: float):
    """The ``model`` with its D_lo fixed for entry flux density j [nm/s]: a two-stage model
    given by its front length ℓ_f gets D_lo = ℓ_f·j/c1 (the precursor D_lo/v of a front moving
    at v = j/c1 is then ℓ_f); every other model is returned as it is."""
    if not isinstance(model, TwoStageDiffusivity) or model.front_length is None:
        return model
    low = model.front_length * flux_density / model.plateau
    return model.model_copy(update={"low": low, "front_length": None})


def front_precursor_length(model, flux_density: float):
    """ℓ_f = D_lo/v with v = j/c1 [nm]: how far Na leads the first-stage front where it starts,
    at an entry surface with inward flux density j (the front moves at v = j/c1 there and slows
    as it spreads). None for models without a first-stage plateau. A mesh coarser than ℓ_f
    smears the front over its elements, so what the swelling front drives depends on the mesh
    (docs/calibration.md: with ℓ_f = 0.07 nm the bare completion scatters over 18–68 %)."""
    if not isinstance(model, TwoStageDiffusivity):
        return None
    return at_flux_density(model, flux_density).low * model.plateau / flux_density


def constant(c: fem.Function, model: ConstantDiffusivity):
    """D(c) = D (independent of c)."""
    return _constant(c, model.value)


def zhu(c: fem.Function, model: ZhuDiffusivity):
    """Interaction model, clipped: D(c) = min(cap, max(floor, D0·[1/(1 − c) − 2αc])).

    The bracket is negative for intermediate c when α > 2 (hence the floor) and diverges at
    c → 1 (hence the cap); 1 − c is guarded by ONE_MINUS_C_GUARD, so c ≥ 1 gives D = cap.
    """
    d0, alpha = _constant(c, model.d0), _constant(c, model.alpha)
    floor, cap = _constant(c, model.floor), _constant(c, model.cap)
    bracket = 1.0 / ufl.max_value(1.0 - c, ONE_MINUS_C_GUARD) - 2.0 * alpha * c
    return ufl.min_value(cap, ufl.max_value(floor, d0 * bracket))


_MODELS = {"two-stage": two_stage, "constant": constant, "zhu": zhu}


def diffusivity(c: fem.Function, model_config):
    """UFL expression of D(c) for a ``sodiation.diffusivity`` config section (any model)."""
    return _MODELS[model_config.model](c, model_config)
