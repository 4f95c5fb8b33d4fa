"""PyTorch dtype names and aliases, written out so that grading never imports torch."""

from __future__ import annotations

import re

from tutor.i18n import _

from .normalize import normalize_typed

#: Every dtype torch names, by its canonical name (without "torch.").
CANONICAL = (
    "float32", "float64", "float16", "bfloat16",
    "float8_e4m3fn", "float8_e4m3fnuz", "float8_e5m2", "float8_e5m2fnuz", "float8_e8m0fnu",
    "complex32", "complex64", "complex128",
    "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "bool", "qint8", "quint8", "qint32", "quint4x2", "quint2x4",
)

#: Other names for the same dtypes: torch's own aliases (torch.float is torch.float32...),
#: Tensor conversion methods (x.byte(), x.char()), legacy tensor types and common shorthand.
ALIASES = {
    "float": "float32", "double": "float64", "half": "float16",
    "cfloat": "complex64", "cdouble": "complex128", "chalf": "complex32",
    "long": "int64", "int": "int32", "short": "int16",
    "byte": "uint8", "char": "int8",
    "fp64": "float64", "fp32": "float32", "fp16": "float16", "bf16": "bfloat16",
    "doubletensor": "float64", "floattensor": "float32", "halftensor": "float16",
    "bfloat16tensor": "bfloat16", "longtensor": "int64", "inttensor": "int32",
    "shorttensor": "int16", "chartensor": "int8", "bytetensor": "uint8", "booltensor": "bool",
}

#: Machine epsilon of the floating dtypes: the relative precision a value of that dtype carries.
EPSILON = {
    "float64": 2.0**-52, "float32": 2.0**-23, "float16": 2.0**-10, "bfloat16": 2.0**-7,
    "float8_e4m3fn": 2.0**-3, "float8_e4m3fnuz": 2.0**-3, "float8_e5m2": 2.0**-2,
    "float8_e5m2fnuz": 2.0**-2, "float8_e8m0fnu": 1.0,
    "complex128": 2.0**-52, "complex64": 2.0**-23, "complex32": 2.0**-10,
}

_PREFIX = re.compile(r"^(?:dtype\s*[=:]\s*)?(?:torch\.)?(?:cuda\.)?")
#: Form examples; the computed dtype itself is never used as one.
DTYPE_EXAMPLES = ("torch.float32", "int64", "torch.float16")


def canonical(name: str) -> str | None:
    """The canonical name ("float32") of a dtype spelled any accepted way, or None."""
    text = normalize_typed(name).strip("`'\" .!?;:").casefold()
    text = re.sub(r"\s+", "", text)
    text = text.removeprefix("numpy.")
    text = _PREFIX.sub("", text, count=1)
    if text in CANONICAL:
        return text
    return ALIASES.get(text)


def category(name: str) -> str:
    """"floating point", "complex", "integer", "unsigned integer", "boolean" or "quantized"."""
    if name == "bool":
        return "boolean"
    if name.startswith(("float", "bfloat")):
        return "floating point"
    if name.startswith("complex"):
        return "complex"
    if name.startswith("q"):
        return "quantized"
    if name.startswith("uint"):
        return "unsigned integer"
    return "integer"


def is_exact(name: str) -> bool:
    """Integer and boolean dtypes compare exactly."""
    return category(name) in {"integer", "unsigned integer", "boolean", "quantized"}


def display(name: str) -> str:
    return f"torch.{name}"


def dtype_form(expected: str) -> str:
    """"Type a dtype such as ..." with examples other than the computed dtype."""
    first, second = [e for e in DTYPE_EXAMPLES if canonical(e) != expected][:2]
    return _("Type a dtype such as {first} or {second}.").format(first=first, second=second)

