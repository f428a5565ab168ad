"""Load policy.yaml and report every problem at once, each with its line and a plain sentence."""

import difflib
import typing
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from steward.core.errors import Invalid
from steward.policy import checks, yamlmap
from steward.policy.schema import Policy

# Examples shown when a required setting is missing, so the fix is one copy away.
EXAMPLES = {
    "retention": "retention: {period: P2Y, trigger: created, action: delete}",
    "period": "period: P7Y",
    "trigger": "trigger: account_closure",
    "action": "action: delete",
    "lawful_basis": "lawful_basis: contract",
    "purposes": "purposes: [essential.service]",
    "deadline_days": "deadline_days: 30",
}


@dataclass(frozen=True, order=True)
class Problem:
    """An error stops the policy being used; a warning (`warning=True`) is only printed."""

    line: int
    message: str
    warning: bool = False

    def text(self, source: str) -> str:
        return f"{source}:{self.line}: {'warning: ' if self.warning else ''}{self.message}"


class PolicyInvalid(Invalid):
    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        errors = sum(not p.warning for p in problems)
        super().__init__(f"{source} has {errors} problem(s)")

    def lines(self) -> list[str]:
        return [p.text(self.source) for p in self.problems]


@dataclass(frozen=True)
class Checked:
    """A valid policy and the warnings about it."""

    policy: Policy
    source: str
    warnings: list[Problem]

    def lines(self) -> list[str]:
        return [p.text(self.source) for p in self.warnings]


