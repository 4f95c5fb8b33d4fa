"""A ` ```quiz ` block: its YAML validated key by key into a `Quiz`, every defect at file:line."""

from __future__ import annotations

import re
from typing import Any

from tutor.course.model import Quiz
from tutor.course.yaml_source import Collector, Located, load_yaml
from tutor.i18n import _
from tutor.quiz_kinds import QUIZ_TYPES

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
QUIZ_KEYS = {"id", "type", "ask", "answer", "hints", "explain", "tolerance", "choices", "accept",
             "check", "show", "solution", "constraints"}
#: Keys that only some quiz types use; any other type that gives one gets an error.
ONLY_FOR = {"tolerance": ("number", "tensor", "code"), "choices": ("choice",),
            "accept": ("text",), "check": ("task",), "show": ("task",), "solution": ("task",),
            "constraints": ("code",)}


def parse_quiz(source: str, line: int, cells_before: int, seen: dict[str, int],
               errors: Collector, *, translation: bool = False) -> Quiz | None:
    """Validate a quiz block whose fence is on file line `line`; None if it cannot be asked.

    In a `translation` the keys the English quiz gives (`answer`, `check`, `solution`...) may be
    left out: `tutor.course.translation` fills them in from the English lesson."""
    located = load_yaml(source, line + 1, errors, _("quiz"))
    if located is None:
        return None
    if located.data is None:
        errors.add(line, _("empty quiz block"))
        return None
    if not isinstance(located.data, dict):
        errors.add(line + 1, _("a quiz must be a YAML mapping with id, type, ask and answer"))
        return None
    return _Quiz(located, line, cells_before, seen, errors, translation).build()


