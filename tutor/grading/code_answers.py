"""Verdicts for answers that run in the runner: code answers and tasks (docs/grading.md).

The UI process never evaluates them: it hands the runner's reply (`{"ok", "value", "error"}`)
to these functions, which decide the verdict, its message and whether it counts as an attempt.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from tutor.i18n import _
from tutor.runner.wire import is_repr, is_tensor

from .compare import a_type, compare_values, described, type_key
from .constraints import Breach, Constraints, breaches, parse_constraints
from .expected import ExpectedValueError, as_number, as_tensor
from .grader import grade_number
from .normalize import MAX_ANSWER_CHARS
from .shown import parse_shown
from .tensors import grade_tensor
from .tolerance import parse_tolerance
from .verdict import Verdict

#: Exceptions that mean "this names nothing here" (a typo), not a wrong answer.
NOT_COUNTED_ERRORS = ("NameError", "AttributeError", "SyntaxError", "IndentationError")


def syntax_problem(answer: str) -> Verdict | None:
    """A not-counted verdict when `answer` is not a Python expression (checked without running
    it), else None. Run the answer only when this is None."""
    if not answer.strip():
        return Verdict.unparseable(_("Type a Python expression, such as x.shape or a + b."))
    if len(answer) > MAX_ANSWER_CHARS:
        return Verdict.unparseable(_("That answer is too long to be read."))
    try:
        ast.parse(answer.strip(), mode="eval")
    except SyntaxError as exc:
        return Verdict.not_counted(_("That is not a Python expression ({error}); it was not run "
                                     "and does not count as an attempt.").format(error=exc.msg))
    except (ValueError, RecursionError, MemoryError):
        return Verdict.unparseable(_("That expression is too deeply nested to be read."))
    return None


#: The syntax a typed list of numbers is made of.
_LIST_NODES = (ast.List, ast.Constant, ast.UnaryOp, ast.USub, ast.UAdd, ast.Load)


def _is_number_node(node: ast.AST) -> bool:
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        node = node.operand
    return isinstance(node, ast.Constant) and type(node.value) in (int, float)


def _literal(node: ast.expr) -> str | None:
    """"number" or "list" when the answer (its parsed `node`) is a literal the learner typed
    (-0.0817, [[1, 2]])."""
    if _is_number_node(node):
        return "number"
    nodes = list(ast.walk(node))
    if isinstance(node, ast.List) and all(isinstance(n, _LIST_NODES) for n in nodes) and all(
            type(n.value) in (int, float) for n in nodes if isinstance(n, ast.Constant)):
        return "list"
    return None


def _written_as(node: ast.expr) -> str | None:
    """What the learner wrote (its parsed `node`) when the runner's encoding loses it: a tuple
    arrives as a list."""
    return "tuple" if isinstance(node, ast.Tuple) else None


def gib(mib: int) -> str:
    return f"{mib / 1024:g}"


def runner_problem(error: Mapping[str, Any], *, memory_limit_mib: int | None = None,
                   subject: str | None = None) -> Verdict:
    """The verdict for a runner error: typos are not counted; other failures are wrong.
    `subject` is what ran ("Your expression" when None)."""
    subject = subject or _("Your expression")
    kind = error.get("kind", "exception")
    message = str(error.get("message", "")).strip()
    name = message.split(":", 1)[0].split(" at line")[0].strip()
    if kind == "out_of_memory":
        if memory_limit_mib:
            return Verdict.wrong(_("{subject} ran out of memory (the limit is {gib} GiB).").format(
                subject=subject, gib=gib(memory_limit_mib)))
        return Verdict.wrong(_("{subject} ran out of memory.").format(subject=subject))
    if kind == "timeout":
        return Verdict.wrong(_("{subject} took too long and was stopped.").format(
            subject=subject))
    if kind == "crash":
        return Verdict.wrong(_("{subject} crashed the worker that ran it (it has been "
                               "replaced).").format(subject=subject))
    if name in NOT_COUNTED_ERRORS:
        return Verdict.not_counted(_("{subject} failed with {error}; not counted as an attempt: "
                                     "check the names you used.").format(subject=subject,
                                                                         error=message))
    return Verdict.wrong(_("{subject} raised {error}.").format(subject=subject, error=message))


def breach_verdict(breach: Breach) -> Verdict:
    """The not-counted verdict for an expression that ignores the question's constraint."""
    if breach.kind == "calls":
        words = _("Your expression calls `{name}`, which the question asks you not to do; it "
                  "was not judged and does not count as an attempt.")
    elif breach.kind == "uses":
        words = _("Your expression uses `{name}`, which the question asks you not to use; it "
                  "was not judged and does not count as an attempt.")
    elif breach.kind == "passes":
        words = _("Your expression hands `{name}` on to be called, which the question asks "
                  "you not to do; it was not judged and does not count as an attempt.")
    elif breach.kind == "hides":
        words = _("Your expression uses `{name}`, which hides from the tutor what it uses; "
                  "write the expression itself. It was not judged and does not count as an "
                  "attempt.")
    else:
        words = _("Your expression does not use `{name}`, which the question asks you to use; "
                  "it was not judged and does not count as an attempt.")
    return Verdict.not_counted(words.format(name=breach.name))


