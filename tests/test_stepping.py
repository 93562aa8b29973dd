"""Step control: landmarks are hit exactly, steps adapt, failures cut back and finally stop."""

import pytest

from nanoglue.coupling.stepping import StepController, expansion_rate, landmarks


def test_expansion_rate_of_the_paper_c_over_5():
    # 420 % over a full charge of 5 h: 0.02333 %/s
    assert expansion_rate(4.2, 0.2) == pytest.approx(420.0 / (5 * 3600.0))


def test_landmarks_include_multiples_extras_and_stop():
    assert landmarks(12.0, 5.0, [1.6, 39.0]) == [1.6, 5.0, 10.0, 12.0]


def test_steps_land_on_every_landmark():
    control = StepController(first=0.2, smallest=1e-3, largest=2.0)
    marks, position, visited = landmarks(10.0, 5.0, [1.6]), 0.0, []
    while position < 10.0 - 1e-12:
        position += control.propose(position, marks)
        control.accepted(iterations=1)
        visited.append(round(position, 10))
    assert {1.6, 5.0, 10.0} <= set(visited)
    assert max(b - a for a, b in zip([0.0] + visited, visited)) <= 2.0 + 1e-12


def test_easy_steps_grow_hard_steps_shrink():
    control = StepController(first=0.2, smallest=1e-3, largest=2.0, target_iterations=6)
    control.accepted(5)
    assert control.size == pytest.approx(0.25)
    control.accepted(7)  # around the target: keep
    assert control.size == pytest.approx(0.25)
    control.accepted(10)
    assert control.size == pytest.approx(0.175)


def test_failures_cut_back_until_the_minimum():
    control = StepController(first=0.1, smallest=0.02, largest=2.0)
    assert control.rejected() and control.rejected()  # 0.05, 0.025
    assert not control.rejected()  # 0.0125 < 0.02: stop


def test_desodiation_steps_backwards():
    control = StepController(first=1.0, smallest=1e-3, largest=2.0)
    assert control.propose(10.0, [0.0, 9.5], direction=-1) == pytest.approx(0.5)
