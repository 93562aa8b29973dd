"""Cross-field checks of a case: the geometry must fit together, the Na entry route must exist,
and each cohesive law gets only the parameters it uses. Each failure is located at one field
and names every other field it involves (a change to any of them can be what broke it)."""

from __future__ import annotations

import re

from nanoglue.errors import CaseError
from nanoglue.formulas import contact_radius

# The arguments are config.Case / Geometry / Interfaces: the schema imports this module, never
# the other way round.


def check_case(case) -> None:
    """Raise CaseError at the first inconsistency between sections of ``case``."""
    _check_geometry(case.geometry)
    _check_route(case)
    _check_laws(case.interfaces)
    stop, beta = case.sodiation.stop_expansion_percent, case.sodiation.expansion
    if stop >= 100.0 * beta:
        raise CaseError(
            "sodiation.stop_expansion_percent",
            f"{stop:g} % cannot be reached: full sodiation (c = 1) gives {100 * beta:g} % "
            "(100 × sodiation.expansion)",
        )
    start = 100.0 * beta * case.sodiation.initial.value
    if stop <= start:
        raise CaseError("sodiation.stop_expansion_percent",
                        f"{stop:g} % is not beyond the initial state ({start:g} %, from "
                        "sodiation.initial.value and sodiation.expansion): the run would take "
                        "no step")
    _check_steps(case.solver)
    _check_factorization(case)
    _check_output(case.output, stop)
    if not PLAIN_NAME.fullmatch(case.name) or case.name in (".", ".."):
        raise CaseError("name", f"{case.name!r} is not a plain file name (letters, digits and "
                        "._+=,- only): it names the output directory results/<name>")


def _check_factorization(case) -> None:
    """A symmetric factorisation only where the Jacobian is symmetric: not at finite strain
    with cohesive interfaces (their frame turns with the deformation)."""
    finite = case.mechanics.kinematics == "finite" and case.interfaces.model == "cohesive"
    if finite and str(case.solver.petsc_options.get("pc_type")) == "cholesky":
        raise CaseError("solver.petsc_options.pc_type",
                        "cholesky factors only half of the finite-strain Jacobian, which is not "
                        "symmetric with cohesive interfaces (mechanics.kinematics = finite): use "
                        "lu (the default there when solver.petsc_options is not given)")


PLAIN_NAME = re.compile(r"[A-Za-z0-9._+=,-]{1,200}")
MAX_SNAPSHOTS = 2000  # snapshots per half-cycle: each is a file set of the whole mesh


def _check_steps(solver) -> None:
    if solver.min_step_percent > solver.max_step_percent:
        raise CaseError("solver.min_step_percent", f"{solver.min_step_percent:g} % is above "
                        f"solver.max_step_percent ({solver.max_step_percent:g} %)")
    if not solver.min_step_percent <= solver.first_step_percent <= solver.max_step_percent:
        raise CaseError("solver.first_step_percent", f"{solver.first_step_percent:g} % is outside "
                        "[solver.min_step_percent, solver.max_step_percent] = "
                        f"[{solver.min_step_percent:g}, {solver.max_step_percent:g}] %")


def _check_output(output, stop: float) -> None:
    if stop / output.snapshot_every_percent > MAX_SNAPSHOTS:
        raise CaseError("output.snapshot_every_percent",
                        f"{output.snapshot_every_percent:g} % gives "
                        f"{stop / output.snapshot_every_percent:.3g} snapshots up to {stop:g} % "
                        f"(sodiation.stop_expansion_percent); at most {MAX_SNAPSHOTS} (one file "
                        "set each)")
    if len(output.snapshot_at_percent) > MAX_SNAPSHOTS:
        raise CaseError("output.snapshot_at_percent", f"at most {MAX_SNAPSHOTS} extra snapshots")


