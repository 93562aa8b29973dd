"""Read a YAML case file into a validated :class:`~nanoglue.config.Case`.

Every way a file can be wrong ends in one :class:`CaseError` naming the field (or the file) and
the reason; nothing is written anywhere while loading.
"""

from __future__ import annotations

import difflib
import re
import typing
from collections.abc import Hashable
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional

import yaml
from pydantic import BaseModel, ValidationError

from nanoglue.config_base import FieldRefusal
from nanoglue.config import Case
from nanoglue.errors import CaseError


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping (PyYAML silently keeps the last)
    and a list or mapping as a key."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, Hashable):
                raise yaml.constructor.ConstructorError(
                    None, None, f"a {type(key).__name__} as a key (a key is a name)",
                    key_node.start_mark)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key '{key}' appears twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


MAX_CASE_BYTES = 10**6


def read_case_mapping(path: Path) -> dict[str, Any]:
    """The YAML mapping in ``path``; a CaseError for a missing, unreadable or non-mapping file."""
    where = str(path)
    if not path.exists():
        raise CaseError(where, "file not found")
    if path.is_dir():
        raise CaseError(where, "is a directory, not a case file")
    if not path.is_file():
        raise CaseError(where, "is not a regular file (a device or a pipe?), not a case file")
    if path.stat().st_size > MAX_CASE_BYTES:
        raise CaseError(where, f"is {path.stat().st_size / 1e6:.3g} MB; a case file is a few kB "
                        f"(at most {MAX_CASE_BYTES // 10**6} MB)")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise CaseError(where, f"cannot be read ({err.__class__.__name__}: {err})") from None
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise CaseError(where, f"is not valid YAML{line}: {problem}") from None
    except RecursionError:
        raise CaseError(where, "nests deeper than can be read (a case is a few sections deep)"
                        ) from None
    if data is None:
        raise CaseError(where, "is empty; a case is a mapping with sections such as geometry:")
    if not isinstance(data, dict):
        raise CaseError(
            where,
            f"must be a mapping of sections (geometry:, materials:, ...), got a {type(data).__name__}",
        )
    return data


def case_from_mapping(data: Mapping[str, Any], default_name: str = "case") -> Case:
    """Validate a plain mapping; the first problem becomes a CaseError with its field path."""
    data = dict(data)
    data.setdefault("name", default_name)
    try:
        return Case.model_validate(data)
    except ValidationError as err:
        raise _case_error_from(err, data) from None


def load_case(path: str | Path, overrides: Optional[Mapping[str, Any]] = None) -> Case:
    """Load and validate a case file.

    ``overrides`` maps dotted keys to values (``{"geometry.coating.thickness": 10}``) applied on
    top of the file, as ``nanoglue sweep --set`` does. A relative ``geometry.mesh.file`` becomes
    absolute: against the case file's directory when the file gives it, against the working
    directory when an override does (so the case.yaml a run writes points at the same mesh).
    """
    path = Path(path)
    data = read_case_mapping(path)
    _anchor_mesh_file(data, path.parent)
    for dotted, value in (overrides or {}).items():
        _set_dotted(data, dotted, value)
    _anchor_mesh_file(data, Path.cwd())  # only an override's path is still relative here
    return case_from_mapping(data, default_name=path.stem)


def _anchor_mesh_file(data: dict[str, Any], base: Path) -> None:
    """A relative geometry.mesh.file (a string) → the absolute path of ``base``/file; anything
    else is left for validation to judge."""
    mesh = data.get("geometry")
    mesh = mesh.get("mesh") if isinstance(mesh, dict) else None
    given = mesh.get("file") if isinstance(mesh, dict) else None
    if isinstance(given, str) and not Path(given).is_absolute():
        mesh["file"] = str((base / given).resolve())


def _set_dotted(data: dict[str, Any], dotted: str, value: Any) -> None:
    """data[a][b]… = value for dotted = "a.b.…"; a section the file leaves out starts as its
    default (so ``sodiation.diffusivity.high`` keeps the default model's other fields)."""
    node, default = data, Case().model_dump()
    *parents, leaf = dotted.split(".")
    for key in parents:
        default = default.get(key) if isinstance(default, dict) else None
        child = node.get(key)
        if child is None:
            child = node[key] = dict(default) if isinstance(default, dict) else {}
        if not isinstance(child, dict):
            raise CaseError(dotted, f"'{key}' is not a section")
        node = child
    node[leaf] = value


