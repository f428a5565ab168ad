"""docs/policy-file.md documents every setting of the schema."""

import re
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from steward.policy.schema import Policy

DOC = Path(__file__).resolve().parents[2] / "docs" / "policy-file.md"


def _model_in(annotation: Any) -> tuple[type[BaseModel], str] | None:
    """The model an annotation holds, and the path suffix: '' direct, '.<key>' dict, '[]' list."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, ""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is dict:
        found = _model_in(args[1])
        return (found[0], ".<key>") if found else None
    if origin is list:
        found = _model_in(args[0])
        return (found[0], "[]") if found else None
    for arg in args:  # Optional[...] and other unions
        found = _model_in(arg)
        if found:
            return found
    return None


def schema_sections(
    model: type[BaseModel] = Policy, path: str = "top level"
) -> Iterator[tuple[str, list[str]]]:
    yield path, list(model.model_fields)
    for name, info in model.model_fields.items():
        found = _model_in(info.annotation)
        if found:
            inner, suffix = found
            child = name if path == "top level" else f"{path}.{name}"
            yield from schema_sections(inner, child + suffix)


def documented_sections() -> dict[str, set[str]]:
    sections: dict[str, set[str]] = {}
    current: set[str] | None = None
    for line in DOC.read_text().splitlines():
        heading = re.match(r"^#{2,4} `(.+)`\s*$", line)
        if heading:
            current = sections.setdefault(heading.group(1), set())
        row = re.match(r"^\| `([a-z_]+)` \|", line)
        if row and current is not None:
            current.add(row.group(1))
    return sections


def test_every_schema_setting_is_documented_in_its_section():
    documented = documented_sections()
    missing = [
        f"{path}: {field}"
        for path, fields in schema_sections()
        for field in fields
        if field not in documented.get(path, set())
    ]
    assert not missing, "docs/policy-file.md does not document: " + ", ".join(missing)


def test_the_documentation_names_no_setting_the_schema_lacks():
    known = dict(schema_sections())
    stale = [
        f"{path}: {field}"
        for path, fields in documented_sections().items()
        for field in fields
        if field not in known.get(path, [])
    ]
    assert not stale, "docs/policy-file.md documents settings that do not exist: " + ", ".join(
        stale
    )
