"""What every section of the case schema shares: the strict base model and the positive length.

Lives below ``config`` and ``config_geometry`` so both can build on it (pyproject's import
layers).
"""

from __future__ import annotations

import typing
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator


MAX_MAGNITUDE = 1e50
"""The largest |number| a case may give, in its field's unit (nm, GPa, s, …): beyond anything
physical (the observable universe is ~1e35 nm), and small enough that the products the model
forms (volumes, energies, σ²/E) stay finite in double precision (1e308 overflowed in them)."""


class FieldRefusal(ValueError):
    """A value ``field`` cannot take, found by the section before its fields are parsed
    (``case_file`` names the field)."""

    def __init__(self, field: str, reason: str):
        super().__init__(reason)
        self.field = field


class BooleanForANumber(FieldRefusal):
    """A true/false given to ``field``, which takes none."""

    def __init__(self, field: str):
        super().__init__(field, "a yes/no (true/false, on/off) where a number or a name is "
                         "expected")


class BeyondAnyScale(FieldRefusal):
    """A number beyond MAX_MAGNITUDE given to ``field``."""

    def __init__(self, field: str, value: float):
        super().__init__(field, f"{value:g} is beyond any scale this model works at (|value| ≤ "
                         f"{MAX_MAGNITUDE:g} in the field's unit)")


class Section(BaseModel):
    """Base of every section: unknown keys are errors, every number is finite (no .inf, .nan)
    and within MAX_MAGNITUDE, a yes/no is no number (YAML reads true/false, yes/no, on/off as
    booleans, which pydantic would take as 1 and 0), and a validated section is frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _plain_numbers(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name, value in data.items():
                field = cls.model_fields.get(name)
                values = value if isinstance(value, (list, tuple)) else [value]
                if (field is not None and any(isinstance(v, bool) for v in values)
                        and not _admits_bool(field.annotation)):
                    raise BooleanForANumber(name)
        return data

    @model_validator(mode="after")
    def _within_scale(self):
        for name in type(self).model_fields:
            value = getattr(self, name)
            for number in value if isinstance(value, (list, tuple)) else [value]:
                if (isinstance(number, (int, float)) and not isinstance(number, bool)
                        and abs(number) > MAX_MAGNITUDE):
                    raise BeyondAnyScale(name, number)
        return self


Length = Annotated[float, Field(gt=0)]
"""A strictly positive number: a length [nm], a modulus [GPa], a rate or a time."""


def _admits_bool(annotation: Any) -> bool:
    """Whether a field of type ``annotation`` takes true/false (bool in it, at any depth)."""
    return annotation is bool or any(_admits_bool(a) for a in typing.get_args(annotation))
