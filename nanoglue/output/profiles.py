"""Profiles at the snapshot states: interface damage vs arc length, coating stress through its thickness.

Written into ``profiles/`` at every snapshot (``RunOutputs.snapshot``), X the chemical volume
expansion [%] of the state written compactly (``56``, ``12.5``); a state revisited later
(desodiation, further cycles) gets ``_2``, ``_3``, ... appended.

``interface_damage_<X>.csv`` (cohesive interfaces; Fig 5 insets): columns interface, arc_nm,
r_nm, z_nm, damage; one row per interface vertex (the nodal damage d of
``cohesive.InterfaceHistory``), ordered along the interface from its outer end, the end with the
largest r (for equal r, as on a free particle: the lower end), towards the axis. The arc length
of vertex k is s_k = s_{k−1} + |x_k − x_{k−1}|, s_0 = 0: the length of the mesh polyline, which
is shorter than the curved interface by O(h²/R) per unit length.

``coating_von_mises_<X>.csv`` (runs with a coating; paper Fig S11d): columns
through_thickness_nm, von_mises_GPa, r_nm, z_nm along the **particle's equator**, the
horizontal line z = z_c = R − d (the height of the particle's centre) from the particle surface
r = R to the coating's outer surface r = R + t, i.e. through_thickness_nm = r − R ∈ [0, t]. There
the coating is the offset shell and its thickness direction is the particle's outward normal;
the line is far from the re-entrant corner where the coating meets the substrate, whose stresses
depend on the mesh. Each of the COATING_LINE_POINTS equally spaced points takes the von Mises
stress of the nearest coating quadrature point (``mechanics.quadrature_samples()``), so the
profile is piecewise constant at the quadrature resolution (~ h_c/2). Positions are those of the
undeformed configuration (small strain).

In parallel every rank contributes its owned vertices / facets / quadrature points; rank 0
orders them and writes the files.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from dolfinx.mesh import compute_midpoints

from nanoglue.geometry import tags

DAMAGE_COLUMNS = ["interface", "arc_nm", "r_nm", "z_nm", "damage"]
COATING_COLUMNS = ["through_thickness_nm", "von_mises_GPa", "r_nm", "z_nm"]
COATING_LINE_POINTS = 21


def state_label(expansion_percent: float) -> str:
    """X [%] written compactly: rounded to 4 decimals, no trailing zeros (56, 12.5)."""
    return f"{round(expansion_percent, 4) + 0.0:g}"


def gather_rows(comm, local: np.ndarray):
    """The rows of every rank stacked in rank order on rank 0; None on the other ranks."""
    parts = comm.gather(local, root=0)
    return np.concatenate(parts) if comm.rank == 0 else None


# ------------------------------------------------------------------ ordering along an interface
def match_points(targets: np.ndarray, points: np.ndarray, tolerance: float) -> np.ndarray:
    """Index of the point equal (within ``tolerance``) to each target, by nearest distance."""
    distance = np.linalg.norm(targets[:, None, :] - points[None, :, :], axis=2)
    nearest = np.argmin(distance, axis=1)
    if np.any(distance[np.arange(len(targets)), nearest] > tolerance):
        raise ValueError("an interface facet end is not an interface vertex")
    return nearest


def outer_end(points: np.ndarray, ends: list[int]) -> int:
    """The end with the largest r; for (nearly) equal r the one with the lowest z."""
    a, b = ends
    scale = max(1.0, float(np.max(np.abs(points))))
    if abs(points[a, 0] - points[b, 0]) > 1e-9 * scale:
        return a if points[a, 0] > points[b, 0] else b
    return a if points[a, 1] < points[b, 1] else b


def chain_order(points: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Indices of ``points`` in order along the open polyline ``edges`` (index pairs), starting
    at its outer end (``outer_end``). Raises ValueError unless the edges form one open chain."""
    neighbours: list[list[int]] = [[] for _ in range(len(points))]
    for a, b in {tuple(sorted(edge)) for edge in edges.tolist()}:
        neighbours[a].append(b)
        neighbours[b].append(a)
    ends = [i for i, n in enumerate(neighbours) if len(n) == 1]
    if len(ends) != 2 or any(len(n) not in (1, 2) for n in neighbours):
        raise ValueError("the interface is not one open chain of facets")
    order, previous = [outer_end(points, ends)], -1
    while len(order) < len(points):
        following = [n for n in neighbours[order[-1]] if n != previous]
        if not following:
            raise ValueError("the interface is not one open chain of facets")
        previous = order[-1]
        order.append(following[0])
    return np.asarray(order)


