"""What a researcher opens after a run: the snapshots in ParaView (docs/paraview.md) and the movie
(`nanoglue animate`), on one coarse bare run sodiated through the contact to 4 %, by then 80 %
debonded along the arc with the rim open by ~9.5 nm (measured)."""

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from nanoglue.cli import app
from nanoglue.output.curves import read_curves
from nanoglue.output.render import offscreen_rendering_available
from tests.coarse_case import coarse_case

ROOT = Path(__file__).resolve().parents[1]
needs_rendering = pytest.mark.skipif(not offscreen_rendering_available(),
                                     reason="no display and no EGL/OSMesa for VTK")


@pytest.fixture(scope="module")
def debonded(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("debonded")
    case = coarse_case(tmp, "paper-bare-interface.yaml", 4.0, 1.0)
    out = tmp / "out"
    result = CliRunner().invoke(app, ["run", str(case), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _last_snapshot(run: Path) -> dict:
    import pyvista

    reader = pyvista.get_reader(str(run / "fields.pvd"))
    reader.set_active_time_value(reader.time_values[-1])
    blocks = reader.read()[0]
    return {name: blocks[name].combine() for name in blocks.keys()}


def _copy_of(grid, points: np.ndarray) -> np.ndarray:
    """Index of the point of ``grid`` at each of ``points`` (asserted to coincide)."""
    distances = np.linalg.norm(grid.points[None, :, :] - points[:, None, :], axis=2)
    nearest = np.argmin(distances, axis=1)
    assert np.all(distances[np.arange(points.shape[0]), nearest] < 1e-9)
    return nearest


def test_each_interface_vertex_has_a_copy_per_region_apart_by_the_jump(debonded):
    """At every vertex of the Sn/CNF interface the particle's and the substrate's copies are
    apart by the solver's jump: |u_CNF − u_Sn| = √(δn² + δt²), (δn, δt) the openings the
    cohesive law sees (written by the interface, not by the regions' blocks), to 1e-6 nm; the
    largest gap is the max opening curves.csv reports for that step; the interface block
    itself is warped to the middle of the gap."""
    blocks = _last_snapshot(debonded)
    assert {"particle", "substrate", "particle_substrate"} <= set(blocks)
    interface = blocks["particle_substrate"]
    vertices = interface.points
    u = {name: blocks[name].point_data["u_nm"][_copy_of(blocks[name], vertices)]
         for name in ("particle", "substrate")}
    gap = np.linalg.norm(u["substrate"] - u["particle"], axis=1)
    opening = np.hypot(interface.point_data["opening_normal_nm"],
                       interface.point_data["opening_sliding_nm"])
    assert np.max(np.abs(gap - opening)) < 1e-6
    assert np.max(np.abs(u["substrate"] - u["particle"] - interface.point_data["jump_nm"])) < 1e-6
    midplane = 0.5 * (u["substrate"] + u["particle"])  # where Warp By Vector draws it
    assert np.max(np.abs(interface.point_data["u_nm"] - midplane)) < 1e-6
    reported = read_curves(debonded / "curves.csv")["particle_substrate_max_opening_nm"][-1]
    assert reported > 5.0  # debonded and open: the check is not one of zeros
    assert gap.max() == pytest.approx(reported, abs=1e-6)
    debonded_fraction = json.loads((debonded / "summary.json").read_text())[
        "debonding"]["final"]["particle_substrate"]["debonded_arc_fraction"]
    flags = interface.point_data["debonded"]
    assert 0 < flags.sum() < flags.size and debonded_fraction > 0.5
    assert blocks["particle"].field_data["block"][0] == "particle"
    assert blocks["particle"].field_data["expansion_percent"][0] == pytest.approx(4.0)


@needs_rendering
def test_the_paraview_script_shows_the_particle_apart_from_the_substrate(debonded, tmp_path):
    """docs/paraview_screenshot.py (the docs' recipe) writes its screenshot and finds the
    reported opening between the warped copies, tens of pixels wide on it: visible."""
    shot = tmp_path / "gap.png"
    done = subprocess.run([sys.executable, str(ROOT / "docs" / "paraview_screenshot.py"),
                           str(debonded), "--out", str(shot)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    gap_nm, pixels = map(float, re.search(r"largest gap ([\d.]+) nm .*: ([\d.]+) px",
                                          done.stdout).groups())
    reported = read_curves(debonded / "curves.csv")["particle_substrate_max_opening_nm"][-1]
    assert gap_nm == pytest.approx(reported, abs=1e-5)
    assert pixels > 20.0
    from PIL import Image

    with Image.open(shot) as image:
        assert image.size == (1000, 800)


def _animate(*arguments: str) -> str:
    """``nanoglue animate`` in its own process, as a user runs it: VTK's colour maps abort
    (std::bad_alloc) in a process that imported DOLFINx 0.5.2 first, as this one has."""
    done = subprocess.run([sys.executable, "-m", "nanoglue.cli", "animate", *arguments],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _frames(path: Path) -> list[np.ndarray]:
    from PIL import Image

    with Image.open(path) as movie:
        frames = []
        for number in range(movie.n_frames):
            movie.seek(number)
            frames.append(np.asarray(movie.convert("RGB"), dtype=np.int16))
    return frames


@needs_rendering
def test_animate_writes_one_frame_per_snapshot_on_the_deformed_mesh(debonded, tmp_path):
    """One frame per fields.pvd entry, each unlike the one before; the particle's outline (the
    pixels neither background nor substrate, below the caption) moves between the first frame
    and the last, and does not with --warp 0 (the undeformed mesh: only edge shading changes
    with the colours): the movie shows the deformation, not only the colours."""
    entries = len(re.findall(r"<DataSet ", (debonded / "fields.pvd").read_text()))
    assert entries >= 10
    output = _animate(str(debonded), "-o", str(tmp_path / "movie.gif"))
    moving = _frames(tmp_path / "movie.gif")
    assert len(moving) == entries and f"{entries} frames" in output
    assert all(np.any(a != b) for a, b in zip(moving, moving[1:]))
    _animate(str(debonded), "-o", str(tmp_path / "still.gif"), "--warp", "0")
    still = _frames(tmp_path / "still.gif")
    moved = np.sum(_particle(moving[0]) != _particle(moving[-1]))  # pixels
    unmoved = np.sum(_particle(still[0]) != _particle(still[-1]))
    assert moved > 5000 and unmoved < 0.02 * moved  # measured 18 732 and 70 (edge shading)


def _particle(frame: np.ndarray) -> np.ndarray:
    """Pixels below the caption that are neither the white background nor the substrate's grey
    (the particle in any colour of its map, the interface lines, the legend and scale)."""
    body = frame[80:]
    background = np.all(body >= 250, axis=2)
    substrate = np.all(np.abs(body - 166) <= 3, axis=2)
    return ~(background | substrate)


@pytest.mark.parametrize("arguments, says", [
    (["{tmp}"], "no fields.pvd"),
    (["{run}", "-o", "{tmp}/movie.mp4"], "GIF"),
    (["{run}", "-o", "{tmp}/absent/movie.gif"], "no directory"),
])
def test_animate_refuses_what_it_cannot_do_with_exit_2(debonded, tmp_path, arguments, says):
    from tests.test_cli import _stderr

    filled = [a.format(tmp=tmp_path, run=debonded) for a in arguments]
    result = CliRunner().invoke(app, ["animate", *filled])
    assert result.exit_code == 2 and says in _stderr(result)
    assert list(tmp_path.iterdir()) == []
