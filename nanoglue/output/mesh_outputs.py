"""What describes a built mesh: mesh.xdmf, tags.json, mesh.png and the mesh statistics.

Element quality is the radius ratio, 1 for the equilateral element and → 0 when degenerate:

    triangle     q = 2 r_in / r_circ = 16 A² / (a b c (a + b + c))
    tetrahedron  q = 3 r_in / r_circ,  r_in = 3 V / Σ A_faces,
                 r_circ = sqrt((aA + bB + cC)(aA + bB − cC)(aA − bB + cC)(−aA + bB + cC))
                          / (24 V),
                 (a, A), (b, B), (c, C) the lengths of the three pairs of opposite edges.

Every rank computes on its owned cells; the numbers are global.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from dolfinx import mesh as dmesh
from dolfinx.io import XDMFFile
from mpi4py import MPI

from nanoglue.fem import compat
from nanoglue.geometry import tags
from nanoglue.fem.mesh import MeshBundle
from nanoglue.geometry.sizing import WARN_RESOLUTION
from nanoglue.output.plots import plot_mesh_2d
from nanoglue.output.render import REGION_COLOURS, offscreen_plotter, offscreen_rendering_available

UNITS = {"length": "nm", "stress": "GPa", "time": "s"}
_VTK_SIMPLEX = {2: 5, 3: 10}  # topological dimension → VTK_TRIANGLE, VTK_TETRA


def write_mesh_outputs(bundle: MeshBundle, directory) -> dict:
    """Write mesh.xdmf, tags.json and mesh.png into ``directory``; return the mesh statistics."""
    comm = bundle.mesh.comm
    directory = Path(directory)
    if comm.rank == 0:
        directory.mkdir(parents=True, exist_ok=True)
    comm.barrier()
    write_xdmf(bundle, directory / "mesh.xdmf")
    stats = mesh_stats(bundle)
    if comm.rank == 0:
        (directory / "tags.json").write_text(json.dumps(tags_document(bundle), indent=2) + "\n")
    written = ([bundle.msh_path.name] if bundle.msh_path is not None else []) + ["mesh.xdmf",
                                                                                 "tags.json"]
    if bundle.gdim == 2 or offscreen_rendering_available():  # 2-D: matplotlib, no VTK needed
        render_png(bundle, directory / "mesh.png")
        written.append("mesh.png")
    else:
        stats["warnings"].append(
            "mesh.png skipped: no display and neither EGL (libegl1) nor OSMesa is installed "
            "for off-screen rendering"
        )
    stats["files"] = written  # names in ``directory``
    return stats


def write_xdmf(bundle: MeshBundle, path: Path) -> None:
    """Mesh, then cell tags ("regions") and facet tags ("facets"), in one XDMF file."""
    mesh = bundle.mesh
    tdim = mesh.topology.dim
    mesh.topology.create_connectivity(tdim - 1, tdim)
    with XDMFFile(mesh.comm, str(path), "w") as xdmf:
        xdmf.write_mesh(mesh)
        compat.write_meshtags(xdmf, bundle.cell_tags, mesh)
        compat.write_meshtags(xdmf, bundle.facet_tags, mesh)


def tags_document(bundle: MeshBundle) -> dict:
    """The tags.json content: units, model dimension and the present tags by kind."""
    document = {"units": UNITS, "gdim": bundle.gdim}
    kinds = {"regions": tags.REGIONS, "interfaces": tags.INTERFACES, "boundaries": tags.BOUNDARIES}
    for kind, group in kinds.items():
        document[kind] = {name: tag for name, tag in group.items() if name in bundle.tags}
    return document


# ------------------------------------------------------------------------------- statistics
def mesh_stats(bundle: MeshBundle) -> dict:
    """Global cell/vertex counts, radius-ratio quality, element size along each interface."""
    mesh = bundle.mesh
    comm, tdim = mesh.comm, mesh.topology.dim
    quality = _gather(comm, radius_ratio(_owned_cell_points(mesh)))
    summary = (float(quality.min()), float(np.median(quality))) if comm.rank == 0 else None
    q_min, q_median = comm.bcast(summary, root=0)
    interfaces = {name: _interface_stats(bundle, name) for name in bundle.cohesive_lengths}
    return {
        "gdim": bundle.gdim,
        "cells": mesh.topology.index_map(tdim).size_global,
        "vertices": mesh.topology.index_map(0).size_global,
        "quality_min": q_min,
        "quality_median": q_median,
        "interface_size": bundle.interface_size,
        "interfaces": interfaces,
        "build_seconds": bundle.build_seconds,
        "warnings": list(bundle.warnings) + _resolution_warnings(interfaces),
    }


def _resolution_warnings(interfaces: dict) -> list[str]:
    """The mesh as built (not as asked for) must resolve each cohesive zone: l_cz/h_max ≥ 3."""
    return [
        f"the {name} interface has elements up to {item['h_max']:.3g} nm, coarser than "
        f"l_cz/{WARN_RESOLUTION:g} = {item['l_cz'] / WARN_RESOLUTION:.3g} nm (l_cz/h = "
        f"{item['l_cz_over_h']:.2g}): refine geometry.mesh.interface_size before trusting debonding"
        for name, item in interfaces.items()
        if item["l_cz_over_h"] < WARN_RESOLUTION * (1.0 - 1e-9)
    ]


def _interface_stats(bundle: MeshBundle, name: str) -> dict:
    """Max and mean facet size h (longest edge) along an interface, and l_cz / h_max."""
    mesh, facet_tags = bundle.mesh, bundle.facet_tags
    fdim = mesh.topology.dim - 1
    owned = facet_tags.indices < mesh.topology.index_map(fdim).size_local
    facets = facet_tags.indices[owned & (facet_tags.values == tags.INTERFACES[name])]
    h = compat.entity_size(mesh, fdim, facets)
    comm = mesh.comm
    count = comm.allreduce(h.size, op=MPI.SUM)
    h_max = comm.allreduce(float(h.max(initial=0.0)), op=MPI.MAX)
    h_mean = comm.allreduce(float(h.sum()), op=MPI.SUM) / max(count, 1)
    l_cz = bundle.cohesive_lengths[name]
    return {
        "facets": count,
        "l_cz": l_cz,
        "h_max": h_max,
        "h_mean": h_mean,
        "l_cz_over_h": l_cz / h_max if h_max > 0 else float("inf"),
    }


def radius_ratio(points: np.ndarray) -> np.ndarray:
    """Radius ratio of simplices given as (cells, vertices, 3) coordinates: triangles or tets."""
    if points.shape[1] == 3:
        return _triangle_ratio(points)
    return _tetrahedron_ratio(points)


def _triangle_ratio(p: np.ndarray) -> np.ndarray:
    a, b, c = (_length(p, 1, 2), _length(p, 2, 0), _length(p, 0, 1))
    return 16.0 * _triangle_area(p) ** 2 / (a * b * c * (a + b + c))


def _tetrahedron_ratio(p: np.ndarray) -> np.ndarray:
    edges = np.cross(p[:, 2] - p[:, 0], p[:, 3] - p[:, 0])
    volume = np.abs(np.einsum("ij,ij->i", p[:, 1] - p[:, 0], edges)) / 6.0
    faces = sum(_triangle_area(p[:, list(f)]) for f in ((1, 2, 3), (0, 2, 3), (0, 1, 3), (0, 1, 2)))
    aa = _length(p, 0, 1) * _length(p, 2, 3)
    bb = _length(p, 0, 2) * _length(p, 1, 3)
    cc = _length(p, 0, 3) * _length(p, 1, 2)
    product = (aa + bb + cc) * (aa + bb - cc) * (aa - bb + cc) * (-aa + bb + cc)
    r_circ = np.sqrt(np.maximum(product, 0.0)) / (24.0 * volume)
    r_in = 3.0 * volume / faces
    return 3.0 * r_in / r_circ


def _length(p: np.ndarray, i: int, j: int) -> np.ndarray:
    return np.linalg.norm(p[:, i] - p[:, j], axis=1)


def _triangle_area(p: np.ndarray) -> np.ndarray:
    return 0.5 * np.linalg.norm(np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0]), axis=1)


def _owned_cell_points(mesh) -> np.ndarray:
    """Vertex coordinates of the owned cells, shape (cells, vertices per cell, 3)."""
    points, cells = _owned_vtk_arrays(mesh)
    return points[cells]


def _owned_vtk_arrays(mesh) -> tuple[np.ndarray, np.ndarray]:
    """This rank's points and the (owned cells, vertices) connectivity into them.

    Owned cells come first in DOLFINx's local numbering, ghosts after.
    """
    grid = compat.vtk_grid(mesh)
    n_owned = mesh.topology.index_map(mesh.topology.dim).size_local
    per_cell = mesh.topology.dim + 1
    cells = np.asarray(grid.cells).reshape(-1, per_cell + 1)[:n_owned, 1:]
    return np.asarray(grid.points), cells


def _gather(comm, values: np.ndarray):
    """Concatenation of every rank's ``values`` on rank 0 (None elsewhere)."""
    parts = comm.gather(values, root=0)
    return np.concatenate(parts) if comm.rank == 0 else None


