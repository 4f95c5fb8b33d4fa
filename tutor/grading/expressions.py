"""Simple arithmetic a learner types as a number (`50257*768`, `2^2`, `ln(25)`, `1 - 0.474`),
evaluated by walking its syntax tree: never `eval`, nothing but numbers, + - * / // ** ^,
brackets, and ln, log, log2, log10, exp and sqrt of numbers.

What the value is, for judging (tutor.grading.numbers):

- whole numbers and decimals joined by +, - and * keep the precision typed: `1 - 0.474` is
  -0.526 to the thousandth, as if typed so, and `50257*768` is the whole number 38,597,376;
- a division, a power or a function makes the value exact (`2**-3`, `10/9`, `ln(25)`): it is
  right when it is the computed value to that value's own precision.
"""

from __future__ import annotations

import ast
import math
import re
import warnings
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from .typed_number import MAX_EXPONENT, MAX_NUMBER_CHARS, TypedNumber

#: Functions a learner may apply to numbers; `log` is the natural log, as in Python and torch.
FUNCTIONS = {
    "ln": math.log, "log": math.log, "log2": math.log2, "log10": math.log10, "exp": math.exp,
    "sqrt": math.sqrt,
}
CONSTANTS = {"e": math.e, "pi": math.pi, "π": math.pi}
_GROUPED = re.compile(r"(?<![\d.])[1-9]\d{0,2}(?:,\d{3})+(?![\d.])")
_BARE_CALL = re.compile(r"\b(ln|log|log2|log10|exp|sqrt)\s+(\d+(?:\.\d+)?)")
_ALLOWED = re.compile(r"[\d\s.,+\-*/^()a-zπ√×·÷_]+")

Value = Decimal | Fraction | float


class _Refused(Exception):
    """Not an expression this module evaluates."""


def evaluate(text: str) -> TypedNumber | None:
    """The number `text` stands for as a simple arithmetic expression, or None."""
    if len(text) > MAX_NUMBER_CHARS or not _ALLOWED.fullmatch(text):
        return None
    source = _GROUPED.sub(lambda m: m.group().replace(",", ""), text)
    source = _BARE_CALL.sub(r"\1(\2)", source)
    source = source.replace("^", "**").replace("×", "*").replace("·", "*").replace("÷", "/")
    source = re.sub(r"√\s*(\d+(?:\.\d+)?|\([^()]*\))", r"sqrt(\1)", source)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(source.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if isinstance(tree.body, ast.Constant):
        return None  # a plain number is typed_number's to read, with its own rules
    try:
        value = _Evaluator(source.strip()).visit(tree.body)
    except (_Refused, ArithmeticError, ValueError, InvalidOperation, RecursionError):
        return None
    return _typed(value)


def _typed(value: Value) -> TypedNumber | None:
    if isinstance(value, Decimal):
        if not value.is_finite() or abs(value.adjusted()) > MAX_EXPONENT:
            return None
        return TypedNumber(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        value = Fraction(value)
    if value != 0 and abs(math.log10(abs(value.numerator)) - math.log10(value.denominator)) > \
            MAX_EXPONENT:
        return None
    return TypedNumber(Decimal(float(value)), exact=value)


def _exact(value: Value) -> Fraction | float:
    return Fraction(value) if isinstance(value, Decimal) else value


class _Evaluator:
    def __init__(self, source: str) -> None:
        self.source = source

    def visit(self, node: ast.AST) -> Value:
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            if isinstance(node.operand, ast.UnaryOp):
                raise _Refused("two signs")  # "--0.0898" is a typo, not a number
            operand = self.visit(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp):
            return self.binary(node)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id in FUNCTIONS and len(node.args) == 1 and not node.keywords:
            argument = float(self.visit(node.args[0]))
            return FUNCTIONS[node.func.id](argument)
        if isinstance(node, ast.Name) and node.id in CONSTANTS:
            return CONSTANTS[node.id]
        raise _Refused(type(node).__name__)

    def constant(self, node: ast.Constant) -> Value:
        if type(node.value) not in (int, float):
            raise _Refused("constant")
        text = ast.get_source_segment(self.source, node) or repr(node.value)
        return Decimal(text.replace("_", ""))

    def binary(self, node: ast.BinOp) -> Value:
        left, right = self.visit(node.left), self.visit(node.right)
        if isinstance(node.op, ast.Pow):
            return _power(left, right)
        if isinstance(node.op, ast.FloorDiv):
            if right == 0:
                raise ZeroDivisionError
            return Fraction(math.floor(Fraction(_exact(left)) / Fraction(_exact(right))))
        if isinstance(node.op, ast.Div):
            if right == 0:
                raise ZeroDivisionError
            exact_left, exact_right = _exact(left), _exact(right)
            if isinstance(exact_left, Fraction) and isinstance(exact_right, Fraction):
                return exact_left / exact_right
            return float(exact_left) / float(exact_right)
        operations = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
                      ast.Mult: lambda a, b: a * b}
        operation = operations.get(type(node.op))
        if operation is None:
            raise _Refused(type(node.op).__name__)
        if isinstance(left, Decimal) and isinstance(right, Decimal):
            # Typed numbers keep their typed precision (the exponent of the last digit).
            result: Value = operation(left, right)
            return result
        exact_left, exact_right = _exact(left), _exact(right)
        if isinstance(exact_left, Fraction) and isinstance(exact_right, Fraction):
            return operation(exact_left, exact_right)
        return operation(float(exact_left), float(exact_right))


def _power(base: Value, exponent: Value) -> Value:
    exact_base, exact_exponent = _exact(base), _exact(exponent)
    if isinstance(exact_exponent, Fraction) and exact_exponent.denominator == 1 and \
            isinstance(exact_base, Fraction):
        power = int(exact_exponent)
        if exact_base == 0:
            if power < 0:
                raise ZeroDivisionError
            return Fraction(0 if power else 1)
        size = abs(math.log10(abs(exact_base.numerator)) - math.log10(exact_base.denominator))
        if size * abs(power) > MAX_EXPONENT or abs(power) > 4 * MAX_EXPONENT:
            raise _Refused("power too large")
        return exact_base ** power
    result = float(exact_base) ** float(exact_exponent)
    if isinstance(result, complex) or not math.isfinite(result):
        raise _Refused("power")
    return result
