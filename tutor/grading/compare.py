"""Compare a value computed by the learner's code with the reference value (both plain data).

The rules (docs/grading.md, "code"): a Python number and a one-element tensor of the same value
are the same answer; so are a list of numbers and a tensor of the same values and shape, unless
the computed tensor has a dtype a list cannot stand for. Floating values are compared relative
to the size of the values compared, never with an absolute floor that swallows small tensors.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from tutor.i18n import N_, _
from tutor.runner.wire import is_repr, is_tensor

from .closeness import Bounds, common_factor, real, scale_of
from .dtype_names import canonical, display, is_exact
from .expected import ExpectedTensor, ExpectedValueError, as_tensor
from .numbers import off_by, show
from .shapes import format_shape
from .tensors import TypedTensor, parse_tensor
from .tolerance import Tolerance, parse_tolerance
from .verdict import Verdict

#: The dtypes `torch.tensor(values)` gives plain Python values: what a list can stand for.
DEFAULT_DTYPES = {"float32", "int64", "bool"}


#: What a value is, by key: with its article ("a tensor"), and alone ("tensor").
_TYPE_NAMES = {
    "tensor": (N_("a tensor"), N_("tensor")), "object": (N_("a Python object"), N_("object")),
    "bool": (N_("a bool"), N_("bool")), "integer": (N_("an integer"), N_("integer")),
    "float": (N_("a float"), N_("float")), "string": (N_("a string"), N_("string")),
    "list": (N_("a list"), N_("list")), "tuple": (N_("a tuple"), N_("tuple")),
    "dict": (N_("a dict"), N_("dict")), "None": ("None", "None"),
}


def _type_name(value: object) -> str:
    """The key of what `value` is in `_TYPE_NAMES` (its Python type's name if none)."""
    if is_tensor(value):
        return "tensor"
    if is_repr(value):
        return "object"
    names = {bool: "bool", int: "integer", float: "float", str: "string", list: "list",
             tuple: "tuple", dict: "dict", type(None): "None"}
    return names.get(type(value), type(value).__name__)


def _a(key: str) -> str:
    """"a tensor", "an integer"... in the current language."""
    return _(_TYPE_NAMES[key][0]) if key in _TYPE_NAMES else key


def _noun(key: str) -> str:
    """"tensor", "integer"... in the current language."""
    return _(_TYPE_NAMES[key][1]) if key in _TYPE_NAMES else key


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _numeric_list(value: object) -> bool:
    if not isinstance(value, list | tuple) or not value:
        return False
    try:
        as_tensor(list(value))
    except ExpectedValueError:
        return False
    return True


def _compare_numbers(got: float, expected: float, dtype: str, tolerance: Tolerance,
                     exact: bool, what: str) -> Verdict:
    bounds = Bounds.for_dtype(tolerance, dtype, abs(real(expected)))
    if exact:
        if got == expected:
            return Verdict.right(_("Correct: {computed}, exactly.").format(
                computed=show(expected)), got)
        how = _("exactly")
        difference = got - expected if isinstance(got, int) else 0
        if difference and off_by(Fraction(got), int(expected)):
            words = _("{what}, {value}, is {count} more than the computed whole number.") \
                if difference > 0 else \
                _("{what}, {value}, is {count} less than the computed whole number.")
            return Verdict.wrong(words.format(what=what, value=show(got),
                                              count=f"{abs(difference):,}"), got)
    else:
        if bounds.close_values(got, expected):
            return Verdict.right(_("Correct: {computed} (yours agrees {how}).").format(
                computed=show(expected, dtype), how=bounds.describe()), got)
        how = bounds.describe()
    factor = common_factor((got,), (expected,), bounds) if not exact or expected != 0 else None
    if factor:
        return Verdict.wrong(_("{what}, {value}, is {factor}.").format(
            what=what, value=show(got, dtype), factor=factor), got)
    return Verdict.wrong(_("{what}, {value}, is not the computed value (compared {how}).").format(
        what=what, value=show(got, dtype), how=how), got)


def _opaque_tensor(value: Mapping[str, Any]) -> bool:
    """Meta tensors (no values) and complex ones (values as reprs) compare as they are."""
    dtype = canonical(str(value.get("dtype", "")))
    return value.get("values") is None or dtype is None or dtype.startswith("complex")


def _compare_tensors(mine: ExpectedTensor, theirs: ExpectedTensor, tolerance: Tolerance,
                     dtype_matters: bool, what: str) -> Verdict:
    shape = format_shape(mine.shape)
    if mine.shape != theirs.shape:
        if sorted(mine.shape) == sorted(theirs.shape) and len(mine.values) == len(theirs.values):
            return Verdict.wrong(_("{what} has shape {shape}: the right sizes, but not the "
                                   "computed shape.").format(what=what, shape=shape), shape)
        return Verdict.wrong(_("{what} has shape {shape}, not the computed shape.").format(
            what=what, shape=shape), shape)
    exact = is_exact(theirs.dtype) and is_exact(mine.dtype) and not tolerance.explicit
    bounds = Bounds.for_dtype(tolerance, theirs.dtype if not is_exact(theirs.dtype)
                              else mine.dtype, scale_of(theirs.values))
    if exact:
        wrong = [i for i, (a, b) in enumerate(zip(mine.values, theirs.values, strict=True))
                 if a != b]
        how = _("exactly")
    else:
        wrong = [i for i, (a, b) in enumerate(zip(mine.values, theirs.values, strict=True))
                 if not bounds.close_values(a, b)]
        how = _("{how} of the largest value").format(how=bounds.describe())
    if wrong:
        factor = common_factor(mine.values, theirs.values, bounds)
        if factor:
            return Verdict.wrong(_("{what} is {factor}.").format(what=what, factor=factor),
                                 shape)
        if len(theirs.values) == 1:
            return Verdict.wrong(_("{what} holds {value}, not the computed value (compared "
                                   "{how}).").format(what=what, value=show(
                                       mine.values[0], theirs.dtype),
                                       how=_("exactly") if exact else bounds.describe()), shape)
        if theirs.shape:
            return Verdict.wrong(_("{count} of {total} values differ from the computed ones; "
                                   "the first at index {index}, compared {how}.").format(
                count=len(wrong), total=len(theirs.values), how=how,
                index=format_shape(_index(wrong[0], theirs.shape))), shape)
        return Verdict.wrong(_("{count} of {total} values differ from the computed ones "
                               "(compared {how}).").format(
            count=len(wrong), total=len(theirs.values), how=how), shape)
    if dtype_matters and canonical(mine.dtype) != canonical(theirs.dtype):
        return Verdict.wrong(_("Right values, but {what} is {dtype}, not the computed "
                               "dtype.").format(what=what.lower(), dtype=display(mine.dtype)),
                             shape)
    if len(theirs.values) == 1:
        return Verdict.right(_("Correct: {value}, a {dtype} tensor of shape {shape} (yours "
                               "agrees {how}).").format(
            value=show(theirs.values[0], theirs.dtype), dtype=display(theirs.dtype),
            shape=format_shape(theirs.shape), how=_("exactly") if exact else bounds.describe()),
            shape)
    same = exact or mine.values == theirs.values  # `.permute(0, 2, 1)` for `.transpose(1, 2)`
    return Verdict.right(_("Correct: shape {shape}, {dtype}, every value agrees {how}.").format(
        shape=format_shape(theirs.shape), dtype=display(theirs.dtype),
        how=_("exactly") if same else how), shape)


def _index(flat: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    position = []
    for size in reversed(shape):
        flat, rest = divmod(flat, size)
        position.append(rest)
    return tuple(reversed(position))


def _tensor_like(got: Any, expected: Any, tolerance: Tolerance, at: str,
                 got_name: str) -> Verdict:
    """At least one side is a tensor: numbers and lists of numbers meet it on its terms."""
    for value in (got, expected):
        if is_tensor(value) and _opaque_tensor(value):
            if is_tensor(got) and is_tensor(expected) and all(
                    got.get(key) == expected.get(key) for key in ("shape", "dtype", "values")):
                shown = format_shape(tuple(got.get("shape", ())))
                return Verdict.right(_("Correct: shape {shape}, {dtype}.").format(
                    shape=shown, dtype=got.get("dtype")), shown)
            return Verdict.wrong(_("{what} is not the computed {kind} (it cannot be compared "
                                   "value by value).").format(what=_yours("value", at),
                                                              kind=_noun(_type_name(expected))))
    tensor, plain = (got, expected) if is_tensor(got) else (expected, got)
    if not (_is_number(plain) or _numeric_list(plain)):
        return _other_type(at, got_name, expected)
    try:
        mine, theirs = as_tensor(got), as_tensor(expected)
    except ExpectedValueError as error:
        return Verdict.wrong(_("{what} cannot be compared as a tensor: {error}.").format(
            what=_yours("value", at), error=error))
    dtype = as_tensor(tensor).dtype
    if _is_number(plain):
        if len(mine.values) != 1 or len(theirs.values) != 1:
            return Verdict.wrong(_("{what} is {yours}; the expected value is {theirs}.").format(
                what=_yours("value", at), yours=described(got, got_name),
                theirs=described(expected, _type_name(expected))))
        # A number and a one-element tensor are the same answer, both ways.
        exact = is_exact(mine.dtype) and is_exact(theirs.dtype) and not tolerance.explicit
        return _compare_numbers(mine.values[0], theirs.values[0], dtype, tolerance, exact,
                                _yours("value", at))
    what = _yours("tensor" if tensor is got else got_name, at)
    verdict = _compare_tensors(mine, theirs, tolerance, dtype_matters=False, what=what)
    if verdict.correct and dtype not in DEFAULT_DTYPES:
        # A list stands for the tensor torch.tensor(list) builds: float32, int64 or bool.
        return Verdict.wrong(_("Right values, but one side is a list, which has no dtype, and "
                               "the other a {dtype} tensor.").format(dtype=display(dtype)),
                             verdict.parsed)
    return verdict


def described(value: Any, name: str) -> str:
    """What a value is, in words: "a tensor of shape (20, 1)", "a float", "a list of 3 items"."""
    if is_tensor(value):
        shape = tuple(value.get("shape", ()))
        if not shape:
            return _("a tensor of one value (0-dimensional)")
        return _("a tensor of shape {shape}").format(shape=format_shape(shape))
    if _is_number(value):
        return _("a single number")
    if isinstance(value, list | tuple):
        return _("{kind} of {count} items").format(kind=_a(name), count=len(value))
    return _a(name)


def _yours(key: str, at: str) -> str:
    """"Your value", "Your tensor at [0]"... (`key` from `_TYPE_NAMES`, or "value")."""
    noun = _("value") if key == "value" else _noun(key)
    if at:
        return _("Your {noun} at {where}").format(noun=noun, where=at)
    return _("Your {noun}").format(noun=noun)


def _other_type(at: str, got_name: str, expected: object) -> Verdict:
    return Verdict.wrong(_("{what} is {kind}; {expected} was expected.").format(
        what=_yours("value", at), kind=_a(got_name), expected=_a(_type_name(expected))))


def _listed(value: Any) -> Any:
    """A nested list of numbers that arrived as its repr (the runner sends lists of floats that
    way) as the list itself; anything else unchanged."""
    if is_repr(value) and str(value.get("repr", "")).lstrip().startswith("["):
        parsed = parse_tensor(str(value["repr"]))
        if isinstance(parsed, TypedTensor) and parsed.shape:
            return parsed.plain()
    return value


def _compare(got: Any, expected: Any, tolerance: Tolerance, where: str, got_name: str) -> Verdict:
    at = where
    got, expected = _listed(got), _listed(expected)
    if is_tensor(expected) and is_tensor(got):
        if _opaque_tensor(got) or _opaque_tensor(expected):
            return _tensor_like(got, expected, tolerance, at, got_name)
        return _compare_tensors(as_tensor(got), as_tensor(expected), tolerance,
                                dtype_matters=True, what=_yours("tensor", at))
    if is_tensor(expected) or is_tensor(got):
        return _tensor_like(got, expected, tolerance, at, got_name)
    if isinstance(expected, bool) or isinstance(got, bool):
        if type(got) is not type(expected):
            return _other_type(at, got_name, expected)
        if got == expected:
            return Verdict.right(_("Correct: {value}.").format(value=expected), got)
        return Verdict.wrong(_("{what} is not the computed truth value.").format(
            what=_yours("value", at)), got)
    if _is_number(expected) and _is_number(got):
        exact = isinstance(expected, int) and isinstance(got, int) and not tolerance.explicit
        return _compare_numbers(got, expected, "float32", tolerance, exact,
                                _yours("value", at))
    if isinstance(expected, list | tuple) and isinstance(got, list | tuple):
        if len(got) != len(expected):
            return Verdict.wrong(_("{what} has {count} items, not the computed number.").format(
                what=_yours(got_name, at), count=len(got)))
        for i, (mine, theirs) in enumerate(zip(got, expected, strict=True)):
            verdict = _compare(mine, theirs, tolerance, f"{where}[{i}]", _type_name(mine))
            if not verdict.correct:
                return verdict
        return Verdict.right(_("Correct: all {count} items match.").format(count=len(expected)),
                             list(got))
    if is_repr(expected) or is_repr(got):
        if is_repr(expected) and is_repr(got) and got["repr"] == expected["repr"]:
            return Verdict.right(_("Correct: {value}.").format(value=f"{expected['repr']:.200}"),
                                 got["repr"])
        return Verdict.wrong(_("{what} is not the computed one.").format(
            what=_yours("value", at)), got["repr"] if is_repr(got) else got)
    if isinstance(expected, Mapping) and isinstance(got, Mapping):
        if set(got) != set(expected):
            return Verdict.wrong(_("{what} has different keys.").format(what=_yours("value", at)))
        for key in expected:
            verdict = _compare(got[key], expected[key], tolerance, f"{where}[{key!r}]",
                               _type_name(got[key]))
            if not verdict.correct:
                return verdict
        if where:
            return Verdict.right(_("Correct: {where} matches.").format(where=where))
        return Verdict.right(_("Correct: the value matches."))
    if type(got) is not type(expected):
        return _other_type(at, got_name, expected)
    if got == expected:
        return Verdict.right(_("Correct: {value}.").format(value=f"{expected!r:.200}"), got)
    return Verdict.wrong(_("{what} is not the computed one.").format(what=_yours("value", at)),
                         got)


def compare_values(got: object, expected: object,
                   tolerance: Mapping[str, object] | Tolerance | None = None, *,
                   got_name: str | None = None) -> Verdict:
    """Judge a code answer's value against the reference: shape, values (relative to their
    size, dtype-aware), then dtype; numbers, strings, lists and dicts compared sensibly.

    `got_name` says what the learner wrote when the value's encoding lost it ("tuple": the

    runner sends tuples as lists)."""
    bounds = tolerance if isinstance(tolerance, Tolerance) else parse_tolerance(tolerance)
    got = _listed(got)
    return _compare(got, expected, bounds, "", got_name or _type_name(got))


#: For tutor.grading.code_answers: what a value is, and its name with an article.
type_key = _type_name
a_type = _a
