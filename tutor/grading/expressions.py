"""Simple arithmetic a learner types as a number (`50257*768`, `2^2`, `ln(25)`, `1 - 0.474`),
evaluated by walking its syntax tree: never `eval`, nothing but numbers, + - * / // ** ^,
brackets, and ln, log, log2, log10, exp, sqrt, sin, cos, tan and tanh of numbers (also written
as Python writes them: `math.log(25)`, `np.sqrt(2)`).

What the value is, for judging (tutor.grading.numbers):

- whole numbers and decimals joined by +, - and * keep the precision typed: `1 - 0.474` is
  -0.526 to the thousandth, as if typed so, and `50257*768` is the whole number 38,597,376;
- a division, a power or a function makes the value exact (`2**-3`, `10/9`, `ln(25)`): it is
  right when it is the computed value to that value's own precision.

Every step is bounded before it is computed, so no answer can make the tutor hang or fill its
memory: a number or result beyond 10^±400 is refused (`9**9**9`, `1e999999999/3`), and an exact
fraction that would grow past MAX_BITS bits is carried on as a float instead
(`(1+1/1000)**1000`). An expression that has no value says why (`problem`): it divides by zero,
or takes the log or square root of a number that has none.
"""

from __future__ import annotations

import ast
import math
import re
import sys
import warnings
from decimal import (
    Context,
    Decimal,
    DecimalException,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    localcontext,
)
from fractions import Fraction

from tutor.i18n import _

from .normalize import normalize_typed
from .typed_number import MAX_EXPONENT, MAX_NUMBER_CHARS, TypedNumber

#: Functions a learner may apply to numbers; `log` is the natural log, as in Python and torch.
FUNCTIONS = {
    "ln": math.log, "log": math.log, "log2": math.log2, "log10": math.log10, "exp": math.exp,
    "sqrt": math.sqrt, "sin": math.sin, "cos": math.cos, "tan": math.tan, "tanh": math.tanh,
}
CONSTANTS = {"e": math.e, "pi": math.pi, "π": math.pi}
#: An exact fraction whose numerator or denominator would pass this many bits is carried on as
#: a float (10^400 is 1,329 bits): exact arithmetic stays cheap whatever is typed.
MAX_BITS = 4096
_GROUPED = re.compile(r"(?<![\d.])[1-9]\d{0,2}(?:,\d{3})+(?![\d.])")
_NAMES = "|".join(sorted(FUNCTIONS, key=len, reverse=True))
_BARE_CALL = re.compile(rf"\b({_NAMES})\s+(\d+(?:\.\d+)?(?:e[+-]?\d+)?)")
#: A product written without its sign: `2π`, `2pi`, `2 ln 25`, `3 sqrt(2)` (never before a
#: bare bracket: `3.22 (ln 25)` is a number and a remark).
_IMPLIED = re.compile(rf"(?<=[\d)π])\s*(?=π|pi\b|(?:{_NAMES})\s*\()")
#: The modules Python code takes these functions and constants from: `math.log(25)` is ln(25).
_MODULE = re.compile(rf"\b(?:math|numpy|np)\.(?=(?:{_NAMES}|pi|e)\b)")
_ALLOWED = re.compile(r"[\d\s.,+\-*/^()a-zπ√×·÷_]+")
#: What a root sign applies to when it is not followed by brackets: a number, a constant, or a
#: function already written out with its own brackets.
_ROOT_OPERAND = re.compile(r"\s*([+-]?\s*\d+(?:\.\d+)?|[a-zπ]+)")
#: Decimal arithmetic is done exactly (typed numbers have at most MAX_NUMBER_CHARS digits and
#: exponents within MAX_EXPONENT); a result that would need rounding is refused, not rounded.
_EXACT = Context(prec=4 * (MAX_NUMBER_CHARS + MAX_EXPONENT), Emax=10 * MAX_EXPONENT,
                 Emin=-10 * MAX_EXPONENT,
                 traps=[InvalidOperation, DivisionByZero, Overflow, Inexact])

#: Why an expression was refused: its size, or it has no value.
SIZE, DIVISION, DOMAIN = "size", "division", "domain"

Value = Decimal | Fraction | float


class _Refused(Exception):
    """Not an expression this module evaluates; `reason` is SIZE, DIVISION, DOMAIN or ""."""

    def __init__(self, reason: str = "") -> None:
        super().__init__(reason)
        self.reason = reason


def evaluate(text: str) -> TypedNumber | None:
    """The number `text` stands for as a simple arithmetic expression, or None."""
    result = _evaluate(text)
    return result if isinstance(result, TypedNumber) else None