#: How the runner's encoding shows each type a quiz's `value` constraint may ask for.
_TYPE_KEYS = {"float": "float", "int": "integer", "bool": "bool", "str": "string",
              "list": "list", "tuple": "tuple", "tensor": "tensor"}


def _value_problem(value: object, wanted: str, written_as: str | None) -> Verdict | None:
    """A wrong verdict when the learner's value is not of the type the question asks for."""
    have = written_as or type_key(value)
    if is_repr(value) and str(
            value.get("repr", "")).startswith("["):
        have = written_as or "list"
    if have == _TYPE_KEYS[wanted]:
        return None
    message = _("Your value is {yours}; the question asks for {kind}.").format(
        yours=described(value, have), kind=a_type(_TYPE_KEYS[wanted]))
    if have == "tensor" and wanted in ("float", "int", "bool") and is_tensor(value) and \
            math.prod(value.get("shape") or ()) == 1:
        message += " " + _(".item() turns a one-element tensor into a Python number.")
    return Verdict.wrong(message)


def grade_code(answer: str, result: Mapping[str, Any] | None, expected: object, *,
               tolerance: Mapping[str, object] | None = None, shown: Sequence[str] = (),
               memory_limit_mib: int | None = None,
               constraints: Mapping[str, object] | Constraints | None = None) -> Verdict:
    """A code quiz's verdict. `result` is the runner's reply to evaluating `answer` (None when
    it was not run, which is enough for a syntax error or a typed number or list).

    A number or list typed as code is judged like a typed answer, at the precision typed.
    `constraints` (the quiz's, tutor.grading.constraints) are checked first; with `vary`,
    `result` and `expected` hold one value per setting (tutor.study.quizzes.evaluate_code), and
    an error names the index of the setting that raised it (`setting`)."""
    problem = syntax_problem(answer)
    if problem is not None:
        return problem
    rules = constraints if isinstance(constraints, Constraints) else \
        parse_constraints(constraints)
    found = breaches(answer, rules)
    if found:
        return breach_verdict(found[0])
    node = ast.parse(answer.strip(), mode="eval").body  # parses: syntax_problem said so
    literal = _literal(node) if not rules.vary else None
    try:
        if literal == "number" and not rules.value:
            as_number(expected)
            return grade_number(answer, expected, parse_tolerance(tolerance),
                                parse_shown(shown))
        if literal == "list" and (is_tensor(expected) or isinstance(expected, list)) and \
                not rules.value:
            as_tensor(expected)
            return grade_tensor(answer, expected, parse_tolerance(tolerance))
    except ExpectedValueError:
        pass  # not a number or tensor quiz: compare the values below
    if result is None:
        raise ValueError("grade_code needs the runner's result for an expression")
    error = result.get("error")
    if error:
        verdict = runner_problem(error, memory_limit_mib=memory_limit_mib)
        setting = result.get("setting")
        if rules.vary and isinstance(setting, int) and 0 <= setting < len(rules.settings()):
            # `100 // (D - 8)` raises only with D = 8: say which setting it was.
            verdict = replace(verdict, message=_("With {setting}: {verdict}").format(
                setting=rules.settings()[setting], verdict=verdict.message))
        return verdict
    written_as = _written_as(node)
    if rules.vary:
        verdict = _grade_varied(written_as, result.get("value"), expected, tolerance, rules)
    else:
        verdict = _grade_value(written_as, result.get("value"), expected, tolerance, rules)
    if not verdict.correct and any(isinstance(n, ast.BitXor) for n in ast.walk(node)):
        # `4*D^2 + D`: a power written as in maths, which Python reads as XOR.
        return Verdict.not_counted(_("{verdict} In Python, ^ is XOR, not a power: write D**2 "
                                     "for D². Not counted as an attempt.").format(
                                         verdict=verdict.message))
    # Two expressions are the same answer when their text is (QuizAttempts), not their shape.
    return replace(verdict, parsed=None)


