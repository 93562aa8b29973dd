"""The two-stage D(c) gives the paper's picture: a first-stage front of the set thickness, then
uniform stage 2.

Free Sn particle (R = 90 nm) sodiated through its whole surface at C/5 with the default two-stage
law, 2 nm mesh, transport only. Ahead of a front moving at v, D_lo c'' + v c' = 0 gives the
precursor c = c1·exp(−x/ℓ_f), ℓ_f = D_lo/v = D_lo·c1/j at the surface; its 0.9·c1 → 0.1·c1
width is ℓ_f·ln 9, and the front only speeds up (narrows) as it converges on the centre. So the
widest band between c = 0.1·c1 and 0.9·c1 (measured over the whole particle, any asphericity
included) is ℓ_f·ln 9 within two particle elements (its end dofs lie up to an element inside
each end of the band); once it has passed,
max(c) − min(c) stays below 20 % of mean(c).
"""

import numpy as np
import ufl

from nanoglue.case_file import case_from_mapping
from nanoglue.geometry import tags
from nanoglue.fem.mesh import build_mesh
from nanoglue.materials.diffusivity import at_flux_density
from nanoglue.problems.transport import Transport
from nanoglue.coupling.stepping import expansion_rate

R = 90.0


def test_front_has_its_precursor_width_while_it_sweeps_and_stage_two_is_uniform():
    case = case_from_mapping({
        "geometry": {"particle_radius": R, "substrate": {"kind": "none"},
                     "mesh": {"particle_size": 2.0, "interface_size": 2.0}},
        "sodiation": {"route": "whole-surface"},
    })
    bundle = build_mesh(case)
    mesh = bundle.mesh
    dx = ufl.Measure("dx", domain=mesh, subdomain_data=bundle.cell_tags)
    ds = ufl.Measure("ds", domain=mesh, subdomain_data=bundle.facet_tags)
    flux = R / 3.0 * case.sodiation.c_rate / 3600.0  # V·C/(3600 A) for a sphere
    model = case.sodiation.diffusivity
    transport = Transport(mesh, dx(tags.PARTICLE), ds(tags.PARTICLE_SURFACE),
                          at_flux_density(model, flux))
    c1 = model.plateau
    step = 0.2  # % volume expansion
    dt = step / expansion_rate(case.sodiation.expansion, case.sodiation.c_rate)
    x = transport.c.function_space.tabulate_dof_coordinates()
    centre = 0.5 * (x[:, 1].max() + x[:, 1].min())
    rho = np.hypot(x[:, 0], x[:, 1] - centre)
    widths, spreads = [], []
    for _ in range(int(70.0 / step)):
        transport.step(dt, flux)
        c = transport.c.x.array
        band = (c > 0.1 * c1) & (c < 0.9 * c1)
        if band.any():
            widths.append(rho[band].max() - rho[band].min())
        elif c.min() >= 0.9 * c1:
            spreads.append((c.max() - c.min()) / c.mean())
        assert c.min() >= 0.0
    assert len(widths) > 100 and len(spreads) > 10  # the front swept, then stage 2 ran
    expected, element = model.front_length * np.log(9.0), 2.0
    assert abs(max(widths) - expected) < 2 * element, f"front width up to {max(widths):.2f} nm"
    assert max(spreads) < 0.2
