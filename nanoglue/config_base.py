"""What every section of the case schema shares: the strict base model and the positive length.

Lives below ``config`` and ``config_geometry`` so both can build on it (pyproject's import
layers).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class Section(BaseModel):
    """Base of every section: unknown keys are errors, and a validated section is frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


Length = Annotated[float, Field(gt=0)]
"""A strictly positive number: a length [nm], a modulus [GPa], a rate or a time."""
