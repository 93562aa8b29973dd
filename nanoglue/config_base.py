"""What every section of the case schema shares: the strict base model and the positive length.

Lives below ``config`` and ``config_geometry`` so both can build on it (pyproject's import
layers).
"""

from __future__ import annotations

import typing
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator


class BooleanForANumber(ValueError):
    """A true/false given to ``field``, which takes none (``case_file`` names the field)."""

    def __init__(self, field: str):
        super().__init__("a yes/no (true/false, on/off) where a number or a name is expected")
        self.field = field


class Section(BaseModel):
    """Base of every section: unknown keys are errors, every number is finite (no .inf, .nan),
    a yes/no is no number (YAML reads true/false, yes/no, on/off as booleans, which pydantic
    would take as 1 and 0), and a validated section is frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _no_boolean_for_a_number(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name, value in data.items():
                field = cls.model_fields.get(name)
                values = value if isinstance(value, (list, tuple)) else [value]
                if (field is not None and any(isinstance(v, bool) for v in values)
                        and not _admits_bool(field.annotation)):
                    raise BooleanForANumber(name)
        return data


Length = Annotated[float, Field(gt=0)]
"""A strictly positive number: a length [nm], a modulus [GPa], a rate or a time."""


def _admits_bool(annotation: Any) -> bool:
    """Whether a field of type ``annotation`` takes true/false (bool in it, at any depth)."""
    return annotation is bool or any(_admits_bool(a) for a in typing.get_args(annotation))
