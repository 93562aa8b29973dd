"""Closed-form geometry of a sphere of radius R sitting a depth d in a crater.

The particle's lowest point is d below the substrate top (z = 0), so its centre is at
z = R − d and it meets the top surface on the circle of radius a.
"""

import math


def contact_radius(radius: float, crater_depth: float) -> float:
    """Radius of the crater rim, a = sqrt(d (2R − d)) (chord of a cap of height d)."""
    return math.sqrt(crater_depth * (2.0 * radius - crater_depth))
