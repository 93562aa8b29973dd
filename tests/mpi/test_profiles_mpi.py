"""The profile CSVs on 2 (or 3) ranks equal the serial ones (run by `make test-mpi`)."""

import csv
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest
from mpi4py import MPI

from nanoglue.case_file import case_from_mapping
from nanoglue.fem.mesh import build_mesh
from nanoglue.output.profiles import ProfileWriter
from nanoglue.coupling.coupled import CoupledProblem
from nanoglue.coupling.run import run_steps
from tests.recording import Recording

pytestmark = pytest.mark.mpi

CASE = case_from_mapping({
    "geometry": {"particle_radius": 90.0, "crater_depth": 15.0,
                 "substrate": {"kind": "block", "radius": 300.0, "depth": 300.0},
                 "coating": {"thickness": 6.0},
                 "mesh": {"particle_size": 15.0, "far_size": 80.0}},
    "sodiation": {"route": "through-coating", "stop_expansion_percent": 2.0},
})


class ProfileRecording(Recording):
    """Recording that also writes the profiles at every snapshot."""

    def __init__(self, writer: ProfileWriter):
        super().__init__()
        self.writer = writer

    def snapshot(self, expansion, time):
        super().snapshot(expansion, time)
        self.writer.write()


def _profiles(comm, directory: Path) -> list[str]:
    """Run CASE on ``comm`` writing its profiles into ``directory``; the files written."""
    bundle = build_mesh(CASE, comm)
    problem = CoupledProblem(CASE, bundle)
    writer = ProfileWriter(directory, problem, bundle.facet_tags)
    record = ProfileRecording(writer)
    run_steps(problem, CASE, record, record)
    return writer.written


def _table(path: Path):
    """(columns, interface names or [], the numeric columns as an array) of a profile CSV."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    names = [row.pop("interface", "") for row in rows]
    return list(rows[0]), names, np.array([[float(v) for v in row.values()] for row in rows])


def test_parallel_profiles_equal_serial():
    world = MPI.COMM_WORLD
    assert world.size > 1, "run me under mpirun -n 2"
    root = Path(world.bcast(tempfile.mkdtemp() if world.rank == 0 else None, root=0))
    written = _profiles(world, root / "parallel" / "profiles")
    if world.rank == 0:
        serial = _profiles(MPI.COMM_SELF, root / "serial" / "profiles")
        assert written == serial and len(written) == 4  # damage + coating at 0 and 2 %
        for name in written:
            header, labels, values = _table(root / "parallel" / name)
            header_1, labels_1, values_1 = _table(root / "serial" / name)
            assert (header, labels) == (header_1, labels_1)
            assert values.shape == values_1.shape
            assert np.allclose(values, values_1, rtol=1e-6, atol=1e-6)
        shutil.rmtree(root)
    world.Barrier()