def _check_geometry(g) -> None:
    """Cross-field geometric sanity: the particle, crater, substrate and coating must fit."""
    radius, depth = g.particle_radius, g.crater_depth
    if depth >= 2.0 * radius:
        raise CaseError(
            "geometry.crater_depth",
            f"{depth:g} nm is not less than the particle diameter {2 * radius:g} nm "
            "(2 × geometry.particle_radius)",
        )
    substrate = g.substrate
    if substrate.kind == "fiber" and g.model != "quarter-3d":
        raise CaseError("geometry.substrate.kind", "'fiber' needs geometry.model: quarter-3d")
    if substrate.kind == "block" and g.model != "axisymmetric":
        raise CaseError("geometry.substrate.kind", "'block' needs geometry.model: axisymmetric")
    a = contact_radius(radius, depth)
    if substrate.kind == "block":
        if substrate.radius <= max(a, radius):
            raise CaseError(
                "geometry.substrate.radius",
                f"{substrate.radius:g} nm must exceed the particle radius {radius:g} nm "
                "(geometry.particle_radius) and the contact radius",
            )
        if substrate.depth <= depth:
            raise CaseError(
                "geometry.substrate.depth",
                f"{substrate.depth:g} nm must exceed the crater depth {depth:g} nm "
                "(geometry.crater_depth)",
            )
    if substrate.kind == "fiber" and substrate.radius <= depth:
        raise CaseError(
            "geometry.substrate.radius", f"the fiber radius {substrate.radius:g} nm is not "
            f"beyond the crater depth {depth:g} nm (geometry.crater_depth)"
        )
    coating = g.coating
    reach = radius + (coating.thickness if coating is not None else 0.0)
    if substrate.kind == "fiber" and substrate.half_length <= reach:
        raise CaseError(
            "geometry.substrate.half_length",
            f"{substrate.half_length:g} nm must exceed the particle (and coating) radius "
            f"{reach:g} nm (geometry.particle_radius + geometry.coating.thickness)",
        )
    if coating is None:
        return
    if coating.thickness >= radius:
        raise CaseError(
            "geometry.coating.thickness",
            f"{coating.thickness:g} nm is not less than the particle radius {radius:g} nm "
            "(geometry.particle_radius)",
        )
    if coating.extent is not None:
        if substrate.kind == "none":
            raise CaseError("geometry.coating.extent", "there is no substrate to extend over "
                            "(geometry.substrate.kind is 'none')")
        if coating.extent <= a + coating.thickness:
            raise CaseError(
                "geometry.coating.extent",
                f"{coating.extent:g} nm does not reach past the crater rim (contact radius "
                f"{a:.4g} nm from geometry.particle_radius and geometry.crater_depth, + "
                f"geometry.coating.thickness {coating.thickness:g} nm)",
            )
        if substrate.kind == "block" and coating.extent > substrate.radius:
            raise CaseError(
                "geometry.coating.extent",
                f"{coating.extent:g} nm exceeds the substrate radius {substrate.radius:g} nm "
                "(geometry.substrate.radius)",
            )


def _check_route(case) -> None:
    """The Na entry route must exist on this geometry."""
    route = case.sodiation.route
    if route == "substrate-interface" and not case.has_substrate:
        raise CaseError("sodiation.route", "'substrate-interface' needs a substrate "
                        "(geometry.substrate.kind is 'none')")
    if route == "through-coating" and not case.has_coating:
        raise CaseError("sodiation.route", "'through-coating' needs geometry.coating")
    if route == "whole-surface" and case.has_coating:
        raise CaseError(
            "sodiation.route",
            "'whole-surface' is for a bare particle; a coated one (geometry.coating) is "
            "sodiated 'through-coating'",
        )
    if case.sodiation.coating_diffusivity is not None and route != "through-coating":
        raise CaseError(
            "sodiation.coating_diffusivity", "only sodiation.route 'through-coating' uses the "
            "coating"
        )
    if case.sodiation.through_contact and (route == "substrate-interface"
                                           or not case.has_substrate):
        raise CaseError(
            "sodiation.through_contact",
            "needs a substrate (geometry.substrate) and sodiation.route 'whole-surface' or "
            "'through-coating' ('substrate-interface' enters through the contact alone)",
        )


def _check_laws(interfaces) -> None:
    for name, law in interfaces.laws().items():
        if law.law == "exponential" and law.stiffness is not None:
            raise CaseError(
                f"interfaces.{name}.stiffness",
                f"interfaces.{name}.law 'exponential' takes no stiffness (its initial "
                "stiffness is e²σc²/Gc)",
            )
