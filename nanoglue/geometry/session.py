"""One Gmsh session per mesh build, opened and closed in one place."""

import signal
from contextlib import contextmanager
from typing import Iterator

import gmsh


@contextmanager
def gmsh_model(name: str, verbosity: int = 0) -> Iterator[object]:
    """Initialise Gmsh, add an empty model called ``name`` and yield ``gmsh.model``.

    Gmsh is finalised on exit, also after an error, so a failed build leaves no state behind —
    the SIGINT handler included: gmsh.py (4.8) puts back the one of its import time on
    finalize, which would drop the handler of a run that stops cleanly on SIGINT
    (``interrupt``). ``verbosity`` is Gmsh's General.Verbosity (0: silent, 2: warnings, 5:
    everything).
    """
    sigint = signal.getsignal(signal.SIGINT)
    gmsh.initialize([])
    try:
        gmsh.option.setNumber("General.Terminal", 1 if verbosity > 0 else 0)
        gmsh.option.setNumber("General.Verbosity", verbosity)
        gmsh.model.add(name)
        yield gmsh.model
    finally:
        gmsh.finalize()
        signal.signal(signal.SIGINT, sigint)


def gmsh_version() -> str:
    """The Gmsh library's own version (e.g. 4.8.4; its Python API calls itself 4.8.0)."""
    with gmsh_model("version"):
        return gmsh.option.getString("General.Version")
