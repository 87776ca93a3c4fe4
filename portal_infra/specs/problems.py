"""A problem found in declared input, phrased for the person who has to fix it.

Every check in portal-infra reports problems this way, so `pulumi preview` can show the field
path, what is wrong with the value and how to fix it, before any request reaches Stripe.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

# Discriminator tags of tagged unions (see PriceRef), and pydantic's marker for a mapping's key (the
# key itself is the last part of the path): not part of the path a person wrote.
_TAGS = frozenset({"by-id", "by-lookup-key", "[key]"})


@dataclass(frozen=True)
class SpecProblem:
    path: str
    problem: str
    fix: str

    def __str__(self) -> str:
        return f"{self.path or '(top level)'}: {self.problem}; {self.fix}"


class SpecError(ValueError):
    """Raised when declared input is invalid; carries every problem, not just the first."""

    def __init__(self, problems: Sequence[SpecProblem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def join_path(loc: Iterable[str | int]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def problems_from_validation(
    err: ValidationError, model: type[BaseModel], prefix: str = ""
) -> list[SpecProblem]:
    """Turn pydantic's errors into SpecProblems with a fix a person can act on."""
    out: list[SpecProblem] = []
    for e in err.errors(include_url=False):
        loc = [p for p in e["loc"] if not (isinstance(p, str) and (p.startswith("function-") or p in _TAGS))]
        path = join_path([prefix, *loc] if prefix else loc)
        out.append(_phrase(path, e, _fields_at(model, loc[:-1])))
    return out


def _fields_at(model: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    """The field names of the model found at `loc`, for "did you mean" hints."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        field = current.model_fields.get(part)
        if field is None:
            return []
        current = _model_in(field.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _phrase(path: str, e: Any, allowed: list[str]) -> SpecProblem:
    kind: str = e["type"]
    ctx: dict[str, Any] = e.get("ctx") or {}
    value = e.get("input")
    if kind == "extra_forbidden":
        field = str(e["loc"][-1])
        close = difflib.get_close_matches(field, allowed, n=1)
        hint = f"did you mean '{close[0]}'?" if close else "remove it"
        return SpecProblem(path, f"unknown field '{field}'", hint + f" (known fields: {', '.join(allowed)})")
    if kind == "missing":
        return SpecProblem(path, "is required here", "add it")
    if kind == "string_too_long":
        n = ctx.get("max_length")
        return SpecProblem(path, f"is {len(str(value))} characters long, Stripe allows at most {n}",
                           f"shorten it to {n} characters or fewer")
    if kind == "string_too_short":
        return SpecProblem(path, "is empty", "give it a value, or leave the field out to unset it")
    if kind == "too_long":
        n = ctx.get("max_length")
        return SpecProblem(path, f"has {ctx.get('actual_length')} items, Stripe allows at most {n}",
                           f"keep at most {n}")
    if kind == "too_short":
        return SpecProblem(path, f"needs at least {ctx.get('min_length')} item(s)", "add one")
    if kind == "literal_error":
        return SpecProblem(path, f"{value!r} is not one of Stripe's values",
                           f"use one of {ctx.get('expected')}")
    if kind in ("bool_type", "bool_parsing"):
        return SpecProblem(path, f"{value!r} is not a boolean", "use true or false")
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return SpecProblem(path, f"{value!r} is not a whole number", "use a whole number")
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return SpecProblem(path, f"{value!r} is out of range ({e['msg'].lower()})", "pick a value in range")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return SpecProblem(path, f"expected a mapping of fields, got {type(value).__name__}",
                           "write it as an object (key: value lines)")
    if kind == "list_type":
        return SpecProblem(path, f"expected a list, got {type(value).__name__}", "write it as a list")
    if kind == "string_type":
        return SpecProblem(path, f"expected text, got {type(value).__name__}", "quote the value")
    if kind == "value_error":
        # Our own validators raise ValueError("problem; fix").
        msg = str(ctx.get("error", e["msg"]))
        problem, _, fix = msg.partition("; ")
        return SpecProblem(path, problem, fix or "correct the value")
    return SpecProblem(path, str(e["msg"]), "correct the value")