def arc_lengths(ordered: np.ndarray) -> np.ndarray:
    """s_0 = 0, s_k = s_{k−1} + |x_k − x_{k−1}| along points in order."""
    steps = np.linalg.norm(np.diff(ordered, axis=0), axis=1)
    return np.concatenate([[0.0], np.cumsum(steps)])


def owned_facet_ends(mesh, facet_tags, tag: int) -> np.ndarray:
    """(n, 2, 2): the (r, z) of both vertices of each owned facet tagged ``tag``."""
    fdim = mesh.topology.dim - 1
    mesh.topology.create_connectivity(fdim, 0)
    mesh.topology.create_connectivity(0, mesh.topology.dim)  # compute_midpoints needs it (0.9)
    facets = facet_tags.indices[facet_tags.values == tag]
    facets = facets[facets < mesh.topology.index_map(fdim).size_local]
    vertices = mesh.topology.connectivity(fdim, 0).array.reshape(-1, 2)[facets]
    ends = compute_midpoints(mesh, 0, vertices.ravel().astype(np.int32))[:, :2]
    return ends.reshape(-1, 2, 2)


class InterfaceProfile:
    """Nodal damage of one interface (``cohesive.InterfaceHistory``) in order of arc length."""

    def __init__(self, name: str, tag: int, history, facet_tags):
        self.name, self._d = name, history.d
        space = history.d.function_space
        mesh, self.comm = space.mesh, space.mesh.comm
        owned = history.vertices[history.vertices < space.dofmap.index_map.size_local]
        self._dofs = owned
        points = gather_rows(self.comm, space.tabulate_dof_coordinates()[owned, :2])
        ends = gather_rows(self.comm, owned_facet_ends(mesh, facet_tags, tag))
        failure = None
        if self.comm.rank == 0:
            try:
                self._order_along(points, ends)
            except ValueError as error:
                failure = f"{name}: {error}"
        failure = self.comm.bcast(failure, root=0)  # every rank stops, none waits in a gather
        if failure:
            raise ValueError(failure)

    def _order_along(self, points: np.ndarray, ends: np.ndarray) -> None:
        """Vertex order from the outer end, the ordered points and their arc lengths (rank 0)."""
        shortest = np.min(np.linalg.norm(ends[:, 0] - ends[:, 1], axis=1))
        edges = match_points(ends.reshape(-1, 2), points, 1e-6 * shortest).reshape(-1, 2)
        self._order = chain_order(points, edges)
        self.points = points[self._order]
        self.arc = arc_lengths(self.points)

    def rows(self) -> list:
        """[name, s, r, z, d] per vertex in arc order on rank 0 ([] elsewhere); collective."""
        d = gather_rows(self.comm, self._d.x.array[self._dofs])
        if self.comm.rank != 0:
            return []
        d = d[self._order]
        return [[self.name, s, r, z, value] for s, (r, z), value in zip(self.arc, self.points, d)]


# ------------------------------------------------------------------ coating through its thickness
def coating_line(geometry, centre, count: int = COATING_LINE_POINTS):
    """(s, points): s ∈ [0, t] equally spaced and the points (R + s, z_c) on the equator of
    the particle centred at ``centre`` = (0, z_c) (``layout.particle_centre``)."""
    radius, thickness = geometry.particle_radius, geometry.coating.thickness
    s = np.linspace(0.0, thickness, count)
    points = np.column_stack([radius + s, np.full(count, centre[1])])
    return s, points


