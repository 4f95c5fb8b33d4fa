"""Translated lessons (docs/lesson-format.md, "Translating a lesson"): what a translation may
override, what it inherits, and how its quizzes are graded."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor.course import load_course
from tutor.grading import grade_quiz
from tutor.grading.choices import in_quiz_language
from tutor.grading.forms import refused_forms

ENGLISH = '''---
id: demo
title: A demo
order: 1
timeout: 20
---

## Numbers

Some prose.

```python
x = 3
```

```quiz
id: which
type: choice
ask: Which is bigger?
choices: [one, three, two]
answer: "'three' if x == 3 else 'one'"
```

```quiz
id: name
type: text
ask: What is x called?
accept: [a variable, variable]
```

## More

```python static
print("never run")
```

```python
y = x * 2
```

```quiz
id: y-value
type: number
ask: What is y?
answer: y
tolerance: {abs: 0.5}
```
'''

SWAHILI = '''---
id: demo
title: Onyesho
order: 1
timeout: 20
summary: Somo la mfano.
---

## Nambari

Maelezo.

```python
x = 3
```

```quiz
id: which
type: choice
ask: Ipi ni kubwa zaidi?
choices: [moja, tatu, mbili]
hints:
  - Hesabu.
```

```quiz
id: name
type: text
ask: x inaitwaje?
accept: [kigeu]
```

## Zaidi

```python static
print("never run")
```

```python
y = x * 2
```

```quiz
id: y-value
type: number
ask: y ni nini?
answer: y
tolerance: {abs: 0.5}
```
'''


def course_with(tmp_path: Path, swahili: str) -> tuple[object, Path]:
    (tmp_path / "01-demo.md").write_text(ENGLISH, encoding="utf-8")
    (tmp_path / "sw").mkdir()
    path = tmp_path / "sw" / "01-demo.md"
    path.write_text(swahili, encoding="utf-8")
    return load_course(tmp_path, "sw", use_cache=False), path


def line_of(text: str, needle: str, after: str = "") -> int:
    start = text.index(after) if after else 0
    return text[: text.index(needle, start)].count("\n") + 1


def test_a_translation_inherits_the_answer_keys_and_maps_choices_by_position(
        tmp_path: Path) -> None:
    course, _path = course_with(tmp_path, SWAHILI)
    assert course.errors == []
    (lesson,) = course.lessons
    assert (lesson.lang, lesson.title, lesson.steps[0].title) == ("sw", "Onyesho", "Nambari")
    which = lesson.quiz("which")
    assert which.answer == "'three' if x == 3 else 'one'"
    assert which.choices == ("moja", "tatu", "mbili")
    assert which.answer_choices == ("one", "three", "two")
    assert which.hints == ("Hesabu.",)
    name = lesson.quiz("name")
    assert name.accept == ("kigeu", "a variable", "variable")
    assert lesson.quiz("y-value").tolerance == {"abs": 0.5}


def test_a_choice_quiz_is_graded_in_the_translated_choices(tmp_path: Path) -> None:
    course, _path = course_with(tmp_path, SWAHILI)
    which = course.lessons[0].quiz("which")
    expected = in_quiz_language("three", which.choices, which.answer_choices)
    assert expected == "tatu"
    for answer in ("tatu", "b", "2", "TATU "):
        assert grade_quiz(which, answer, expected).correct, answer
    assert not grade_quiz(which, "moja", expected).correct
    assert refused_forms("choice", expected, choices=which.choices) == []
    # An English quiz (no answer_choices) keeps its value.
    assert in_quiz_language("three", ("one", "three"), ()) == "three"


def test_a_text_quiz_accepts_the_kiswahili_and_the_english_forms(tmp_path: Path) -> None:
    course, _path = course_with(tmp_path, SWAHILI)
    name = course.lessons[0].quiz("name")
    for answer in ("kigeu", "Variable", "a variable"):
        assert grade_quiz(name, answer, None).correct, answer
    assert not grade_quiz(name, "nambari", None).correct


@pytest.mark.parametrize(("swap", "needle", "message"), [
    ("answer: y\n", "answer: y + 1\n", "quiz 'y-value': 'answer' differs from the English quiz"),
    ("tolerance: {abs: 0.5}", "tolerance: {abs: 0.1}",
     "quiz 'y-value': 'tolerance' differs from the English quiz"),
    ("choices: [moja, tatu, mbili]", "choices: [moja, tatu]",
     "quiz 'which' has 2 choices; the English quiz has 3"),
    ("y = x * 2\n", "y = x * 3\n", "cell 2's code differs from the English"),
    ('print("never run")', 'print("haiendeshwi")', "step 2's code blocks differ"),
    ("type: number", "type: code", "quiz 'y-value' is a code quiz; the English one is a number"),
    ("timeout: 20", "timeout: 30", "translation timeout 30.0 differs from the English 20.0"),
])
def test_a_translation_that_changes_what_is_inherited_is_an_error_at_its_line(
        tmp_path: Path, swap: str, needle: str, message: str) -> None:
    changed = SWAHILI.replace(swap, needle)
    assert changed != SWAHILI
    course, path = course_with(tmp_path, changed)
    (lesson,) = course.lessons
    assert lesson.lang == "en", "the English lesson is used instead"
    errors = [e for e in course.errors if message in e.message]
    assert errors, course.errors
    assert errors[0].file == str(path)
    first = needle.splitlines()[0]
    if "choices" in needle or "answer" in needle or "tolerance" in needle or "type" in needle:
        assert errors[0].line == line_of(changed, first)
    if "y = x" in needle:
        assert errors[0].line == line_of(changed, "```python", after="## Zaidi") + 4


def test_answer_keys_identical_to_the_english_are_allowed(tmp_path: Path) -> None:
    same = SWAHILI.replace("type: choice\n", "type: choice\nanswer: \"'three' if x == 3 else "
                                             "'one'\"\n")
    course, _path = course_with(tmp_path, same)
    assert course.errors == []
    assert course.lessons[0].lang == "sw"


def test_a_translation_without_its_quiz_is_an_error(tmp_path: Path) -> None:
    without = SWAHILI.replace("id: name\ntype: text\nask: x inaitwaje?\naccept: [kigeu]\n",
                              "id: jina\ntype: text\nask: x inaitwaje?\naccept: [kigeu]\n")
    course, _path = course_with(tmp_path, without)
    assert any("has quizzes ['which', 'jina']" in e.message for e in course.errors)
    assert course.lessons[0].lang == "en"


def test_a_lesson_without_a_translation_stays_english(tmp_path: Path) -> None:
    (tmp_path / "01-demo.md").write_text(ENGLISH, encoding="utf-8")
    course = load_course(tmp_path, "sw", use_cache=False)
    assert course.errors == [] and course.lessons[0].lang == "en"


def test_the_cache_keeps_the_english_choices_of_a_translation(tmp_path: Path) -> None:
    course_with(tmp_path, SWAHILI)
    load_course(tmp_path, "sw")
    cached = load_course(tmp_path, "sw")
    assert cached.lessons[0].quiz("which").answer_choices == ("one", "three", "two")


def test_a_changed_key_is_found_where_yaml_puts_it_not_in_a_text_that_names_it(
        tmp_path: Path) -> None:
    """The line comes from PyYAML's node positions: a question whose text has a line starting
    `tolerance:` does not take the error, the key itself does."""
    changed = SWAHILI.replace("ask: y ni nini?\n", "ask: |\n  y ni nini?\n  tolerance: ndogo\n"
                              ).replace("tolerance: {abs: 0.5}", "tolerance: {abs: 0.1}")
    course, _path = course_with(tmp_path, changed)
    (error,) = [e for e in course.errors if "'tolerance' differs" in e.message]
    assert error.line == line_of(changed, "tolerance: {abs: 0.1}")
    assert error.line != line_of(changed, "  tolerance: ndogo")