def problem(text: str) -> str | None:
    """Why `text`, an expression of numbers, has no value the tutor can judge ("That
    expression divides by zero..."), or None when it is not such an expression (or has a
    value). For a message in place of "type a number such as...". """
    result = _evaluate(normalize_typed(text).casefold(), constants=True)
    if result == SIZE:
        return _("That number is too large or too small to be read: the tutor reads numbers "
                 "from 10^-{limit} to 10^{limit}.").format(limit=MAX_EXPONENT)
    if result == DIVISION:
        return _("That expression divides by zero, so it has no value.")
    if result == DOMAIN:
        return _("That expression has no value as a real number (a log of zero or of a "
                 "negative number, or a square root or fractional power of a negative "
                 "number).")
    return None


def _evaluate(text: str, *, constants: bool = False) -> TypedNumber | str | None:
    """The value, the reason it was refused (SIZE, DIVISION, DOMAIN), or None when `text` is
    not an expression of numbers. A plain number is left to tutor.grading.typed_number, which
    has its own rules, unless `constants` asks why it too was refused."""
    if len(text) > MAX_NUMBER_CHARS or not _ALLOWED.fullmatch(text):
        return None
    source = _MODULE.sub("", _GROUPED.sub(lambda m: m.group().replace(",", ""), text))
    source = _IMPLIED.sub("*", _BARE_CALL.sub(r"\1(\2)", source))
    source = source.replace("^", "**").replace("×", "*").replace("·", "*").replace("÷", "/")
    roots = _roots(source)
    if roots is None:
        return None
    source = roots.strip()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if isinstance(tree.body, ast.Constant) and not constants:
        return None  # a plain number is typed_number's to read, with its own rules
    try:
        with localcontext(_EXACT):
            value = _Evaluator(source).visit(tree.body)
            return _typed(value)
    except _Refused as refused:
        return refused.reason or None
    except ZeroDivisionError:
        return DIVISION
    except (OverflowError, Inexact):
        return SIZE
    except (ArithmeticError, ValueError, DecimalException, RecursionError):
        return None


def _roots(source: str) -> str | None:
    """`√x`, `√(x + 1)` and `2√2` written as calls of sqrt (`2*sqrt(2)`); None when a root sign
    applies to nothing. Innermost (rightmost) first, so `√√16` is sqrt(sqrt(16))."""
    while "√" in source:
        at = source.rindex("√")
        before, after = source[:at].rstrip(), source[at + 1:]
        operand = _ROOT_OPERAND.match(after)
        stripped = after.lstrip()
        if stripped.startswith("("):
            end = _closing(stripped)
            if end is None:
                return None
            inside, rest = stripped[:end + 1], stripped[end + 1:]
        elif operand is not None:
            inside, rest = operand.group(1), after[operand.end():]
            if rest.lstrip().startswith("("):  # a function: its brackets go with it
                stripped = rest.lstrip()
                end = _closing(stripped)
                if end is None:
                    return None
                inside, rest = inside + stripped[:end + 1], stripped[end + 1:]
        else:
            return None
        times = "*" if before and (before[-1].isdigit() or before[-1] in ").") else ""
        source = f"{before}{times}sqrt({inside}){rest}"
    return source


def _closing(text: str) -> int | None:
    """The index of the bracket that closes the one `text` starts with, or None."""
    depth = 0
    for index, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return index
    return None


def _float(value: Value) -> float:
    """`value` as a float; refused (SIZE) when no float holds it."""
    try:
        result = float(value)
    except OverflowError:
        raise _Refused(SIZE) from None
    if not math.isfinite(result) or (result == 0 and value != 0):
        raise _Refused(SIZE)
    return result


