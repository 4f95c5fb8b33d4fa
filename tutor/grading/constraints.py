"""What a code quiz asks of the expression itself, beyond its value (docs/lesson-format.md,
"Constraints on code answers"):

```yaml
constraints:
  forbid: [tok_emb()]         # names the expression must not use (also as `x.name`);
                              # `name()`: must not call it
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
    """A name the expression uses against the constraints: `kind` is "calls", "uses",
    "passes" (hands a name it must not call on, where it may be called: `map(tok_emb, ids)`,
    `(f := tok_emb)(ids)`), "hides" (reaches names without writing them: `eval`, `globals()`)
    or "misses"."""

    kind: str
    name: str


#: Attributes that call a module or function without writing `name(...)`.
CALLING = frozenset({"forward", "__call__", "_call_impl", "_wrapped_call_impl"})
#: Methods of a module that hand the module itself on (`tok_emb.train()` is `tok_emb`), or an
#: iterator that holds it (`next(tok_emb.modules())`): calling one passes the module on.
HANDING_ON = frozenset({"train", "eval", "to", "to_empty", "float", "double", "half",
                        "bfloat16", "cpu", "cuda", "xpu", "type", "requires_grad_", "apply",
                        "_apply", "share_memory", "modules", "children", "named_modules",
                        "named_children", "get_submodule"})
#: What reaches a name without writing it, or runs code given as text: with these the syntax
#: tree no longer shows what an expression uses or calls, so a quiz that forbids a name
#: refuses them (as names, `eval(...)`, or attributes, `torch.__builtins__`).
HIDING = frozenset({"eval", "exec", "compile", "__import__", "globals", "locals", "vars",
                    "__builtins__", "__globals__", "__dict__", "f_globals", "f_locals",
                    "__getattribute__", "__getattr__", "breakpoint",
                    # every live object, or a frame's: the garbage collector, sys.modules
                    "get_objects", "get_referrers", "get_referents", "modules", "_getframe",
                    "currentframe", "f_back", "tb_frame", "gi_frame", "cr_frame"})


def breaches(expression: str, constraints: Constraints) -> list[Breach]:
    """How `expression` goes against `forbid` and `require` (its syntax tree, never run)."""
    if not (constraints.forbid or constraints.require):
        return []
    try:
        tree = ast.parse(expression.strip(), mode="eval")
        nodes = list(ast.walk(tree))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    used = {node.id for node in nodes if isinstance(node, ast.Name)}
    # A forbidden plain name is also forbidden as a method or attribute (`x.flatten(0, 1)`).
    attributes = {pair[1] for node in nodes if (pair := _attribute_name(node)) is not None}
    found = []
    for name in constraints.forbid:
        if name.endswith("()"):
            kind = _how_called(name[:-2], nodes)
            if kind:
                found.append(Breach(kind, name[:-2]))
        elif name in used or name in attributes:
            found.append(Breach("uses", name))
    if constraints.forbid:
        hidden = _hiding(nodes)
        if hidden:
            found.append(Breach("hides", hidden))
    found += [Breach("misses", name) for name in constraints.require if name not in used]
    return found


def _attribute_name(node: ast.AST) -> tuple[ast.AST, str] | None:
    """(object, attribute) for `obj.attr` and for `getattr(obj, "attr")`, else None."""
    if isinstance(node, ast.Attribute):
        return node.value, node.attr
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
            node.func.id == "getattr" and len(node.args) >= 2 and \
            isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str):
        return node.args[0], node.args[1].value
    return None


def _how_called(name: str, nodes: list[ast.AST]) -> str | None:
    """"calls" when the expression calls `name` (`name(x)`, `name.forward(x)`, or takes such
    a method to call later: `getattr(name, "forward")`), "passes" when it hands `name` itself
    on (an argument, a walrus, a list...), where it may be called; else None."""
    seen_as = {}  # id of each Name node of `name` -> how it is used
    for node in nodes:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id == name:
            return "calls"
        attribute = _attribute_name(node)
        if attribute is not None and isinstance(attribute[0], ast.Name) and \
                attribute[0].id == name:
            if attribute[1] in CALLING or attribute[1] in HIDING:
                return "calls"
            if attribute[1] in HANDING_ON:
                return "passes"
            seen_as[id(attribute[0])] = "attribute"
    bare = [node for node in nodes if isinstance(node, ast.Name) and node.id == name and
            id(node) not in seen_as]
    return "passes" if bare else None


def _hiding(nodes: list[ast.AST]) -> str | None:
    """The first name or attribute in `nodes` that hides what the expression uses (`eval`,
    `globals`, `getattr` with a computed name), else None."""
    for node in nodes:
        if isinstance(node, ast.Name) and node.id in HIDING:
            return node.id
        if isinstance(node, ast.Attribute) and node.attr in HIDING:
            return node.attr
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id == "getattr" and _attribute_name(node) is None:
            return "getattr"
    return None
