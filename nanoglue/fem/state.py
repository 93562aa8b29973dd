"""Copies of a problem's state: a set of functions whose values can be copied and put back (the
rollback of a refused step, and the content of a checkpoint), and the state at the last accepted
step as UFL (the start of a step's energy increments)."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import ufl
from dolfinx import fem
from petsc4py import PETSc


class StateSet:
    """``copy()`` the local arrays (ghosts included) of ``functions``; ``restore`` puts them back."""

    def __init__(self, functions: Sequence):
        self.functions = list(functions)

    def copy(self) -> list[np.ndarray]:
        return [f.x.array.copy() for f in self.functions]

    def restore(self, saved: Sequence[np.ndarray]) -> None:
        for function, values in zip(self.functions, saved):
            function.x.array[:] = values


class PreviousState:
    """The functions and constants of a problem as they were at its last accepted step.

    ``previous(expr)`` is ``expr`` with every one of them replaced by its copy (``ufl.replace``),
    so a quantity written once for "now" also gives its value "before" — the two ends of a
    step's trapezoidal increments; ``remember()`` copies now into before (after accepting)."""

    def __init__(self, mesh, functions: Sequence, constants: Sequence = ()):
        self._functions = [(f, fem.Function(f.function_space)) for f in functions]
        self._constants = [(c, fem.Constant(mesh, PETSc.ScalarType(c.value))) for c in constants]
        self._mapping = dict(self._functions + self._constants)
        self.remember()

    def previous(self, expr):
        """``expr`` at the remembered state."""
        return ufl.replace(expr, self._mapping)

    def remember(self) -> None:
        """The current values become the remembered ones."""
        for now, before in self._functions:
            before.x.array[:] = now.x.array
        for now, before in self._constants:
            before.value = now.value