# -------------------------------------------------------------------------------- rendering
def render_png(bundle: MeshBundle, path: Path) -> None:
    """Regions in distinct colours with element edges; rank 0 draws every rank's cells. 2-D:
    matplotlib, axes in nm and an inset on the contact rim (``plots.plot_mesh_2d``); 3-D: an
    off-screen VTK screenshot."""
    mesh = bundle.mesh
    points, cells = _owned_vtk_arrays(mesh)
    regions = np.zeros(cells.shape[0], dtype=np.int32)
    owned = bundle.cell_tags.indices < cells.shape[0]
    regions[bundle.cell_tags.indices[owned]] = bundle.cell_tags.values[owned]
    parts = mesh.comm.gather((points, cells, regions), root=0)
    rim = _gather(mesh.comm, _contact_midpoints(bundle))
    if mesh.comm.rank != 0:
        return
    all_points, all_cells, all_regions = _merged(parts)
    if bundle.gdim == 3:
        _render(_grid(all_points, all_cells, all_regions, _VTK_SIMPLEX[mesh.topology.dim]), path)
        return
    chosen = {name: np.flatnonzero(all_regions == tag) for name, tag in tags.REGIONS.items()}
    centre = rim[np.argmax(rim[:, 0])] if rim.size else None  # the outermost contact facet
    half = 8.0 * (bundle.interface_size or 1.0)
    plot_mesh_2d(all_points, all_cells, {k: v for k, v in chosen.items() if v.size},
                 REGION_COLOURS, centre, half, path)


