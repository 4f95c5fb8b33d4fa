"""The lesson file format: good files parse into steps, cells and quizzes; every defect is
reported as `file:line: message` and never stops the other lessons from loading."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tutor.course import Cell, Prose, Quiz, StaticCode, load_course, parse_lesson

FENCE = "```"

GOOD = f"""---
id: good
title: A good lesson
order: 1
summary: Parses cleanly.
---

Welcome.

## Make a tensor

Some prose.

{FENCE}python
x = [1, 2, 3]
{FENCE}

{FENCE}quiz
id: length
type: number
ask: How long is x?
answer: len(x)
hints:
  - Count them.
tolerance:
  digits: 1
{FENCE}

## Look, don't run

{FENCE}python static
this is not python
{FENCE}

{FENCE}python
y = x * 2
{FENCE}

{FENCE}quiz
id: pick
type: choice
ask: Which list is longer?
choices: [x, y]
answer: "'y'"
{FENCE}
"""


def mutate(old: str, new: str, text: str = GOOD, lesson_id: str | None = None) -> str:
    assert old in text, old
    out = text.replace(old, new, 1)
    return out.replace("id: good", f"id: {lesson_id}", 1) if lesson_id else out


TASK_CHECK = "check: len(y) > 6\n"
TASK_SOLUTION = "solution: |\n  y = x * 3\n"


def with_task(*, lesson_id: str | None = None, check: str = TASK_CHECK,
              solution: str = TASK_SOLUTION, extra: str = "") -> str:
    """GOOD with a task quiz after its last cell (the cell `y = x * 2`)."""
    task = (f"\n{FENCE}quiz\nid: faster\ntype: task\nask: Make y longer than 6.\n{extra}"
            f"{check}show: len(y)\n{solution}{FENCE}\n")
    return mutate("", "", GOOD + task, lesson_id)


TASK = with_task()


#: name -> (file text, a fragment of the offending line, a fragment of the message)
BROKEN: dict[str, tuple[str, str, str]] = {
    "no-front-matter": (GOOD.split("---\n", 2)[2], "", "missing front matter"),
    "unclosed-front-matter": (GOOD.replace("---\n\nWelcome", "\nWelcome", 1), "---",
                              "front matter is not closed"),
    "front-yaml": (mutate("title: A good lesson", "title: [unclosed", lesson_id="front-yaml"),
                   "order:", "invalid YAML in front matter"),
    "missing-id": (mutate("id: good\n", ""), "title:", "no 'id'"),
    "bad-id": (mutate("id: good", "id: Bad_Id"), "id: Bad_Id", "lowercase letters"),
    "unknown-type": (mutate("type: number", "type: integer", lesson_id="unknown-type"),
                     "type: integer", "unknown quiz type 'integer'"),
    "missing-ask": (mutate("ask: How long is x?\n", "", lesson_id="missing-ask"),
                    "id: length", "no 'ask'"),
    "missing-answer": (mutate("answer: len(x)\n", "", lesson_id="missing-answer"),
                       "id: length", "no 'answer'"),
    "quiz-yaml": (mutate("ask: How long is x?", "ask: [oops", lesson_id="quiz-yaml"),
                  "answer: len(x)", "invalid YAML in quiz"),
    "unclosed-fence": (GOOD.replace("id: good", "id: unclosed-fence") + f"\n{FENCE}python\nz = 1\n",
                       f"{FENCE}python", "never closed"),
    "syntax-error": (mutate("y = x * 2", "y = (x * 2", lesson_id="syntax-error"),
                     "y = (x * 2", "syntax error"),
    "duplicate-quiz": (mutate("id: pick", "id: length", lesson_id="duplicate-quiz"),
                       "id: length", "duplicate quiz id 'length'"),
    "choice-without-choices": (mutate("choices: [x, y]\n", "", lesson_id="no-choices"),
                               "id: pick", "needs a 'choices' list"),
    "answer-not-expression": (mutate("answer: len(x)", "answer: len(x", lesson_id="bad-answer"),
                              "answer: len(x", "not a Python expression"),
    "bad-tolerance": (mutate("  digits: 1", "  digits: many", lesson_id="bad-tolerance"),
                      "tolerance:", "'digits' must be a number"),
    "zero-tolerance": (mutate("  digits: 1", "  abs: 0", lesson_id="zero-tolerance"),
                       "tolerance:", "'abs' must be a finite number above 0"),
    "abs-and-rel": (mutate("  digits: 1", "  abs: 0.1\n  rel: 0.01", lesson_id="abs-and-rel"),
                    "tolerance:", "one of digits, abs or rel, not several"),
    "nan-timeout": (mutate("summary:", "timeout: .nan\nsummary:", lesson_id="nan-timeout"),
                    "timeout:", "'timeout' must be a number of seconds"),
    "inf-timeout": (mutate("summary:", "timeout: .inf\nsummary:", lesson_id="inf-timeout"),
                    "timeout:", "'timeout' must be a number of seconds"),
    "duplicate-key": (mutate("  - Count them.", "  - Count them.\nask: Again?",
                             lesson_id="duplicate-key"), "ask: Again?", "'ask' is given twice"),
    "check-not-task": (mutate("answer: len(x)", "answer: len(x)\ncheck: x",
                              lesson_id="check-not-task"), "check: x",
                       "'check' is not used by a number quiz"),
    "task-no-check": (with_task(lesson_id="task-no-check", check=""), "id: faster",
                      "quiz has no 'check'"),
    "task-bad-check": (with_task(lesson_id="task-bad-check", check="check: len(y) >\n"),
                       "check: len(y) >", "'check' is not a Python expression"),
    "task-no-solution": (with_task(lesson_id="task-no-solution", solution=""), "id: faster",
                         "a task has no 'solution'"),
    "task-solution-syntax": (with_task(lesson_id="task-solution-syntax",
                                       solution="solution: |\n  y = x * 3\n  z = (y\n"),
                             "z = (y", "syntax error in 'solution'"),
    "task-with-answer": (with_task(lesson_id="task-with-answer", extra="answer: len(y)\n"),
                         "answer: len(y)", "a task has no 'answer'"),
    "task-without-cell": (TASK.replace("id: good", "id: task-without-cell", 1).replace(
                              f"{FENCE}python\nx = [1, 2, 3]\n{FENCE}\n", "", 1).replace(
                              f"{FENCE}python\ny = x * 2\n{FENCE}\n", "", 1),
                          f"{FENCE}quiz", "a task needs a cell above it"),
    "unknown-key": (mutate("hints:", "hint:", lesson_id="unknown-key"), "hint:",
                    "unknown quiz key 'hint'"),
    "duplicate-lesson": (GOOD, "id: good", "duplicate lesson id 'good'"),
    "empty-file": ("", "", "missing front matter"),
}


def line_of(text: str, fragment: str) -> int:
    """The last line holding `fragment` (1 for an empty fragment or the opening '---')."""
    if fragment in ("", "---"):
        return 1
    return max(n for n, line in enumerate(text.splitlines(), 1) if fragment in line)


@pytest.fixture
def lesson_dir(tmp_path: Path) -> Path:
    (tmp_path / "00-good.md").write_text(GOOD, encoding="utf-8")
    for name, (text, _, _) in BROKEN.items():
        (tmp_path / f"{name}.md").write_text(text, encoding="utf-8")
    (tmp_path / "not-utf8.md").write_bytes(GOOD.replace("id: good", "id: latin").encode()
                                           + b"\ncaf\xe9\n")
    return tmp_path


def test_good_lesson_structure(tmp_path: Path) -> None:
    path = tmp_path / "good.md"
    path.write_text(GOOD, encoding="utf-8")
    lesson, errors = parse_lesson(path)
    assert errors == []
    assert lesson is not None
    assert [s.title for s in lesson.steps] == ["Introduction", "Make a tensor", "Look, don't run"]
    kinds = [[type(b) for b in s.blocks] for s in lesson.steps]
    assert kinds == [[Prose], [Prose, Cell, Quiz], [StaticCode, Cell, Quiz]]
    assert [c.source for c in lesson.cells] == ["x = [1, 2, 3]\n", "y = x * 2\n"]
    first, second = lesson.quizzes
    assert (first.id, first.cells_before, first.tolerance, first.hints) == (
        "length", 1, {"digits": 1}, ("Count them.",))
    assert (second.id, second.cells_before, second.choices) == ("pick", 2, ("x", "y"))
    assert lesson.steps[1].line == line_of(GOOD, "## Make a tensor")


def test_cell_and_quiz_lines_point_at_their_fences(tmp_path: Path) -> None:
    path = tmp_path / "good.md"
    path.write_text(GOOD, encoding="utf-8")
    lesson, _ = parse_lesson(path)
    assert lesson is not None
    fences = [n for n, line in enumerate(GOOD.splitlines(), 1) if line.startswith(f"{FENCE}")
              and line != FENCE]
    python_fences = [n for n in fences if GOOD.splitlines()[n - 1] == f"{FENCE}python"]
    quiz_fences = [n for n in fences if GOOD.splitlines()[n - 1] == f"{FENCE}quiz"]
    assert [c.line for c in lesson.cells] == python_fences
    assert [q.line for q in lesson.quizzes] == quiz_fences


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_each_defect_is_reported_with_file_and_line(lesson_dir: Path, name: str) -> None:
    text, fragment, message = BROKEN[name]
    course = load_course(lesson_dir)
    path = lesson_dir / f"{name}.md"
    found = [e for e in course.errors if Path(e.file) == path]
    assert found, f"no error reported for {name}"
    expected_line = line_of(text, fragment) if name != "duplicate-lesson" else 2
    assert any(message in e.message and e.line == expected_line for e in found), [
        str(e) for e in found]
    assert all(str(e).startswith(f"{path}:{e.line}: ") for e in found)


def test_not_utf8_names_the_line(lesson_dir: Path) -> None:
    course = load_course(lesson_dir)
    errors = [e for e in course.errors if e.file.endswith("not-utf8.md")]
    assert [e.line for e in errors] == [GOOD.count("\n") + 2]
    assert "UTF-8" in errors[0].message


def test_good_lessons_still_load_beside_broken_ones(lesson_dir: Path) -> None:
    course = load_course(lesson_dir)
    assert [lesson.id for lesson in course.lessons] == ["good"]
    broken_files = {Path(e.file).stem for e in course.errors}
    assert broken_files == set(BROKEN) | {"not-utf8"}


def test_cli_list_reports_every_error_without_traceback(lesson_dir: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "tutor", "list", "--lessons", str(lesson_dir)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "good" in proc.stdout
    for name in BROKEN:
        assert f"{name}.md:" in proc.stderr


def test_translation_must_keep_steps_cells_and_quizzes(tmp_path: Path) -> None:
    (tmp_path / "good.md").write_text(GOOD, encoding="utf-8")
    (tmp_path / "fr").mkdir()
    same = GOOD.replace("Welcome.", "Bienvenue.").replace("Some prose.", "Du texte.")
    (tmp_path / "fr" / "good.md").write_text(same, encoding="utf-8")
    course = load_course(tmp_path, lang="fr")
    assert course.errors == []
    assert course.lessons[0].lang == "fr"
    assert "Bienvenue." in course.lessons[0].steps[0].blocks[0].text  # type: ignore[union-attr]

    fewer = same.replace("id: pick", "id: choose")
    (tmp_path / "fr" / "good.md").write_text(fewer, encoding="utf-8")
    course = load_course(tmp_path, lang="fr")
    assert course.lessons[0].lang == "en"  # the English lesson is kept
    (error,) = course.errors
    assert error.file.endswith("fr/good.md")
    assert "['choose']" in error.message and error.line == line_of(fewer, "## Look")


def test_missing_folder_is_an_error_not_a_crash(tmp_path: Path) -> None:
    course = load_course(tmp_path / "nowhere")
    assert course.lessons == []
    assert course.errors[0].message == "lesson folder not found"
    assert str(course.errors[0]) == f"{tmp_path / 'nowhere'}: lesson folder not found"
    assert course.broken() == {}


def test_a_task_quiz_parses_with_check_show_and_solution(tmp_path: Path) -> None:
    path = tmp_path / "task.md"
    path.write_text(TASK, encoding="utf-8")
    lesson, errors = parse_lesson(path)
    assert errors == [] and lesson is not None
    task = lesson.quiz("faster")
    assert (task.type, task.answer, task.check, task.show, task.solution) == (
        "task", None, "len(y) > 6", "len(y)", "y = x * 3\n")
    assert task.cells_before == len(lesson.cells) == 2


def test_a_byte_order_mark_is_not_text(tmp_path: Path) -> None:
    path = tmp_path / "bom.md"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    lesson, errors = parse_lesson(path)
    assert errors == [] and lesson is not None and lesson.id == "good"


def test_quoted_quiz_keys_are_located_by_yaml_itself(tmp_path: Path) -> None:
    # A regex over lines does not see a quoted key; PyYAML's node marks do.
    text = mutate("tolerance:\n  digits: 1\n", "\"tolerance\": {digits: 0}\n")
    path = tmp_path / "flow.md"
    path.write_text(text)
    _, errors = parse_lesson(path)
    (error,) = errors
    assert error.line == line_of(path.read_text(), "tolerance\": {digits: 0}")
    assert "'digits' must be a whole number from 1 to 17" in error.message


def test_approximate_numbers_beside_a_quiz_are_collected_for_the_grader(tmp_path: Path) -> None:
    text = mutate("Some prose.", "Some prose: x holds about 3 items, exactly 3.").replace(
        "  - Count them.", "  - Count them, roughly 3.0, not ≈ −1.5e2 or about 77 MB.")
    path = tmp_path / "shown.md"
    path.write_text(text, encoding="utf-8")
    lesson, errors = parse_lesson(path)
    assert errors == [] and lesson is not None
    assert lesson.quiz("length").shown == ("~3.0", "~-1.5e2", "~77 MB", "~3", "3")
    assert lesson.quiz("pick").shown == ()  # another step's prose is not beside it


def test_things_named_like_lessons_that_are_not_files_are_reported(tmp_path: Path) -> None:
    (tmp_path / "00-good.md").write_text(GOOD, encoding="utf-8")
    (tmp_path / "folder.md").mkdir()
    os.mkfifo(tmp_path / "pipe.md")  # reading it would block: it must never be opened
    (tmp_path / "loop.md").symlink_to(tmp_path / "loop.md")
    (tmp_path / "dangling.md").symlink_to(tmp_path / "nothing-here.md")
    course = load_course(tmp_path, use_cache=False)
    assert [lesson.id for lesson in course.lessons] == ["good"]
    reported = {Path(e.file).name: e for e in course.errors}
    assert set(reported) == {"folder.md", "pipe.md", "loop.md", "dangling.md"}
    assert "folder" in reported["folder.md"].message
    assert "FIFO" in reported["pipe.md"].message
    assert "loop" in reported["loop.md"].message
    assert "link to nothing" in reported["dangling.md"].message
    assert all(e.line == 0 and str(e) == f"{e.file}: {e.message}" for e in course.errors)


def test_things_named_like_translations_that_are_not_files_are_reported(tmp_path: Path) -> None:
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.md").write_text(GOOD.replace("id: good", f"id: {name}"),
                                             encoding="utf-8")
    translations = tmp_path / "sw"
    translations.mkdir()
    (translations / "a.md").mkdir()
    os.mkfifo(translations / "b.md")  # reading it would block: it must never be opened
    (translations / "c.md").symlink_to(translations / "c.md")
    course = load_course(tmp_path, "sw", use_cache=False)
    assert [lesson.id for lesson in course.lessons] == ["a", "b", "c"]  # in English
    reported = {Path(e.file).name: e.message for e in course.errors}
    assert set(reported) == {"a.md", "b.md", "c.md"}
    assert "folder" in reported["a.md"] and "FIFO" in reported["b.md"]
    assert "loop" in reported["c.md"]


def test_a_huge_file_named_like_a_lesson_is_reported_without_being_read_whole(
        tmp_path: Path) -> None:
    from tutor.course.lesson_file import MAX_LESSON_BYTES

    (tmp_path / "00-good.md").write_text(GOOD, encoding="utf-8")
    with (tmp_path / "huge.md").open("wb") as huge:  # sparse: no disk, no memory
        huge.write(GOOD.replace("id: good", "id: huge").encode())
        huge.truncate(MAX_LESSON_BYTES * 256)
    course = load_course(tmp_path, use_cache=False)
    assert [lesson.id for lesson in course.lessons] == ["good"]
    (error,) = course.errors
    assert Path(error.file).name == "huge.md" and error.line == 1
    assert f"larger than {MAX_LESSON_BYTES >> 20} MiB" in error.message


@pytest.mark.parametrize("kind", ["quiz", "python"])
def test_a_step_with_too_many_cells_or_quizzes_is_an_error_at_the_first_one_too_many(
        tmp_path: Path, kind: str) -> None:
    """The app builds a step's editors and quiz panels at once: a step of 1,000 quizzes took
    42 s to show. Past MAX_PER_STEP the lesson is broken, said at the first block too many, and
    the lessons beside it still load."""
    from tutor.course.lesson_file import MAX_PER_STEP

    def block(n: int) -> str:
        if kind == "python":
            return f"{FENCE}python\nv{n} = {n}\n{FENCE}\n\n"
        return (f"{FENCE}quiz\nid: q{n}\ntype: number\nask: What is {n}?\nanswer: {n}\n"
                f"hints: [Look., Read it.]\n{FENCE}\n\n")

    blocks = "".join(block(n) for n in range(MAX_PER_STEP + 2))
    (tmp_path / "many.md").write_text(
        f"---\nid: many\ntitle: Many\norder: 2\n---\n\n## One\n\n{blocks}", encoding="utf-8")
    (tmp_path / "good.md").write_text(GOOD, encoding="utf-8")
    course = load_course(tmp_path, use_cache=False)
    assert [lesson.id for lesson in course.lessons] == ["good"]
    text = (tmp_path / "many.md").read_text(encoding="utf-8").split("\n")
    fences = [number for number, line in enumerate(text, 1) if line == f"{FENCE}{kind}"]
    (error,) = course.errors
    assert error.line == fences[MAX_PER_STEP] and f"at most {MAX_PER_STEP}" in error.message
