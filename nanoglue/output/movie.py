"""A movie of a run from its snapshots (``nanoglue animate``), like the paper's Movies M8–M11.

One frame per snapshot of ``fields.pvd``, rendered off-screen (``output.render``): every region
warped by its own displacement times ``warp`` (1: true scale), so a debonded interface opens as
a gap; the particle coloured by its concentration (1 = Na₁₅Sn₄, the scale fixed over the run),
substrate and coating in their mesh.png colours; each cohesive interface drawn at its mid-plane,
black where bonded and red where debonded; the volume expansion, the direction and the time on
screen. An axisymmetric run is mirrored about its axis (the whole cross-section shows), a 3-D
one is seen from its symmetry planes' side with the particle half transparent (the contact
shows through). The camera is fixed: it frames the largest extent the particle (and its
coating) reaches in any frame, with the substrate around it.

The frames go into an animated GIF by Pillow (matplotlib's own dependency: nothing to install).
Nothing here imports DOLFINx: in a process that imported DOLFINx 0.5.2 (Debian 12) before VTK,
VTK aborts (std::bad_alloc) on the first colour-mapped render (not with 0.9 or 0.11; measured).
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from pathlib import Path

import numpy as np

from nanoglue.errors import CaseError
from nanoglue.output.render import REGION_COLOURS, offscreen_plotter

REGIONS = ("substrate", "coating", "particle")
INTERFACE_COLOURS = ["black", "red"]  # bonded, debonded
CONCENTRATION = "c_fraction_of_Na15Sn4"


def snapshot_files(run: Path) -> list[Path]:
    """The snapshot files ``run``/fields.pvd lists, in its order."""
    index = run / "fields.pvd"
    if not index.is_file():
        raise CaseError(str(run), "is not a run directory with snapshots (no fields.pvd)")
    try:
        sets = ElementTree.parse(index).getroot().iter("DataSet")
        files = [run / element.attrib["file"] for element in sets]
    except (ElementTree.ParseError, KeyError) as err:
        raise CaseError(str(index), f"is not a snapshot index ({err})") from None
    if not files:
        raise CaseError(str(index), "lists no snapshot")
    return files


def read_snapshot(path: Path) -> dict:
    """{block name: the grid of all ranks' pieces} of one snapshot's multiblock."""
    import pyvista

    blocks = pyvista.read(str(path))
    return {name: blocks[name].combine() for name in blocks.keys()}


def warped(blocks: dict, warp: float) -> dict:
    """Every block moved by ``warp`` × its u_nm (the interfaces by their mid-plane's); an
    axisymmetric (z = 0) model joined to its mirror image about the axis r = 0."""
    moved = {}
    for name, grid in blocks.items():
        if grid.n_points == 0 or "u_nm" not in grid.point_data:  # (interfaces before 0.1)
            continue
        grid = grid.warp_by_vector("u_nm", factor=warp)
        if np.all(grid.points[:, 2] == 0.0):
            grid = grid.merge(grid.reflect((1.0, 0.0, 0.0), point=(0.0, 0.0, 0.0)))
        moved[name] = grid
    return moved


def write_movie(run: Path, path: Path, warp: float = 1.0, fps: float = 6.0,
                size: tuple[int, int] = (960, 720), title: str = "") -> int:
    """The GIF of ``run`` at ``path``; returns its frame count (one per snapshot)."""
    from PIL import Image

    files = snapshot_files(run)
    extent = np.array([np.inf, -np.inf] * 3)
    for file in files:  # first pass: the camera frames the particle of every frame
        for name, grid in warped(read_snapshot(file), warp).items():
            if name == "substrate":
                continue
            bounds = np.array(grid.bounds)
            extent[0::2] = np.minimum(extent[0::2], bounds[0::2])
            extent[1::2] = np.maximum(extent[1::2], bounds[1::2])
    plotter = offscreen_plotter(size)
    frames, previous = [], None
    for number, file in enumerate(files):
        blocks = read_snapshot(file)
        data = next(iter(blocks.values())).field_data
        expansion, time = float(data["expansion_percent"][0]), float(data["time_s"][0])
        direction = ("" if previous is None or expansion == previous
                     else "sodiating" if expansion > previous else "desodiating")
        previous = expansion
        plotter.clear()
        _draw(plotter, warped(blocks, warp))
        plotter.add_text(f"{title}\nX = {expansion:.2f} % volume expansion  {direction}\n"
                         f"t = {time:.0f} s   frame {number + 1}/{len(files)}"
                         + (f"   displacements x {warp:g}" if warp != 1.0 else ""),
                         position="upper_left", font_size=10, color="black")
        _aim(plotter, extent, size)
        frames.append(Image.fromarray(plotter.screenshot(return_img=True)).quantize(256))
    plotter.close()
    frames[0].save(path, save_all=True, append_images=frames[1:], loop=0,
                   duration=int(round(1000.0 / fps)))
    return len(frames)


def _draw(plotter, grids: dict) -> None:
    solid = all(np.ptp(grid.points[:, 2]) > 0.0 for grid in grids.values())
    for name in REGIONS:
        if name not in grids:
            continue
        grid, style = grids[name], {"show_edges": False, "opacity": 1.0}
        if name == "particle":
            if solid:
                style["opacity"] = 0.5
            plotter.add_mesh(grid, scalars=CONCENTRATION, clim=(0.0, 1.0), cmap="viridis",
                             scalar_bar_args={"title": "c (1 = Na15Sn4)", "color": "black",
                                              "vertical": True, "position_x": 0.86,
                                              "position_y": 0.3, "height": 0.5},
                             **style)
        else:
            plotter.add_mesh(grid, color=REGION_COLOURS[name], **style)
    for name, grid in grids.items():
        if name not in REGIONS:
            plotter.add_mesh(grid, scalars="debonded", clim=(0.0, 1.0), cmap=INTERFACE_COLOURS,
                             line_width=4, show_scalar_bar=False)
    plotter.add_legend([["bonded", INTERFACE_COLOURS[0]], ["debonded", INTERFACE_COLOURS[1]]],
                       bcolor="white", face="rectangle", loc="lower left", size=(0.22, 0.1))


def _aim(plotter, extent: np.ndarray, size: tuple[int, int]) -> None:
    """The fixed camera: onto the r–z plane in 2-D, from the symmetry planes' side in 3-D."""
    centre = 0.5 * (extent[0::2] + extent[1::2])
    spans = extent[1::2] - extent[0::2]
    if spans[2] == 0.0:
        plotter.camera_position = [tuple(centre + (0.0, 0.0, 1.0)), tuple(centre), (0.0, 1.0, 0.0)]
        plotter.enable_parallel_projection()
        plotter.camera.parallel_scale = 0.7 * max(spans[1], spans[0] * size[1] / size[0])
    else:
        plotter.camera_position = [tuple(centre + (-1.0, -1.4, 0.8)), tuple(centre),
                                   (0.0, 0.0, 1.0)]
        plotter.enable_parallel_projection()
        plotter.reset_camera(bounds=extent)
    plotter.reset_camera_clipping_range()