def read_source(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyInvalid(str(path), [Problem(1, "The file does not exist.")]) from None
    except IsADirectoryError:
        raise PolicyInvalid(str(path), [Problem(1, "This is a folder, not a file.")]) from None
    except UnicodeDecodeError:
        problem = Problem(1, "The file is not UTF-8 text.")
        raise PolicyInvalid(str(path), [problem]) from None
    except OSError as error:
        problem = Problem(1, f"The file cannot be read ({error.strerror}).")
        raise PolicyInvalid(str(path), [problem]) from None


def load_policy(path: Path) -> Policy:
    return parse_policy(read_source(path), str(path))


def parse_policy(text: str, source: str = "policy.yaml") -> Policy:
    """The policy in `text`; raises PolicyInvalid when it has errors (warnings are ignored)."""
    return examine(text, source).policy


def examine(text: str, source: str = "policy.yaml") -> Checked:
    """The policy in `text` with its warnings; raises PolicyInvalid listing every error (and
    the warnings with them) when there is any."""
    try:
        checked = _examined(text)
    except PolicyInvalid as invalid:
        raise PolicyInvalid(source, invalid.problems) from None
    return replace(checked, source=source, warnings=list(checked.warnings))


@lru_cache(maxsize=8)
def _examined(text: str, source: str = "policy.yaml") -> Checked:
    # The same text is read by the app, each command and the worker of one process: parse it
    # once (a Policy is frozen; an invalid text raises and is not kept).
    try:
        located = yamlmap.load(text)
    except yamlmap.YamlError as error:
        raise PolicyInvalid(source, [Problem(error.line, error.message)]) from None
    problems = [Problem(line, message) for line, message in located.duplicates]
    if not isinstance(located.data, dict):
        problems.append(Problem(1, "The file should be a set of settings such as 'version: ...'."))
        raise PolicyInvalid(source, sorted(problems))

    policy: Policy | None = None
    try:
        policy = Policy.model_validate(located.data)
    except ValidationError as error:
        problems += [_explain(e, located) for e in error.errors(include_url=False)]
    partial = policy or _salvage(located.data)
    known = checks.Known.from_file(located.data)
    problems += [
        Problem(located.line_of(path), message) for path, message in checks.check(partial, known)
    ]
    warnings = sorted(
        {
            Problem(located.line_of(path), message, warning=True)
            for path, message in checks.advise(partial, known, complete=policy is not None)
        }
    )
    if problems or policy is None:
        raise PolicyInvalid(source, sorted(set(problems) | set(warnings)))
    return Checked(policy, source, warnings)


def _salvage(data: dict[str, Any]) -> Policy:
    """A policy of every section and entry that is valid, so cross-references still get checked."""
    values: dict[str, Any] = {}
    for name, info in Policy.model_fields.items():
        raw = data.get(name)
        if raw is None and not info.is_required():
            values[name] = info.get_default(call_default_factory=True)
            continue
        entry = _entry_model(info.annotation)
        if entry is not None:
            valid = {k: _valid(entry, v) for k, v in raw.items()} if isinstance(raw, dict) else {}
            values[name] = {k: v for k, v in valid.items() if v is not None}
            continue
        try:
            values[name] = TypeAdapter[Any](typing.cast(Any, info.annotation)).validate_python(raw)
        except ValidationError:
            values[name] = [] if typing.get_origin(info.annotation) is list else None
    return Policy.model_construct(**values)


def _entry_model(annotation: Any) -> type[BaseModel] | None:
    if typing.get_origin(annotation) is dict:
        value_type = typing.get_args(annotation)[1]
        if isinstance(value_type, type) and issubclass(value_type, BaseModel):
            return value_type
    return None


def _valid(model: type[BaseModel], value: Any) -> BaseModel | None:
    try:
        return model.model_validate(value)
    except ValidationError:
        return None


def _explain(error: ErrorDetails, located: yamlmap.Located) -> Problem:
    loc = tuple(error["loc"])
    key_error = "[key]" in loc
    path = tuple(p for p in loc if p != "[key]")
    line = located.line_of(path)
    where = _where(path[:-1])
    name = _where(path[-1:]) if path else ""
    kind = error["type"]
    value = error.get("input")

    if kind == "missing":
        hint = f" For example: {EXAMPLES[name]}" if name in EXAMPLES else ""
        return Problem(line, f"'{name}' is missing in {where}.{hint}")
    if kind == "extra_forbidden":
        known = _known_keys(path[:-1])
        close = difflib.get_close_matches(name, known, n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        return Problem(line, f"'{name}' is not a known setting in {where}.{hint}")
    if kind == "literal_error":
        allowed = error.get("ctx", {}).get("expected", "")
        what = (
            f"'{value}' is not allowed as a name in {where}"
            if key_error
            else (f"'{value}' is not a valid value for '{name}' in {where}")
        )
        return Problem(line, f"{what}; use one of {allowed}.")
    if kind == "string_pattern_mismatch":
        return Problem(line, f"{_describe_pattern(value, name, where, key_error)}")
    if kind in ("string_type", "int_parsing", "int_type", "bool_parsing", "bool_type"):
        expected = {
            "string_type": "text (put it in quotes)",
            "bool_parsing": "true or false",
            "bool_type": "true or false",
        }.get(kind, "a whole number")
        return Problem(line, f"'{name}' in {where} should be {expected}, not '{value}'.")
    if kind in ("date_parsing", "date_from_datetime_parsing", "date_type"):
        return Problem(line, f"'{name}' in {where} should be a date like 2026-01-31.")
    if kind in ("list_type", "dict_type", "model_type", "model_attributes_type"):
        shape = "a list" if kind == "list_type" else "a set of settings"
        return Problem(line, f"'{name}' in {where} should be {shape}.")
    if kind == "too_short":
        return Problem(line, f"'{name}' in {where} is empty; it needs at least one entry.")
    if kind == "value_error":
        message = str(error.get("ctx", {}).get("error", error["msg"])).rstrip(".")
        return Problem(line, f"In {_where(path)}: {message}.")
    return Problem(line, f"'{name}' in {where}: {error['msg']}.")


def _where(path: tuple[Any, ...]) -> str:
    """A path in words: entries of a list are counted from 1 as people count."""
    parts = [f"entry {p + 1}" if isinstance(p, int) else str(p) for p in path]
    return " > ".join(parts) or "the top level"


def _describe_pattern(value: Any, name: str, where: str, key_error: bool) -> str:
    if "email" in name or name == "privacy_contact":
        return f"'{value}' in {where} is not an email address."
    subject = f"the name '{value}'" if key_error else f"'{value}'"
    return f"{subject} in {where} should be a dotted key in lower case, such as user.contact.email."


def _known_keys(path: tuple[Any, ...]) -> list[str]:
    """The setting names allowed at `path`, for 'did you mean' hints."""
    model: Any = Policy
    for part in path:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return []
        info = model.model_fields.get(str(part))
        if info is None:  # a key of a dict of entries, e.g. a category's name
            continue
        model = _unwrap(info.annotation)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    """The model inside Optional[...], list[...] or dict[..., ...], if any."""
    for arg in (annotation, *typing.get_args(annotation)):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
        for inner in typing.get_args(arg):
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                return inner
    return None
