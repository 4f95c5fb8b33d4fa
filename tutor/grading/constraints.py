"""What a code quiz asks of the expression itself, beyond its value (docs/lesson-format.md,
"Constraints on code answers"):

```yaml
constraints:
  forbid: [tok_emb()]         # names the expression must not use; `name()`: must not call it
  require: [data, stride]     # names the expression must use
  value: float                # the Python type its value must have
  vary: {D: [24, 8, 100]}     # evaluate it once per value of D, so a constant cannot pass
                              # (the answer too: the computed value is the list of values)
```

The names are read from the expression's syntax tree, never by running it.
"""

from __future__ import annotations

import ast
import keyword
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: The types `value` may ask for, and how the runner's encoding shows each (tutor.runner.values).
VALUE_TYPES = ("float", "int", "bool", "str", "list", "tuple", "tensor")
#: At most this many values of `vary` (each one runs the expression again).
MAX_VARIED = 8


@dataclass(frozen=True)
class Constraints:
    """A code quiz's constraints, parsed; empty when the quiz has none."""

    forbid: tuple[str, ...] = ()
    """Names the expression must not use; those ending in "()" only must not be called."""
    require: tuple[str, ...] = ()
    value: str | None = None
    vary: dict[str, tuple[Any, ...]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.forbid or self.require or self.value or self.vary)

    def expressions(self, expression: str) -> list[str]:
        """`expression` once per value of `vary` (`(lambda D: (expr))(24)`, then 8...), or
        just `expression`. Each is evaluated on its own; the values form one list."""
        if not self.vary:
            return [expression]
        names = ", ".join(self.vary)
        return [f"(lambda {names}: ({expression}\n))({', '.join(map(repr, values))})"
                for values in zip(*self.vary.values(), strict=True)]

    def settings(self) -> list[str]:
        """Each evaluation's values in words: "D = 24", "D = 8"..."""
        return [", ".join(f"{name} = {value!r}" for name, value in zip(self.vary, values,
                                                                        strict=True))
                for values in zip(*self.vary.values(), strict=True)]


def _names(key: str, value: object, *, calls: bool) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        raise ValueError(f"'{key}' must be a list of Python names")
    names = []
    for item in items:
        name = str(item).strip()
        bare = name.removesuffix("()") if calls else name
        if not isinstance(item, str) or not bare.isidentifier() or keyword.iskeyword(bare):
            raise ValueError(f"'{key}': {item!r} is not a Python name"
                             + (" (or a name followed by () to forbid calling it)"
                                if calls else ""))
        names.append(name)
    return tuple(names)


def parse_constraints(mapping: Mapping[str, object] | None) -> Constraints:
    """The quiz's `constraints` mapping; ValueError names what is wrong with it."""
    if not mapping:
        return Constraints()
    if not isinstance(mapping, Mapping):
        raise ValueError("'constraints' must be a mapping of forbid, require, value and vary")
    unknown = sorted(str(key) for key in set(mapping) - {"forbid", "require", "value", "vary"})
    if unknown:
        raise ValueError(f"unknown constraint(s) {unknown}; use forbid, require, value or vary")
    forbid = _names("forbid", mapping["forbid"], calls=True) if "forbid" in mapping else ()
    require = _names("require", mapping["require"], calls=False) if "require" in mapping else ()
    value = mapping.get("value")
    if value is not None and value not in VALUE_TYPES:
        raise ValueError(f"'value' must be one of {', '.join(VALUE_TYPES)}, not {value!r}")
    vary: dict[str, tuple[Any, ...]] = {}
    given = mapping.get("vary")
    if given is not None:
        if not isinstance(given, Mapping) or not given:
            raise ValueError("'vary' must map names to lists of values, e.g. {D: [24, 8]}")
        for name, values in given.items():
            if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
                raise ValueError(f"'vary': {name!r} is not a Python name")
            if not isinstance(values, list) or not 2 <= len(values) <= MAX_VARIED or not all(
                    _plain(v) for v in values):
                raise ValueError(f"'vary': {name} needs a list of 2 to {MAX_VARIED} numbers or "
                                 "strings")
            vary[name] = tuple(values)
        if len({len(values) for values in vary.values()}) != 1:
            raise ValueError("'vary': every name needs as many values")
    return Constraints(forbid, require, value if isinstance(value, str) else None, vary)


def _plain(value: object) -> bool:
    if isinstance(value, bool | str):
        return True
    return isinstance(value, int | float) and math.isfinite(value)


def as_mapping(constraints: Constraints) -> dict[str, Any] | None:
    """The plain data `parse_constraints` reads back (for the course cache); None if empty."""
    if not constraints:
        return None
    data: dict[str, Any] = {}
    if constraints.forbid:
        data["forbid"] = list(constraints.forbid)
    if constraints.require:
        data["require"] = list(constraints.require)
    if constraints.value:
        data["value"] = constraints.value
    if constraints.vary:
        data["vary"] = {name: list(values) for name, values in constraints.vary.items()}
    return data


@dataclass(frozen=True)
class Breach:
    """A name the expression uses against the constraints: `kind` is "calls", "uses" or
    "misses"."""

    kind: str
    name: str


def breaches(expression: str, constraints: Constraints) -> list[Breach]:
    """How `expression` goes against `forbid` and `require` (its syntax tree, never run)."""
    if not (constraints.forbid or constraints.require):
        return []
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    called = {_callee(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    found = []
    for name in constraints.forbid:
        if name.endswith("()"):
            if name[:-2] in called:
                found.append(Breach("calls", name[:-2]))
        elif name in used:
            found.append(Breach("uses", name))
    found += [Breach("misses", name) for name in constraints.require if name not in used]
    return found


def _callee(node: ast.AST) -> str | None:
    """The name a call is made on: `f` for `f(x)`, `f.forward(x)` and `f.__call__(x)`."""
    if isinstance(node, ast.Attribute) and node.attr in ("forward", "__call__"):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None
