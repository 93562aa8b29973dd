"""The gap a debonded particle opens, as ParaView shows it after Warp By Vector (docs/paraview.md).

    python docs/paraview_screenshot.py RUN_DIR [--snapshot N] [--out gap.png] [--view 40]

Reads RUN_DIR/fields.pvd with VTK's own readers (the ones ParaView uses), warps every region by
its own displacement ``u_nm`` and looks at the interface vertex that opened most, ``--view`` nm
across. The particle is coloured by its sodium concentration, the substrate and coating grey,
the interface (its mid-plane) red where debonded and black where still bonded. Prints the largest gap between
the two copies of an interface vertex, in nm and in pixels of the screenshot.
"""

import argparse
from pathlib import Path

import numpy as np
import pyvista

REGIONS = ("particle", "substrate", "coating")
SIZE = (1000, 800)  # screenshot [px]


def snapshot(run: Path, index: int) -> dict:
    """Snapshot ``index`` of the run (−1: the last) as {block name: one grid of all ranks}."""
    reader = pyvista.get_reader(str(run / "fields.pvd"))
    reader.set_active_time_value(reader.time_values[index])
    blocks = reader.read()[0]
    return {name: blocks[name].combine() for name in blocks.keys()}


def widest_gap(blocks: dict, interface: str = "particle_substrate"):
    """(gap [nm], where) at the interface vertex whose two copies are furthest apart after
    warping: |u_B − u_A| there, A and B the regions the interface's name joins."""
    first, second = interface.split("_")
    vertices = blocks[interface].points
    gaps = np.linalg.norm(displacement_at(blocks[second], vertices)
                          - displacement_at(blocks[first], vertices), axis=1)
    widest = int(np.argmax(gaps))
    return float(gaps[widest]), vertices[widest]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="a nanoglue run directory")
    parser.add_argument("--snapshot", type=int, default=-1, help="snapshot index (−1: last)")
    parser.add_argument("--out", type=Path, default=Path("gap.png"))
    parser.add_argument("--view", type=float, default=40.0, help="height of the view [nm]")
    args = parser.parse_args()

    blocks = snapshot(args.run, args.snapshot)
    gap, where = widest_gap(blocks)
    pyvista.OFF_SCREEN = True
    plotter = pyvista.Plotter(off_screen=True, window_size=SIZE)
    for name in REGIONS:
        if name in blocks:
            warped = blocks[name].warp_by_vector("u_nm")  # ParaView: Warp By Vector, u_nm
            if name == "particle":
                plotter.add_mesh(warped, scalars="c_fraction_of_Na15Sn4", clim=(0.0, 1.0),
                                 cmap="viridis", show_edges=True, edge_color="grey",
                                 scalar_bar_args={"title": "c (1 = Na15Sn4)"})
            else:
                plotter.add_mesh(warped, color="lightgrey", show_edges=True, edge_color="grey")
    # the interface's own u_nm is its mid-plane's: it is drawn in the middle of the gap
    plotter.add_mesh(blocks["particle_substrate"].warp_by_vector("u_nm"), scalars="debonded", clim=(0.0, 1.0),
                     cmap=["black", "red"], line_width=4, show_scalar_bar=False)
    plotter.camera_position = [(where[0], where[1], 1000.0), (where[0], where[1], 0.0), (0, 1, 0)]
    plotter.enable_parallel_projection()
    plotter.camera.parallel_scale = args.view / 2.0
    plotter.add_text(f"largest gap {gap:.2f} nm; view {args.view:g} nm high", font_size=10)
    plotter.screenshot(str(args.out))
    plotter.close()
    pixels = gap * SIZE[1] / args.view
    print(f"largest gap {gap:.6f} nm at r = {where[0]:.2f} nm, z = {where[1]:.2f} nm: "
          f"{pixels:.1f} px on {args.out}")


def displacement_at(grid, points: np.ndarray) -> np.ndarray:
    """``grid``'s u_nm at its points nearest to ``points`` (the interface vertices: the same
    coordinates in both regions' blocks, each block with its own copy)."""
    return grid.point_data["u_nm"][[np.argmin(np.linalg.norm(grid.points - x, axis=1))
                                    for x in points]]


if __name__ == "__main__":
    main()