def _grade_value(written_as: str | None, value: object, expected: object,
                 tolerance: Mapping[str, object] | None, rules: Constraints) -> Verdict:
    if rules.value:
        problem = _value_problem(value, rules.value, written_as)
        if problem is not None:
            return problem
    return compare_values(value, expected, tolerance, got_name=written_as)


def _grade_varied(written_as: str | None, values: object, expected: object,
                  tolerance: Mapping[str, object] | None, rules: Constraints) -> Verdict:
    """One verdict for the values of the expression at each setting of `vary`."""
    settings = rules.settings()
    if not isinstance(values, list) or not isinstance(expected, list) or not (
            len(values) == len(expected) == len(settings)):
        raise ValueError("a quiz with 'vary' needs one value per setting on both sides")
    for setting, value, computed in zip(settings, values, expected, strict=True):
        verdict = _grade_value(written_as, value, computed, tolerance, rules)
        if not verdict.correct:
            return replace(verdict, message=_("With {setting}: {verdict}").format(
                setting=setting, verdict=verdict.message))
    return Verdict.right(_("Correct with {settings}.").format(settings="; ".join(settings)))


def show_text(value: object) -> str:
    """A value from `show` in a verdict: numbers to 4 significant digits, tensors by value."""
    if is_tensor(value):
        try:
            tensor = as_tensor(value)
        except ExpectedValueError:
            return _("a tensor")
        if len(tensor.values) == 1:
            value = tensor.values[0]
        else:
            return _("a tensor of shape {shape}").format(shape=tuple(tensor.shape))
    if isinstance(value, float) and math.isfinite(value):
        return f"{value:.4g}"
    if is_repr(value):
        return str(value.get("repr", ""))[:80]
    return repr(value)[:80]


def grade_task(check: str, show: str | None, passed: Mapping[str, Any],
               shown: Mapping[str, Any] | None = None, *,
               memory_limit_mib: int | None = None) -> Verdict:
    """A task's verdict from the runner's replies to `bool(check)` and to `show`, both
    evaluated in the learner's namespace. A check or show that raises is "not yet", uncounted."""
    for expression, reply in ((check, passed), (show, shown)):
        error = reply.get("error") if reply is not None else None
        if expression is not None and error:
            if error.get("kind") == "out_of_memory":
                return runner_problem(error, memory_limit_mib=memory_limit_mib,
                                      subject=f"`{expression}`")
            return Verdict.not_counted(_("Not yet: `{expression}` could not be evaluated "
                                         "({error}); run the cells above, then check "
                                         "again.").format(expression=expression,
                                                          error=error.get("message", "")))
    if show is not None and shown is not None:
        names = {"show": show, "value": show_text(shown.get("value")), "check": check}
        if passed.get("value") is True:
            return Verdict.right(_("Done: your `{show}` is {value}.").format(**names))
        return Verdict.wrong(_("Your `{show}` is {value}; the check `{check}` is not met "
                               "yet.").format(**names))
    if passed.get("value") is True:
        return Verdict.right(_("Done: `{check}` holds.").format(check=check))
    return Verdict.wrong(_("The check `{check}` is not met yet.").format(check=check))

