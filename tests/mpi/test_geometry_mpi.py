"""The distributed mesh measures the same geometry as the serial one (run under mpirun -n 2).

Exact values (derived in tests/geometry/test_axisymmetric.py): particle 4/3 πR³, contact cap
2πRd, exposed cap 2πR(2R − d), coating π E² t + V_cap(R + t, R + z_c) − V_cap(R, R + z_c).
"""

import math
from pathlib import Path

import pytest
from mpi4py import MPI

from nanoglue.case_file import case_from_mapping
from nanoglue.errors import CaseError
from nanoglue.geometry import tags
from nanoglue.fem.mesh import build_mesh
from nanoglue.output.mesh_outputs import write_mesh_outputs
from nanoglue.output.render import offscreen_rendering_available
from tests.geometry.measure import boundary_area, interface_area, tag_counts, volume

pytestmark = pytest.mark.mpi

R, D, RS, T = 90.0, 15.0, 300.0, 6.0
COATED = {"geometry": {"coating": {"thickness": T}}, "sodiation": {"route": "through-coating"}}


def cap_volume(rho: float, h: float) -> float:
    return math.pi * h**2 * (3.0 * rho - h) / 3.0


def totals(bundle) -> dict[str, float]:
    return {
        "particle": volume(bundle, tags.PARTICLE),
        "coating": volume(bundle, tags.COATING),
        "particle_substrate": interface_area(bundle, tags.PARTICLE_SUBSTRATE),
        "particle_coating": interface_area(bundle, tags.PARTICLE_COATING),
        "coating_surface": boundary_area(bundle, tags.COATING_SURFACE),
    }


@pytest.fixture(scope="module")
def distributed():
    assert MPI.COMM_WORLD.size >= 2, "run me under mpirun -n 2"
    return build_mesh(case_from_mapping(COATED), comm=MPI.COMM_WORLD)


def test_totals_equal_the_exact_values(distributed):
    zc = R - D
    exact = {
        "particle": 4.0 / 3.0 * math.pi * R**3,
        "coating": math.pi * RS**2 * T + cap_volume(R + T, R + zc) - cap_volume(R, R + zc),
        "particle_substrate": 2 * math.pi * R * D,
        "particle_coating": 2 * math.pi * R * (2 * R - D),
    }
    measured = totals(distributed)
    for name, value in exact.items():
        assert measured[name] == pytest.approx(value, rel=5e-3), name


def test_totals_equal_the_serial_mesh(distributed):
    serial = build_mesh(case_from_mapping(COATED), comm=MPI.COMM_SELF)
    assert totals(distributed) == pytest.approx(totals(serial), rel=1e-10)
    cells = serial.mesh.topology.index_map(2).size_global
    assert distributed.mesh.topology.index_map(2).size_global == cells
    assert set(tag_counts(distributed)) == set(tag_counts(serial)) == set(distributed.tags.values())


def test_every_rank_owns_cells_and_outputs_work(distributed, tmp_path):
    comm = MPI.COMM_WORLD
    assert comm.allreduce(distributed.mesh.topology.index_map(2).size_local, op=MPI.MIN) > 0
    directory = Path(comm.bcast(str(tmp_path), root=0)) / "mesh"
    stats = write_mesh_outputs(distributed, directory)
    assert stats["cells"] == distributed.mesh.topology.index_map(2).size_global
    assert stats["interfaces"]["particle_coating"]["facets"] > 0
    if comm.rank == 0 and offscreen_rendering_available():
        assert (directory / "mesh.png").stat().st_size > 0


def test_a_mesh_file_is_read_on_rank_0_and_distributed_or_refused_on_every_rank(tmp_path):
    """The .msh written while meshing comes back as the same distributed mesh; a file that does
    not fit the case (a coated mesh for a bare case) is the same CaseError on every rank."""
    comm = MPI.COMM_WORLD
    msh = Path(comm.bcast(str(tmp_path), root=0)) / "coated.msh"
    written = build_mesh(case_from_mapping(COATED), comm=comm, msh_path=msh)
    on_file = {**COATED, "geometry": {**COATED["geometry"], "mesh": {"file": str(msh)}}}
    read = build_mesh(case_from_mapping(on_file), comm=comm)
    assert totals(read) == pytest.approx(totals(written), rel=1e-12)
    cells = [b.mesh.topology.index_map(2).size_global for b in (read, written)]
    assert cells[0] == cells[1]
    with pytest.raises(CaseError) as refused:
        build_mesh(case_from_mapping({"geometry": {"mesh": {"file": str(msh)}}}), comm=comm)
    assert refused.value.path == "geometry.mesh.file"
    assert "has no physical group 'particle_surface'" in refused.value.reason  # coated over
