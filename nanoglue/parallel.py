"""MPI helpers for the few places that must behave differently on rank 0 (printing, writing)."""

from mpi4py import MPI

COMM = MPI.COMM_WORLD


def is_root() -> bool:
    """True on the rank that prints and writes shared files."""
    return COMM.rank == 0


def barrier() -> None:
    """Wait for every rank (e.g. before rank 0 writes where others have just looked)."""
    COMM.Barrier()
