"""Closed-form geometry of a sphere of radius R sitting a depth d in a crater.

The particle's lowest point is d below the substrate top (z = 0), so its centre is at
z = R − d and it meets the top surface on the circle of radius a.
"""

import math


def centre_height(radius: float, crater_depth: float) -> float:
    """Height of the particle centre above the substrate top, z_c = R − d."""
    return radius - crater_depth


def contact_radius(radius: float, crater_depth: float) -> float:
    """Radius of the crater rim, a = sqrt(d (2R − d)) (chord of a cap of height d)."""
    return math.sqrt(crater_depth * (2.0 * radius - crater_depth))


def sphere_volume(radius: float) -> float:
    """V = 4/3 π R³."""
    return 4.0 / 3.0 * math.pi * radius**3


def cap_area(radius: float, height: float) -> float:
    """Curved area of a spherical cap of height h: A = 2π R h (the particle/substrate contact)."""
    return 2.0 * math.pi * radius * height


def entry_area(route: str, radius: float, crater_depth: float, has_substrate: bool) -> float:
    """Area through which Na enters the particle for a sodiation route [nm²].

    substrate-interface: the contact cap 2πRd; whole-surface and through-coating: the exposed
    surface 2πR(2R − d), or the whole sphere 4πR² for a free particle.
    """
    if route == "substrate-interface":
        return cap_area(radius, crater_depth)
    if not has_substrate:
        return 4.0 * math.pi * radius**2
    return cap_area(radius, 2.0 * radius - crater_depth)
