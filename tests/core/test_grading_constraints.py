"""A code quiz's `constraints` (forbid, require, value, vary): parsed, checked against the
learner's expression, carried into translations and the course cache, and enforced by
`tutor check` on the quiz's own answer."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from lesson_running import LocalRunner

from tutor.checking import check_lesson
from tutor.course import Course, course_json, parse_lesson
from tutor.grading import grade_code
from tutor.grading.constraints import breaches, parse_constraints


@pytest.mark.parametrize(("mapping", "words"), [
    ({"forbids": ["x"]}, "unknown constraint"),
    ({"forbid": ["tok_emb("]}, "is not a Python name"),
    ({"forbid": []}, "list of Python names"),
    ({"require": ["x()"]}, "is not a Python name"),
    ({"value": "number"}, "'value' must be one of"),
    ({"vary": {"D": [24]}}, "2 to 8"),
    ({"vary": {"D": [24, 8], "H": [1, 2, 3]}}, "as many values"),
    ({"vary": {"class": [1, 2]}}, "not a Python name"),
    ({"vary": [24, 8]}, "map names to lists"),
])
def test_bad_constraints_are_named(mapping: dict[str, Any], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_constraints(mapping)


NO_CALL = {"forbid": ["tok_emb()"]}
FROM_DATA = {"forbid": ["targets"], "require": ["data"]}
NO_FLATTENING = {"forbid": ["batch_loss", "flatten", "view"], "require": ["batch_logits"]}


@pytest.mark.parametrize(("rules", "expression", "found"), [
    (NO_CALL, "tok_emb(torch.tensor(4))", [("calls", "tok_emb")]),
    (NO_CALL, "tok_emb.forward(torch.tensor(4))", [("calls", "tok_emb")]),
    (NO_CALL, "tok_emb.__call__(torch.tensor(4))", [("calls", "tok_emb")]),
    (NO_CALL, "tok_emb.weight[4]", []),
    # methods that hand the module on (found by an attacker: both were graded right)
    (NO_CALL, "tok_emb.train()(torch.tensor(4))", [("passes", "tok_emb")]),
    (NO_CALL, "next(tok_emb.modules())(torch.tensor(4))",
     [("calls", "tok_emb"), ("hides", "modules")]),
    (NO_CALL, "tok_emb.to('cpu')(torch.tensor(4))", [("passes", "tok_emb")]),
    (NO_CALL, "tok_emb.weight.to('cpu')[4]", []),
    (NO_CALL, "F.embedding(torch.tensor(4), tok_emb.weight)", []),
    (FROM_DATA, "targets[5]", [("uses", "targets"), ("misses", "data")]),
    (FROM_DATA, "data[5 * 4 + 1:][:8]", []),
    # A forbidden plain name is forbidden as a method or attribute too.
    (NO_FLATTENING, "F.cross_entropy(batch_logits.flatten(0, 1), t.flatten())",
     [("uses", "flatten")]),
    (NO_FLATTENING, "F.cross_entropy(batch_logits.view(-1, V), t)", [("uses", "view")]),
    (NO_FLATTENING, "getattr(batch_logits, 'view')(-1, V)", [("uses", "view")]),
    (NO_FLATTENING, "batch_loss", [("uses", "batch_loss"), ("misses", "batch_logits")]),
    (NO_FLATTENING, "F.cross_entropy(batch_logits.transpose(1, 2), t)", []),
    # every live object through the garbage collector: the name is never written
    ({"forbid": ["scores"]}, "[o for o in torch.sys.modules['gc'].get_objects() "
     "if type(o) is dict and 'scores' in o][0]['scores'][0, 0]", [("hides", "get_objects")]),
])
def test_breaches_read_the_syntax_tree(rules: dict[str, Any], expression: str,
                                       found: list[tuple[str, str]]) -> None:
    breached = breaches(expression, parse_constraints(rules))
    assert [(b.kind, b.name) for b in breached] == found


def test_vary_evaluates_the_expression_once_per_setting() -> None:
    rules = parse_constraints({"vary": {"D": [24, 8], "H": [2, 4]}})
    expressions = rules.expressions("4 * D**2 + D + H  # a comment")
    assert [eval(e) for e in expressions] == [4 * 24**2 + 24 + 2, 4 * 8**2 + 8 + 4]
    assert rules.settings() == ["D = 24, H = 2", "D = 8, H = 4"]
    assert parse_constraints(None).expressions("D") == ["D"]


def test_a_value_of_the_wrong_type_is_told_what_is_asked() -> None:
    reply = {"ok": True, "value": [0.5, 0.25], "error": None}
    verdict = grade_code("[0.5, 0.25]", reply, 0.5, constraints={"value": "float"})
    assert not verdict.correct and verdict.counted
    assert "the question asks for a float" in verdict.message
    assert grade_code("x.item()", {"ok": True, "value": 0.5, "error": None}, 0.5,
                      constraints={"value": "float"}).correct


LESSON = """---
id: rules
title: Rules
---