def _bounded(value: Value) -> Value:
    """`value`, refused when beyond 10^±MAX_EXPONENT (not zero); an exact fraction grown past
    MAX_BITS is carried on as a float."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise _Refused(SIZE)
        if value and abs(value.adjusted()) > MAX_EXPONENT:
            raise _Refused(SIZE)
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _Refused(SIZE)
        return value
    if value and abs(_magnitude(value)) > MAX_EXPONENT + 1:
        raise _Refused(SIZE)
    if max(value.numerator.bit_length(), value.denominator.bit_length()) > MAX_BITS:
        return _float(value)
    return value


def _magnitude(value: Fraction) -> float:
    """log10 of |value| (not zero), without overflowing for huge numerators."""
    return math.log10(abs(value.numerator)) - math.log10(value.denominator)


def _typed(value: Value) -> TypedNumber:
    value = _bounded(value)
    if isinstance(value, Decimal):
        return TypedNumber(value)
    exact = Fraction(value)
    if exact and abs(_magnitude(exact)) > MAX_EXPONENT:
        raise _Refused(SIZE)
    with localcontext(Context(prec=28)):
        mantissa = Decimal(exact.numerator) / Decimal(exact.denominator)
    return TypedNumber(mantissa, exact=exact)


def _exact(value: Value) -> Fraction | float:
    return Fraction(value) if isinstance(value, Decimal) else value


class _Evaluator:
    def __init__(self, source: str) -> None:
        self.source = source

    def visit(self, node: ast.AST) -> Value:
        return _bounded(self._visit(node))

    def _visit(self, node: ast.AST) -> Value:
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            if isinstance(node.operand, ast.UnaryOp):
                raise _Refused("")  # "--0.0898" is a typo, not a number
            operand = self.visit(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp):
            return self.binary(node)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id in FUNCTIONS and len(node.args) == 1 and not node.keywords:
            argument = _float(self.visit(node.args[0]))
            try:
                return FUNCTIONS[node.func.id](argument)
            except ValueError:
                raise _Refused(DOMAIN) from None
        if isinstance(node, ast.Name) and node.id in CONSTANTS:
            return CONSTANTS[node.id]
        raise _Refused("")

    def constant(self, node: ast.Constant) -> Value:
        if type(node.value) not in (int, float):
            raise _Refused("")
        text = (ast.get_source_segment(self.source, node) or repr(node.value)).replace("_", "")
        if len(text) > MAX_NUMBER_CHARS or not re.fullmatch(r"[\d.]+(?:e[+-]?\d+)?", text):
            raise _Refused("")  # 0x10, 1j: not a number as people type them
        exponent = re.search(r"e([+-]?\d+)$", text)
        if exponent and len(exponent.group(1).lstrip("+-").lstrip("0")) > 6:
            raise _Refused(SIZE)  # 1e999999999: refused before Decimal is asked to hold it
        return Decimal(text)

    def binary(self, node: ast.BinOp) -> Value:
        left, right = self.visit(node.left), self.visit(node.right)
        if isinstance(node.op, ast.Pow):
            return _power(left, right)
        if isinstance(node.op, ast.FloorDiv | ast.Div) and right == 0:
            raise ZeroDivisionError
        if isinstance(node.op, ast.FloorDiv):
            return Fraction(math.floor(Fraction(_exact(left)) / Fraction(_exact(right))))
        if isinstance(node.op, ast.Div):
            exact_left, exact_right = _exact(left), _exact(right)
            if isinstance(exact_left, Fraction) and isinstance(exact_right, Fraction):
                return exact_left / exact_right
            return _float(exact_left) / _float(exact_right)
        operations = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
                      ast.Mult: lambda a, b: a * b}
        operation = operations.get(type(node.op))
        if operation is None:
            raise _Refused("")
        if isinstance(left, Decimal) and isinstance(right, Decimal):
            # Typed numbers keep their typed precision (the exponent of the last digit).
            result: Value = operation(left, right)
            return result
        exact_left, exact_right = _exact(left), _exact(right)
        if isinstance(exact_left, Fraction) and isinstance(exact_right, Fraction):
            return operation(exact_left, exact_right)
        return operation(_float(exact_left), _float(exact_right))


def _power(base: Value, exponent: Value) -> Value:
    """base ** exponent, its size known before it is computed: exact for a whole exponent
    while the fraction stays within MAX_BITS, else a float."""
    exact_base, exact_exponent = _exact(base), _exact(exponent)
    if exact_base == 0:
        if exact_exponent < 0:
            raise ZeroDivisionError
        return Fraction(0 if exact_exponent else 1)
    size = _magnitude(Fraction(exact_base)) * _float(exact_exponent) if exact_exponent else 0.0
    if abs(size) > MAX_EXPONENT + 1:
        raise _Refused(SIZE)
    if isinstance(exact_exponent, Fraction) and exact_exponent.denominator == 1 and \
            isinstance(exact_base, Fraction):
        power = int(exact_exponent)
        bits = max(exact_base.numerator.bit_length(), exact_base.denominator.bit_length())
        if bits * abs(power) <= MAX_BITS:
            return exact_base ** power
    if exact_base < 0 and (not isinstance(exact_exponent, Fraction) or
                           exact_exponent.denominator != 1):
        raise _Refused(DOMAIN)  # (-8)**(1/3): no real value as Python computes powers
    try:
        result = _float(exact_base) ** _float(exact_exponent)
    except ZeroDivisionError:
        raise _Refused(SIZE) from None  # a tiny base underflowed to zero
    if isinstance(result, complex):
        raise _Refused(DOMAIN)
    if abs(result) < sys.float_info.min:
        raise _Refused(SIZE)  # (1/3)**700 underflows: not the zero it would read as
    return _float(result)