def nearest_values(points: np.ndarray, sample_x: np.ndarray, values: np.ndarray) -> np.ndarray:
    """(n, 2): distance to the nearest sample and its value, per point (inf, nan: no sample)."""
    if len(sample_x) == 0:
        return np.column_stack([np.full(len(points), np.inf), np.full(len(points), np.nan)])
    distance = np.linalg.norm(points[:, None, :] - sample_x[None, :, :], axis=2)
    nearest = np.argmin(distance, axis=1)
    return np.column_stack([distance[np.arange(len(points)), nearest], values[nearest]])


def coating_von_mises(comm, samples, points: np.ndarray):
    """σ_vM of the nearest coating quadrature point to each point over all ranks (rank 0;
    None elsewhere); ``samples``: ``mechanics.quadrature_samples()`` of the owned points."""
    coating = np.rint(samples.region).astype(int) == tags.COATING
    local = nearest_values(points, samples.x[coating], samples.von_mises[coating])
    candidates = comm.gather(local, root=0)
    if comm.rank != 0:
        return None
    stacked = np.stack(candidates)  # (ranks, points, 2)
    best = np.argmin(stacked[:, :, 0], axis=0)
    return stacked[best, np.arange(len(points)), 1]


# ------------------------------------------------------------------ files
@dataclass
class ProfileState:
    """One written state: its X [%] and its damage profile file (None without interfaces)."""

    expansion_percent: float
    damage_csv: Path | None


class ProfileWriter:
    """Writes both profiles of the current state of ``problem`` (a ``CoupledProblem``) into
    ``directory``; ``written`` lists the files relative to ``directory.parent`` (the run)."""

    def __init__(self, directory: Path, problem, facet_tags, place=None):
        """``place``: what ``place()`` returned in the run this one resumes."""
        self.directory, self.written, self.states = directory, [], []
        self._problem, self._labels = problem, Counter()
        if place is not None:
            self.written, self.states = list(place[0]), list(place[1])
            self._labels = Counter(place[2])
        interfaces = problem.mechanics.interfaces
        self._interfaces = [InterfaceProfile(name, tag, interfaces[tag].history, facet_tags)
                            for tag, name in problem.interfaces.items()]
        self._line = (coating_line(problem.case.geometry, problem.layout.particle_centre)
                      if problem.layout.has("coating") else None)

    def place(self) -> tuple:
        """The files and states written so far (a checkpoint's share of the profiles)."""
        return list(self.written), list(self.states), dict(self._labels)

    def write(self) -> None:
        """Both profiles of the current state (collective; rank 0 writes)."""
        expansion = self._problem.chemical_expansion()
        label = self._label(expansion)
        rows = [row for interface in self._interfaces for row in interface.rows()]
        damage = self._write(f"interface_damage_{label}.csv", DAMAGE_COLUMNS, rows) \
            if self._interfaces else None
        self.states.append(ProfileState(expansion, damage))
        if self._line is not None:
            s, points = self._line
            samples = self._problem.mechanics.quadrature_samples()
            stress = coating_von_mises(self._problem.comm, samples, points)
            rows = [] if stress is None else np.column_stack([s, stress, points]).tolist()
            self._write(f"coating_von_mises_{label}.csv", COATING_COLUMNS, rows)

    def _label(self, expansion: float) -> str:
        """state_label(X), with _2, _3, ... when that X was written before."""
        label = state_label(expansion)
        self._labels[label] += 1
        count = self._labels[label]
        return label if count == 1 else f"{label}_{count}"

    def _write(self, name: str, columns: list[str], rows: list) -> Path:
        path = self.directory / name
        self.written.append(f"{self.directory.name}/{name}")
        if self._problem.comm.rank == 0:
            self.directory.mkdir(parents=True, exist_ok=True)
            with path.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(columns)
                writer.writerows(rows)
        return path
