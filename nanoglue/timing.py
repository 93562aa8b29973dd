"""Wall time per kind of work, for the summary's time split and the benchmark.

``STOPWATCH.section("assembly")`` around a piece of work adds its wall time (and one count) to
that kind. Kinds used: ``assembly`` (matrices, vectors, active-dof submatrices),
``factorization`` (LU of the mechanics Jacobian), ``linear_solve`` (KSP solves: substitutions,
and the transport's factorisation), ``constitutive`` (return mapping and damage
updates at quadrature points / interface vertices). Everything else of a run is "other".
"""

from __future__ import annotations

import time
from collections import defaultdict
from contextlib import contextmanager
from typing import Iterator


class Stopwatch:
    """Accumulated seconds and counts per kind of work (this process)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.counts: dict[str, int] = defaultdict(int)

    @contextmanager
    def section(self, kind: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[kind] += time.perf_counter() - start
            self.counts[kind] += 1

    def reset(self) -> None:
        self.seconds.clear()
        self.counts.clear()

    def split(self, wall_seconds: float) -> dict:
        """{kind: {"seconds", "count"}} plus "other" = wall − the kinds, for the summary."""
        split = {kind: {"seconds": self.seconds[kind], "count": self.counts[kind]}
                 for kind in sorted(self.seconds)}
        split["other"] = {"seconds": wall_seconds - sum(self.seconds.values()), "count": None}
        return split


STOPWATCH = Stopwatch()