def _contact_midpoints(bundle: MeshBundle) -> np.ndarray:
    """Midpoints of this rank's particle/substrate interface facets (none without one)."""
    tag = bundle.tags.get("particle_substrate")
    if tag is None:
        return np.zeros((0, 3))
    mesh, fdim = bundle.mesh, bundle.mesh.topology.dim - 1
    facets = bundle.facet_tags.find(tag)
    facets = facets[facets < mesh.topology.index_map(fdim).size_local]
    return dmesh.compute_midpoints(mesh, fdim, facets) if facets.size else np.zeros((0, 3))


def _merged(parts) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points, cells (into those points) and cell regions of every rank, from the per-rank
    (points, cells, regions) arrays."""
    offsets = np.cumsum([0] + [points.shape[0] for points, _, _ in parts[:-1]])
    cells = np.concatenate([c + offset for (_, c, _), offset in zip(parts, offsets)])
    return (np.concatenate([p for p, _, _ in parts]), cells,
            np.concatenate([r for _, _, r in parts]))


def _grid(points: np.ndarray, cells: np.ndarray, regions: np.ndarray, cell_type: int):
    """A pyvista grid of the cells, with their regions."""
    import pyvista

    legacy = np.hstack([np.full((cells.shape[0], 1), cells.shape[1]), cells]).ravel()
    types = np.full(cells.shape[0], cell_type, dtype=np.uint8)
    grid = pyvista.UnstructuredGrid(legacy, types, points)
    grid.cell_data["region"] = regions
    return grid


def _render(grid, path: Path) -> None:
    """Off-screen screenshot of a 3-D mesh: one colour per region, legend, seen from the
    symmetry-plane side (x, y < 0), where the crater and the coating show."""
    plotter = offscreen_plotter((1400, 1000))
    for name, tag in tags.REGIONS.items():
        selected = np.flatnonzero(grid.cell_data["region"] == tag)
        if selected.size:
            region = grid.extract_cells(selected)
            plotter.add_mesh(region, color=REGION_COLOURS[name], show_edges=True,
                             edge_color="black", line_width=0.5, label=name)
    plotter.add_legend(bcolor="white", face="rectangle")
    # the size in words: VTK's axes rulers and scalar bars abort (std::bad_alloc) in a process
    # that imported DOLFINx 0.5.2 first, as this one has; plain text renders
    spans = np.ptp(np.asarray(grid.points), axis=0)
    plotter.add_text(f"x {spans[0]:.0f} nm, y {spans[1]:.0f} nm, z {spans[2]:.0f} nm",
                     position="upper_left", font_size=12, color="black")
    plotter.view_vector((-1.0, -1.4, 0.8), viewup=(0.0, 0.0, 1.0))
    plotter.enable_parallel_projection()
    plotter.screenshot(str(path))
    plotter.close()


# --------------------------------------------------------------------------------- report
def format_mesh_report(stats: dict) -> str:
    """Human-readable summary of ``mesh_stats`` for the CLI."""
    lines = [
        f"mesh: {stats['cells']} cells, {stats['vertices']} vertices ({stats['gdim']}-D), "
        f"built in {stats['build_seconds']:.2f} s",
        f"quality (radius ratio, 1 = equilateral): min {stats['quality_min']:.3f}, "
        f"median {stats['quality_median']:.3f}",
    ]
    if stats["interface_size"] is not None:
        lines.append(f"interface element size asked for: h_i = {stats['interface_size']:.3g} nm "
                     "on the interface of shortest l_cz; as built, per interface:")
    for name, item in stats["interfaces"].items():
        lines.append(
            f"  {name:<20} l_cz {item['l_cz']:8.3g} nm   built h max {item['h_max']:6.3g} nm   "
            f"mean {item['h_mean']:6.3g} nm   l_cz/h {item['l_cz_over_h']:6.3g}"
        )
    lines += [f"warning: {text}" for text in stats["warnings"]]
    return "\n".join(lines)