## One

```python
D = 24
table = [10, 20, 30]
def lookup(i):
    return table[i]
```

```quiz
id: formula
type: code
ask: An expression in D.
answer: 4 * D * D + D
constraints:
  vary: {{D: [24, 8]}}
```

```quiz
id: row
type: code
ask: Without calling lookup.
answer: {row_answer}
constraints:
  forbid: [lookup()]
```
"""


def checked(tmp_path: Path, text: str) -> dict[str, dict[str, Any]]:
    path = tmp_path / "rules.md"
    path.write_text(text, encoding="utf-8")
    lesson, errors = parse_lesson(path)
    assert lesson is not None and not errors, errors
    result = asyncio.run(check_lesson(LocalRunner(), lesson, Course(lessons=[lesson])))
    return {quiz["id"]: quiz for quiz in result["quizzes"]}


def test_check_grades_the_shipped_answers_under_their_constraints(tmp_path: Path) -> None:
    quizzes = checked(tmp_path, LESSON.format(row_answer="table[1]"))
    assert quizzes["formula"]["ok"] and quizzes["formula"]["expected"] == [2328, 264]
    assert quizzes["row"]["ok"], quizzes["row"]["error"]
    broken = checked(tmp_path, LESSON.format(row_answer="lookup(1)"))["row"]
    assert not broken["ok"] and "calls `lookup`" in broken["error"]["message"]


def test_check_refuses_a_vary_that_changes_nothing(tmp_path: Path) -> None:
    text = LESSON.format(row_answer="table[1]").replace("answer: 4 * D * D + D",
                                                        "answer: 2328")
    formula = checked(tmp_path, text)["formula"]
    assert not formula["ok"] and "changes nothing" in formula["error"]["message"]


def test_constraints_belong_to_code_quizzes_and_survive_the_cache(tmp_path: Path) -> None:
    path = tmp_path / "rules.md"
    path.write_text(LESSON.format(row_answer="table[1]"), encoding="utf-8")
    lesson, errors = parse_lesson(path)
    assert lesson is not None and not errors
    assert lesson.quiz("row").constraints == {"forbid": ["lookup()"]}
    course = course_json.decode(course_json.encode(Course(lessons=[lesson])))
    assert course.lessons[0].quiz("formula").constraints == {"vary": {"D": [24, 8]}}
    wrong = LESSON.format(row_answer="table[1]").replace("type: code\nask: An",
                                                         "type: number\nask: An")
    path.write_text(wrong, encoding="utf-8")
    _, errors = parse_lesson(path)
    assert any("'constraints' is not used by a number quiz" in e.message for e in errors)
    bad = LESSON.format(row_answer="table[1]").replace("[lookup()]", "[lookup(]")
    path.write_text(bad, encoding="utf-8")
    _, errors = parse_lesson(path)
    assert any("bad constraints" in e.message for e in errors)


@pytest.mark.parametrize("lang", ["en", "sw"])
def test_the_shipped_quizzes_carry_their_constraints_and_hints(lang: str) -> None:
    from tutor.course.catalog import load_course

    course = load_course(None, lang)
    quizzes = {quiz.id: quiz for lesson in course.lessons for quiz in lesson.quizzes}
    assert quizzes["row-of-mat"].constraints == {"forbid": ["tok_emb()"]}
    assert "targets" in (quizzes["targets-of-window"].constraints or {})["forbid"]
    assert (quizzes["val-mse"].constraints or {})["value"] == "float"
    assert len((quizzes["attention-formula"].constraints or {})["vary"]["D"]) >= 2
    # A graduated hint that names the division by √d before the last hint gives the code.
    hints = quizzes["scaled-scores"].hints
    assert len(hints) >= 3 and "√d" in hints[1] and "math.sqrt(d)" in hints[-1]
