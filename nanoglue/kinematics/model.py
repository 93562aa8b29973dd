"""Geometry of the model: the one place that knows whether a mesh is an axisymmetric (r, z)
half-plane or a 3-D solid.

A model gives every dimension-dependent piece of the weak forms:

* the measure weight w: the volume element is ``revolution``·w·dx, w = r and revolution = 2π
  in axisymmetry (the 2π multiplies every term of a balance and cancels, so weak forms carry w
  only), w = 1 and revolution = 1 in 3-D;
* the displacement gradient H = ∇u as a 3×3 tensor (so that F = I + H): in axisymmetry, in
  (r, θ, z) order,

      H = [[∂u_r/∂r, 0, ∂u_r/∂z], [0, u_r/r, 0], [∂u_z/∂r, 0, ∂u_z/∂z]],

  the hoop entry u_r/r being F_θθ − 1 = (r + u_r)/r − 1; in 3-D, H = ∇u;
* the symmetric part ε = ½(H + Hᵀ) written out entry by entry (structural zeros stay zeros);
* the stored components of a symmetric tensor at quadrature points: (rr, θθ, zz, rz) in
  axisymmetry, (xx, yy, zz, yz, xz, xy) in 3-D (``to_components``/``to_tensor``);
* the symmetry planes: (facet tag, displacement component held at 0) — the axis r = 0 with
  u_r = 0 in axisymmetry, the planes a 3-D builder cut the solid on;
* vectors between the mesh's components and the 3×3 algebra (``embed``, ``in_plane``: (r, z) ↔
  (r, θ, z) in axisymmetry, the identity in 3-D);
* the interface frame from a normal n, dimension-free: δn = n·[[u]] and the sliding part
  s = Q[[u]] with the tangent projector Q = |n|²I − n⊗n (Q = I − n⊗n for a unit normal; the
  |n|² keeps the sliding exact for the interpolated nodal normal, whose length dips below 1
  between the vertices of a curved interface: in 2-D, Q = t⊗t with t = n rotated by 90°).

``model_for(name, mesh)`` is the one factory that turns the case's geometry.model into a model.
Quadrature points never lie on the axis, so u_r/r is finite wherever it is evaluated.
"""

from __future__ import annotations

from typing import Sequence

import ufl

from nanoglue.geometry import tags


class Axisymmetric:
    """(r, z) half-plane revolved about the axis r = 0; x[0] = r ≥ 0."""

    name = "axisymmetric"
    stored_components = 4

    def __init__(self, mesh, symmetry_planes: Sequence[tuple[int, int]] = ((tags.AXIS, 0),)):
        self.mesh = mesh
        self.gdim = 2
        self.symmetry_planes = tuple(symmetry_planes)
        self.weight = ufl.SpatialCoordinate(mesh)[0]
        self.revolution = 2.0 * ufl.pi

    def restricted_weight(self, side):
        """w on one side ("+"/"−") of interior facets, or w itself (``side`` None)."""
        return self.weight if side is None else self.weight(side)

    def gradient(self, u):
        """H = ∇u in (r, θ, z), hoop entry u_r/r (module docstring)."""
        g = ufl.grad(u)
        return ufl.as_tensor([[g[0, 0], 0.0, g[0, 1]],
                              [0.0, u[0] / self.weight, 0.0],
                              [g[1, 0], 0.0, g[1, 1]]])

    def symmetric_gradient(self, u):
        """ε = ½(H + Hᵀ) = [[∂u_r/∂r, 0, ½(∂u_r/∂z + ∂u_z/∂r)], [0, u_r/r, 0], [sym, 0, ∂u_z/∂z]]."""
        g = ufl.grad(u)
        shear = 0.5 * (g[0, 1] + g[1, 0])
        return ufl.as_tensor([[g[0, 0], 0.0, shear], [0.0, u[0] / self.weight, 0.0],
                              [shear, 0.0, g[1, 1]]])

    @staticmethod
    def to_tensor(v):
        """3×3 tensor of the stored components v = (rr, θθ, zz, rz)."""
        return ufl.as_tensor([[v[0], 0.0, v[3]], [0.0, v[1], 0.0], [v[3], 0.0, v[2]]])

    @staticmethod
    def to_components(t):
        """Stored components (rr, θθ, zz, rz) of a symmetric axisymmetric 3×3 tensor."""
        return ufl.as_vector([t[0, 0], t[1, 1], t[2, 2], t[0, 2]])

    @staticmethod
    def embed(v):
        """The (r, θ, z) 3-vector of an in-plane (r, z) vector: (v_r, 0, v_z)."""
        return ufl.as_vector([v[0], 0.0, v[1]])

    @staticmethod
    def in_plane(v):
        """The (r, z) part of an (r, θ, z) 3-vector with no θ component."""
        return ufl.as_vector([v[0], v[2]])


class Solid3D:
    """A 3-D solid (x, y, z), cut on the given symmetry planes (facet tag, normal component)."""

    name = "3d"
    stored_components = 6

    def __init__(self, mesh, symmetry_planes: Sequence[tuple[int, int]] = ()):
        self.mesh = mesh
        self.gdim = 3
        self.symmetry_planes = tuple(symmetry_planes)
        self.weight = 1.0
        self.revolution = 1.0

    def restricted_weight(self, side):
        """w = 1 on either side."""
        return self.weight

    @staticmethod
    def gradient(u):
        """H = ∇u."""
        return ufl.grad(u)

    @staticmethod
    def embed(v):
        """A 3-vector is its own 3-D embedding."""
        return v

    @staticmethod
    def in_plane(v):
        return v

    @staticmethod
    def symmetric_gradient(u):
        """ε = ½(∇u + ∇uᵀ)."""
        return ufl.sym(ufl.grad(u))

    @staticmethod
    def to_tensor(v):
        """3×3 symmetric tensor of the stored components v = (xx, yy, zz, yz, xz, xy)."""
        return ufl.as_tensor([[v[0], v[5], v[4]], [v[5], v[1], v[3]], [v[4], v[3], v[2]]])

    @staticmethod
    def to_components(t):
        """Stored components (xx, yy, zz, yz, xz, xy) of a symmetric 3×3 tensor."""
        return ufl.as_vector([t[0, 0], t[1, 1], t[2, 2], t[1, 2], t[0, 2], t[0, 1]])


def normal_opening(jump, n):
    """δn = n·[[u]]."""
    return ufl.dot(jump, n)


def sliding(jump, n):
    """s = Q[[u]], Q = |n|²I − n⊗n: the tangential part of the jump (module docstring)."""
    return ufl.dot(n, n) * jump - ufl.dot(jump, n) * n


MODELS = {"axisymmetric": Axisymmetric, "quarter-3d": Solid3D, "3d": Solid3D}
"""geometry.model (and "3d" for verification solids) → model class."""


def model_for(name: str, mesh, symmetry_planes=None):
    """The model of ``name`` on ``mesh`` (its default symmetry planes unless given)."""
    cls = MODELS[name]
    return cls(mesh) if symmetry_planes is None else cls(mesh, symmetry_planes)