def _case_error_from(err: ValidationError, data: Mapping[str, Any]) -> CaseError:
    """Turn pydantic's first error into one line: dotted path, reason, what was given."""
    first = err.errors(include_url=False)[0]
    reason = first["msg"]
    refusal = first.get("ctx", {}).get("error")
    if isinstance(refusal, FieldRefusal):  # raised by the section: name its field
        loc, reason = _yaml_path([*first["loc"], refusal.field], data), str(refusal)
    else:
        loc = _yaml_path(first["loc"], data)
    if first["type"] in ("union_tag_invalid", "union_tag_not_found"):  # the choosing key
        key = first["ctx"]["discriminator"].strip("'")
        loc = [*loc, key]
        reason = (f"{first['ctx']['tag']!r} is not one of {first['ctx']['expected_tags']}"
                  if first["type"] == "union_tag_invalid" else "required field is missing")
        first = {"type": first["type"]}
    path = ".".join(loc)
    if first["type"] == "extra_forbidden":
        reason = "unknown key" + _did_you_mean(loc[-1], _allowed_keys(loc[:-1]))
    elif first["type"] in ("missing",):
        reason = "required field is missing"
    elif "input" in first and not isinstance(first["input"], (dict, list)):
        reason += f" (got {first['input']!r})"
    more = err.error_count() - 1
    if more:
        reason += f" [+{more} more problem{'s' if more > 1 else ''}]"
    return CaseError(path, reason)


def _yaml_path(loc: Iterable[Any], data: Any) -> list[str]:
    """pydantic's error location as the user wrote it: union/discriminator tags are dropped.

    A part is kept when it is a key (or index) of the input at that depth, or the last part
    (a missing or unknown key).
    """
    parts = list(loc)
    path, node = [], data
    for i, part in enumerate(parts):
        if isinstance(node, Mapping) and part in node:
            path.append(str(part))
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            path.append(str(part))
            node = node[part]
        elif i == len(parts) - 1 or not isinstance(node, (Mapping, list)):
            if i == len(parts) - 1 and isinstance(node, Mapping):
                path.append(str(part))
            break
    return path


def _allowed_keys(parent_loc: Iterable[str]) -> list[str]:
    """Field names of the section at ``parent_loc`` (best effort, for the did-you-mean hint)."""
    model: Any = Case
    for key in parent_loc:
        fields = getattr(model, "model_fields", {})
        if key not in fields:
            return []
        annotation = fields[key].annotation
        candidates = [annotation, *getattr(annotation, "__args__", ())]
        model = next(
            (c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None
        )
        if model is None:
            return []
    return list(getattr(model, "model_fields", {}))


def _did_you_mean(key: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1)
    if close:
        return f" (did you mean '{close[0]}'?)"
    return f" (allowed: {', '.join(allowed)})" if allowed else ""


def case_to_yaml(case: Case) -> str:
    """The fully resolved case as YAML (every default filled in), loadable by :func:`load_case`."""
    return yaml.safe_dump(case.model_dump(mode="json"), sort_keys=False, allow_unicode=True)


def explain_case(case: Case) -> list[tuple[str, str, str]]:
    """(dotted field, value, description with its unit) of every field of ``case``: what
    ``nanoglue validate --explain`` prints."""
    rows = []

    def walk(section: BaseModel, prefix: str) -> None:
        for name, info in type(section).model_fields.items():
            value = getattr(section, name)
            if isinstance(value, BaseModel):
                walk(value, f"{prefix}{name}.")
            else:
                shown = yaml.safe_dump(_plain(value), default_flow_style=True).strip()
                rows.append((prefix + name, shown.removesuffix("...").strip(),
                             info.description or ""))

    walk(case, "")
    return rows


def _plain(value: Any) -> Any:
    """A field's value as YAML writes it (a path as a string)."""
    return str(value) if isinstance(value, Path) else value


def field_unit(dotted: str) -> str:
    """The unit of field ``dotted`` (``geometry.coating.thickness`` → 'nm'): the first [...] of
    its description, '' for none or a dimensionless [-]."""
    model, description = Case, ""
    for name in dotted.split("."):
        info = _field_of(model, name)
        if info is None:
            return ""
        description = info.description or ""
        model = info.annotation
    found = re.search(r"\[([^\]]+)\]", description)
    return "" if found is None or found.group(1) == "-" else found.group(1)


def _field_of(model: Any, name: str):
    """The FieldInfo of ``name`` in a section type (or in any member of a union of sections)."""
    for candidate in (model, *typing.get_args(model)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            if name in candidate.model_fields:
                return candidate.model_fields[name]
    return None
