"""A set of functions whose values can be copied and put back: the rollback of a refused step
(and the content of a checkpoint)."""

from __future__ import annotations

from typing import Sequence

import numpy as np


class StateSet:
    """``copy()`` the local arrays (ghosts included) of ``functions``; ``restore`` puts them back."""

    def __init__(self, functions: Sequence):
        self.functions = list(functions)

    def copy(self) -> list[np.ndarray]:
        return [f.x.array.copy() for f in self.functions]

    def restore(self, saved: Sequence[np.ndarray]) -> None:
        for function, values in zip(self.functions, saved):
            function.x.array[:] = values
