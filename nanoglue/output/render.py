"""Off-screen VTK rendering (pyvista): whether it can run here, and a plotter that does.

Used by the 3-D mesh.png (``mesh_outputs``) and the movie of a run (``movie``).
"""

from __future__ import annotations

import os
from ctypes.util import find_library

REGION_COLOURS = {"particle": "#d95f02", "substrate": "#a6a6a6", "coating": "#1b9e77"}


def offscreen_rendering_available() -> bool:
    """True when VTK can render: an X display, or an EGL or OSMesa library to render without one.

    Without any of them VTK crashes the whole process (segfault) instead of raising, so callers
    must ask first.
    """
    libraries = (find_library(name) for name in ("EGL", "OSMesa"))
    return bool(os.environ.get("DISPLAY")) or any(libraries)


def offscreen_plotter(size: tuple[int, int]):
    """A pyvista plotter of ``size`` [px] rendering off-screen, white background."""
    import pyvista
    from vtkmodules.vtkCommonCore import vtkLogger

    # without a display VTK warns "bad X server connection" before falling back to EGL/OSMesa
    vtkLogger.SetStderrVerbosity(vtkLogger.VERBOSITY_ERROR)
    pyvista.OFF_SCREEN = True
    plotter = pyvista.Plotter(off_screen=True, window_size=size)
    plotter.set_background("white")
    return plotter