class _Quiz:
    """One quiz's keys, checked one by one; `ok` turns False on any defect that stops it."""

    def __init__(self, located: Located, line: int, cells_before: int, seen: dict[str, int],
                 errors: Collector, translation: bool = False) -> None:
        self.translation = translation
        self.located = located
        self.data: dict[str, Any] = located.data
        self.line = line
        self.cells_before = cells_before
        self.seen = seen
        self.errors = errors
        self.ok = True

    def fail(self, line: int, message: str) -> None:
        self.errors.add(line, message)
        self.ok = False

    def at(self, key: str) -> int:
        return self.located.at(key)

    def build(self) -> Quiz | None:
        data = self.data
        for key in sorted(set(data) - QUIZ_KEYS, key=str):
            self.fail(self.at(str(key)), _("unknown quiz key '{key}' (known: {known})").format(
                key=key, known=", ".join(sorted(QUIZ_KEYS))))
        quiz_id = self.quiz_id()
        kind = data.get("type")
        if kind not in QUIZ_TYPES:
            self.fail(self.at("type"),
                      _("unknown quiz type {type!r} (use one of: {known})").format(
                          type=kind, known=", ".join(QUIZ_TYPES)))
        for key, kinds in ONLY_FOR.items():
            if key in data and kind in QUIZ_TYPES and kind not in kinds:
                self.fail(self.at(key), _("'{key}' is not used by a {type} quiz (only by {types})"
                                          ).format(key=key, type=kind, types=", ".join(kinds)))
        ask = data.get("ask")
        if not isinstance(ask, str) or not ask.strip():
            self.fail(self.line + 1, _("quiz has no 'ask' (the question shown to the learner)"))
        accept = self.strings("accept")
        hints = self.strings("hints")
        choices = self.strings("choices")
        if kind == "choice" and len(choices) < 2:
            self.fail(self.at("choices"), _("a choice quiz needs a 'choices' list of at least two"))
        answer = self.answer(kind, accept)
        check = show = solution = None
        if kind == "task":
            check, show, solution = self.task()
        tolerance = self.tolerance()
        constraints = self.constraints()
        explain = data.get("explain", "")
        if not isinstance(explain, str):
            self.errors.add(self.at("explain"), _("'explain' must be text"))
            explain = str(explain)
        if not self.ok or quiz_id is None:
            return None
        return Quiz(
            id=quiz_id, type=str(kind), ask=str(ask).strip(), answer=answer, line=self.line,
            cells_before=self.cells_before, hints=hints, explain=explain.strip(),
            tolerance=tolerance, choices=choices, accept=accept, check=check, show=show,
            solution=solution, constraints=constraints,
        )

    def quiz_id(self) -> str | None:
        quiz_id = self.data.get("id")
        if quiz_id is None:
            self.fail(self.line + 1, _("quiz has no 'id'"))
        elif not isinstance(quiz_id, str) or not ID_PATTERN.match(quiz_id):
            self.fail(self.at("id"),
                      _("quiz id {id!r} must use lowercase letters, digits and dashes").format(
                          id=quiz_id))
        elif quiz_id in self.seen:
            self.fail(self.at("id"), _("duplicate quiz id '{id}' (first used on line {line})"
                                       ).format(id=quiz_id, line=self.seen[quiz_id]))
        else:
            self.seen[quiz_id] = self.at("id")
            return quiz_id
        return None

    def answer(self, kind: object, accept: tuple[str, ...]) -> str | None:
        answer = self.data.get("answer")
        if kind == "task":
            if answer is not None:
                self.fail(self.at("answer"), _("a task has no 'answer': its 'check' condition "
                                               "decides, and 'solution' shows one way to pass it"))
            return None
        if answer is None:
            if not (kind == "text" and accept) and not self.translation:
                self.fail(self.line + 1, _("quiz has no 'answer' (an expression the tutor "
                                           "evaluates)"))
            return None
        return self.expression("answer", required=True)

    def expression(self, key: str, *, required: bool) -> str | None:
        """The Python expression under `key`, checked for syntax (None when absent or bad)."""
        value = self.data.get(key)
        if value is None:
            if required:
                self.fail(self.line + 1,
                          _("quiz has no '{key}' (a Python expression)").format(key=key))
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.fail(self.at(key), _("'{key}' must be a Python expression").format(key=key))
            return None
        text = str(value)
        try:
            compile(text, f"<{key}>", "eval")
        except SyntaxError as exc:
            self.fail(self.at(key), _("'{key}' is not a Python expression: {error}").format(
                key=key, error=exc.msg))
            return None
        return text

    def task(self) -> tuple[str | None, str | None, str | None]:
        """A task's `check` and `show` expressions and its `solution` cell source."""
        check = self.expression("check", required=not self.translation)
        show = self.expression("show", required=False)
        if self.translation:
            solution = self.data.get("solution")
            return check, show, solution if isinstance(solution, str) else None
        if self.cells_before == 0:
            self.fail(self.line, _("a task needs a cell above it: 'solution' replaces the last "
                                   "cell above the quiz"))
        solution = self.data.get("solution")
        if solution is None:
            self.fail(self.line + 1, _("a task has no 'solution' (the full new source of the "
                                       "last cell above it, which must pass the check)"))
            return check, show, None
        if not isinstance(solution, str) or not solution.strip():
            self.fail(self.at("solution"), _("'solution' must be Python code (use 'solution: |' "
                                             "and indent the code below it)"))
            return check, show, None
        try:
            compile(solution, "<solution>", "exec")
        except SyntaxError as exc:
            line = self.located.values.get("solution", self.at("solution"))
            self.fail(line + (exc.lineno or 1) - 1,
                      _("Python syntax error in 'solution': {error}").format(error=exc.msg))
            return check, show, None
        return check, show, solution

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
            self.fail(self.at(key), _("'{key}' must be a list of text items").format(key=key))
            return ()
        return tuple(str(v) for v in value)

    def constraints(self) -> dict[str, Any] | None:
        from tutor.grading.constraints import as_mapping, parse_constraints

        value = self.data.get("constraints")
        if value is None:
            return None
        try:
            if not isinstance(value, dict):
                raise ValueError("it must be a mapping of forbid, require, value and vary")
            return as_mapping(parse_constraints(value))
        except ValueError as exc:
            self.fail(self.at("constraints"), f"bad constraints: {exc}")
            return None

    def tolerance(self) -> dict[str, float] | None:
        from tutor.grading.tolerance import parse_tolerance

        value = self.data.get("tolerance")
        if value is None:
            return None
        if not isinstance(value, dict):
            self.fail(self.at("tolerance"),
                      _("'tolerance' must be one of {digits}, {absolute} or {relative}").format(
                          digits="{digits: N}", absolute="{abs: X}", relative="{rel: X}"))
            return None
        try:
            parse_tolerance(value)
        except ValueError as exc:
            self.fail(self.at("tolerance"), _("bad tolerance: {error}").format(error=exc))
            return None
        return {str(key): number for key, number in value.items()}
