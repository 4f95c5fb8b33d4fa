"""Task quizzes in the app: checked in the learner's namespace after the learner's own cells."""

from __future__ import annotations

from pathlib import Path

from ui_helpers import wait_until

from tutor.course import load_course
from tutor.ui.app import TutorApp
from tutor.ui.screens.lesson import LessonScreen
from tutor.ui.widgets.cell_editor import CellEditor
from tutor.ui.widgets.quiz_panel import QuizPanel

TASK_LESSON = '''---
id: task
title: A task
order: 1
---

## Make it big

```python
scale = 2
total = scale * 10
```

```quiz
id: big-enough
type: task
ask: Change `scale` in the cell above so that `total` exceeds 50, run it, then check.
check: total > 50
show: total
hints:
  - Anything above 5 will do.
explain: total is scale times ten.
solution: |
  scale = 6
  total = scale * 10
```
'''


def verdict(panel: QuizPanel) -> str:
    return str(panel.query_one(".quiz-verdict").render())


def task_app(folder: Path, runner, progress) -> TutorApp:
    folder.mkdir()
    (folder / "task.md").write_text(TASK_LESSON, encoding="utf-8")
    course = load_course(folder)
    assert not course.errors, course.errors
    return TutorApp(course, runner=runner, progress=progress, lesson="task")


async def test_task_fails_unedited_passes_after_an_edit_and_shows_its_value(
    runner, progress, tmp_path
) -> None:
    app = task_app(tmp_path / "lessons", runner, progress)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LessonScreen)
        panel = screen.query_one(QuizPanel)
        assert "nothing to type" in panel.answer_field.placeholder
        await pilot.press("f2", "enter")  # no text needed: Enter checks
        await app.workers.wait_for_complete()
        assert verdict(panel) == "✗ Your `total` is 20; the check `total > 50` is not met yet."
        assert panel.state.attempts == 1 and not panel.state.solved
        editor = screen.query_one(CellEditor)
        editor.editor.load_text("scale = 7\ntotal = scale * 10\n")
        await wait_until(pilot, lambda: screen.sources[0].startswith("scale = 7"))
        panel.answer_field.focus()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        assert verdict(panel) == "✓ Done: your `total` is 70."
        assert panel.state.solved
        assert "times ten" in str(panel.query_one(".quiz-explain").render())
        # Checking ran the learner's edited cell: the editor says so.
        assert "ran" in str(editor.query_one(".cell-title").render())
    attempts = progress.attempts("task")  # a task's answer is the learner's code
    assert [(a["answer"], a["correct"]) for a in attempts] == [
        ("scale = 2\ntotal = scale * 10\n", False), ("scale = 7\ntotal = scale * 10\n", True)]


async def test_a_task_whose_check_cannot_be_evaluated_is_not_an_attempt(
    runner, progress, tmp_path
) -> None:
    app = task_app(tmp_path / "lessons", runner, progress)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LessonScreen)
        panel = screen.query_one(QuizPanel)
        screen.query_one(CellEditor).editor.load_text("scale = 7\n")  # `total` is gone
        await wait_until(pilot, lambda: screen.sources[0] == "scale = 7\n")
        panel.answer_field.focus()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        text = verdict(panel)
        assert text.startswith("? Not yet: `total > 50` could not be evaluated")
        assert "NameError" in text and text.endswith("Not counted as an attempt.")
        assert panel.state.attempts == 0
    assert progress.attempts("task") == []


async def test_reveal_of_a_task_shows_its_solution(runner, progress, tmp_path) -> None:
    app = task_app(tmp_path / "lessons", runner, progress)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        panel = app.screen.query_one(QuizPanel)
        await pilot.press("f4")
        await app.workers.wait_for_complete()
        assert "scale = 6" in verdict(panel)
    assert progress.quiz_status("task")["big-enough"].revealed


def test_a_revealed_tensor_answer_typed_back_is_right() -> None:
    """Issue #14 walkthrough: "Answer: tensor [5.0, 7.0, 9.0], shape (3,), torch.float32"
    could not be typed back (the field took it as unreadable); the values now come first, in
    the form the field reads."""
    from pathlib import Path

    from tutor.grading import grade_quiz
    from tutor.ui.screens.lesson_quizzes import revealed_text

    lessons = load_course(Path(__file__).parents[2] / "lessons")
    tensor_quizzes = [quiz for lesson in lessons.lessons for step in lesson.steps
                      for quiz in step.quizzes if quiz.type == "tensor"]
    assert tensor_quizzes
    for values, shape, dtype in (([5.0, 7.0, 9.0], [3], "torch.float32"),
                                 ([[1, 0], [0, 1]], [2, 2], "torch.int64")):
        expected = {"kind": "tensor", "values": values, "shape": shape, "dtype": dtype}
        shown = revealed_text(tensor_quizzes[0], expected)
        typed = shown.split("  (")[0]
        assert typed == str(values)
        assert grade_quiz(tensor_quizzes[0], typed, expected).correct, shown
