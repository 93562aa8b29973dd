"""The model geometry (``model``) and the kinematics on it, small or finite strain, by name."""

from nanoglue.kinematics.finite_strain import FiniteStrain
from nanoglue.kinematics.small_strain import SmallStrain

KINEMATICS = {"small": SmallStrain, "finite": FiniteStrain}
"""mechanics.kinematics name → class."""
