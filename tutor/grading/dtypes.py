"""Dtype answers: the same dtype under any accepted spelling, with feedback on kind and width."""

from __future__ import annotations

import re

from tutor.i18n import N_, _

from .dtype_names import canonical, category, display, dtype_form
from .expected import ExpectedValueError
from .verdict import Verdict


def _bits(name: str) -> int | None:
    match = re.search(r"\d+", name)
    return int(match.group()) if match else None


def grade_dtype(answer: str, expected: object) -> Verdict:
    """Same dtype under any accepted spelling; feedback on kind (float/int) and width."""
    # The runner sends a torch.dtype as str(dtype): "torch.float32", exactly.
    target = canonical(expected) if isinstance(expected, str) else None
    if target is None or expected != display(target):
        raise ExpectedValueError("a dtype quiz's answer must give a torch dtype such as x.dtype, "
                                 f"not {expected!r:.80}")
    typed = canonical(answer)
    if typed is None:
        return Verdict.unparseable(dtype_form(target))
    shown = display(typed)
    if typed == target:
        return Verdict.right(_("Correct: {value}.").format(value=display(target)), shown)
    if category(typed) != category(target):
        return Verdict.wrong(_("{dtype} is {kind}; the computed dtype is {other}.").format(
            dtype=shown, kind=_(_A_TYPE[category(typed)]),
            other=_(_A_TYPE[category(target)])), shown)
    if _bits(typed) == _bits(target):
        return Verdict.wrong(_("{dtype} has the right width but is not the computed "
                               "format.").format(dtype=shown), shown)
    return Verdict.wrong(_("Right kind ({kind}), but {dtype} has a different precision (bits "
                           "per element).").format(kind=_(_KIND[category(target)]), dtype=shown),
                         shown)


#: Each category of dtype as a kind, and as "a ... type".
_KIND = {"boolean": N_("boolean"), "floating point": N_("floating point"),
         "complex": N_("complex"), "quantized": N_("quantized"),
         "unsigned integer": N_("unsigned integer"), "integer": N_("integer")}
_A_TYPE = {"boolean": N_("a boolean type"), "floating point": N_("a floating point type"),
           "complex": N_("a complex type"), "quantized": N_("a quantized type"),
           "unsigned integer": N_("an unsigned integer type"), "integer": N_("an integer type")}

