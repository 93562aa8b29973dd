"""Adaptive steps in volume expansion, never stepping over a requested state.

The loading parameter is the particle's chemical volume expansion X = 100·β·mean(c) [%]. Under
galvanostatic (dis)charge it is linear in time, dX/dt = ±100·β·(C-rate)/3600 s, so a step ΔX is
a time step Δt = ΔX / |dX/dt|.

Step size control: grow by ``growth`` after an easy step (Newton iterations below the target),
shrink by ``shrink`` after a hard one (more than target + 2), halve after a failed one and retry
from the last accepted state; below ``smallest`` the run stops cleanly. Steps are clipped so that every
landmark (snapshot requests, the stop value) is hit exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable


def expansion_rate(expansion_coefficient: float, c_rate: float) -> float:
    """|dX/dt| [%/s] = 100·β·(C-rate [1/h])/3600."""
    return 100.0 * expansion_coefficient * c_rate / 3600.0


def landmarks(stop: float, every: float, extra: Iterable[float] = ()) -> list[float]:
    """Sorted expansions [%] a run must land on: multiples of ``every`` up to ``stop``, extras."""
    count = int(stop // every)
    marks = {round(every * k, 12) for k in range(1, count + 1)} | set(extra) | {stop}
    return sorted(m for m in marks if 0.0 < m <= stop)


@dataclass
class StepController:
    """Proposes the next expansion step and adapts it to the solver's effort."""

    first: float
    smallest: float
    largest: float
    target_iterations: int = 6
    growth: float = 1.25
    shrink: float = 0.7
    cut: float = 0.5
    size: float = field(init=False)

    def __post_init__(self) -> None:
        if not 0.0 < self.smallest <= self.first <= self.largest:
            raise ValueError("need 0 < smallest ≤ first ≤ largest step")
        self.size = self.first

    def propose(self, position: float, marks: Iterable[float], direction: int = 1) -> float:
        """Next step length (> 0) from ``position`` towards the next landmark in ``direction``."""
        ahead = [direction * (m - position) for m in marks if direction * (m - position) > 1e-12]
        return min([self.size, *ahead])

    def accepted(self, iterations: int) -> None:
        """Adapt after a converged step that took ``iterations`` Newton iterations (Jacobian
        factorisations when the solver reuses some: cheap corrections do not count)."""
        if iterations < self.target_iterations:
            self.size = min(self.size * self.growth, self.largest)
        elif iterations > self.target_iterations + 2:
            self.size = max(self.size * self.shrink, self.smallest)

    def rejected(self) -> bool:
        """Cut back after a failed step; False when the step would fall below ``smallest``."""
        self.size *= self.cut
        return self.size >= self.smallest
