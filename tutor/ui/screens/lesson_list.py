"""The lesson list: every lesson with its progress, and broken lesson files with their errors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.console import Group
from rich.padding import Padding
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from tutor.course import Course, Lesson
from tutor.i18n import N_, _
from tutor.text import printable
from tutor.ui.translated import TranslatedScreen
from tutor.ui.widgets.release import Footer
from tutor.ui.widgets.status_bar import StatusBar
from tutor.ui.widgets.too_small import TooSmall

if TYPE_CHECKING:
    from tutor.progress import ProgressStore


def progress_text(lesson: Lesson, progress: ProgressStore) -> tuple[str, bool]:
    """`3/7 steps · 2/4 quizzes` for a lesson, and whether it is complete."""
    steps = len(progress.completed_steps(lesson.id) & set(range(len(lesson.steps))))
    status = progress.quiz_status(lesson.id)
    quiz_ids = [q.id for q in lesson.quizzes]
    saved = [status[q] for q in quiz_ids if q in status]
    solved = sum(1 for q in saved if q.solved)
    helped = sum(1 for q in saved if q.solved or q.revealed)
    complete = steps == len(lesson.steps) and helped == len(quiz_ids)
    return _("{done}/{steps} steps · {solved}/{quizzes} quizzes").format(
        done=steps, steps=len(lesson.steps), solved=solved, quizzes=len(quiz_ids)), complete


class LessonOptions(OptionList):
    """The lessons: Enter opens the highlighted one. A binding of the list itself, not a
    priority one of the screen: Enter then waits behind the arrow keys typed before it (in one
    burst, `↓ ↓ Enter` opened the lesson highlighted before the arrows)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", N_("Open"), id="open-lesson",
                tooltip=N_("Open the highlighted lesson at its last step")),
    ]


class LessonListScreen(TranslatedScreen[None]):
    """Pick a lesson; the last one worked on is highlighted, so Enter resumes it."""

    @dataclass
    class OpenLesson(Message):
        """The learner chose lesson `lesson_id`."""

        lesson_id: str

    def __init__(self, course: Course, progress: Callable[[], ProgressStore]) -> None:
        super().__init__()
        self.course = course
        self.progress = progress
        """The progress store, opened on first use (after the first frame)."""
        self._progress_shown = False

    def compose(self) -> ComposeResult:
        yield StatusBar()
        yield Label(_("Lessons: ↑/↓ to choose, Enter to open (resumes at the last step)"),
                    id="list-title")
        yield LessonOptions(id="lessons")
        yield Footer(compact=True)
        yield TooSmall()

    def on_mount(self) -> None:
        self.query_one(StatusBar).location = _("tutor › lessons")
        # Titles first; progress (and the resumed lesson) a moment later, after the first frame.
        self.refresh_lessons(with_progress=False)
        self.query_one(OptionList).focus()
        self.call_after_refresh(self._show_progress)

    def _show_progress(self) -> None:
        options = self.query_one(OptionList)
        moved = options.highlighted not in (None, 0)  # keys pressed before this ran win
        current = options.highlighted_option
        last = self.progress().last_lesson()
        self.refresh_lessons(highlight=current.id if moved and current else last)
        self._progress_shown = True

    def on_screen_resume(self) -> None:
        if not self._progress_shown:
            return  # the app's start: titles first, progress after the first frame (on_mount)
        options = self.query_one(OptionList)
        highlighted = options.highlighted_option
        self.refresh_lessons(highlight=highlighted.id if highlighted else None)

    def refresh_lessons(self, highlight: str | None = None, *, with_progress: bool = True
                        ) -> None:
        """Rebuild the list from the course and (unless told not to) the progress store."""
        options = self.query_one(OptionList)
        options.clear_options()
        course = self.course
        for number, lesson in enumerate(course.lessons, 1):
            done, complete = (progress_text(lesson, self.progress()) if with_progress
                              else ("", False))
            title = Text()
            title.append("✓ " if complete else "  ")
            title.append(printable(f"{number}. {lesson.title}"), style="bold")
            title.append(f"  {done}")
            summary = Padding(Text(printable(lesson.summary), style="italic"), (0, 0, 0, 5))
            prompt = Group(title, summary) if lesson.summary else title
            options.add_option(Option(prompt, id=lesson.id))
        for file, errors in course.broken().items():
            title = Text(_("✗ {file}: cannot be opened").format(file=Path(file).name),
                         style="bold")
            details = [Padding(Text(printable(str(error))), (0, 0, 0, 5)) for error in errors]
            options.add_option(Option(Group(title, *details), id=f"broken:{file}",
                                      disabled=True))
        if not course.lessons:
            options.add_option(Option(_("No lessons found in {folder}.").format(
                folder=course.directory), disabled=True))

        ids = [lesson.id for lesson in course.lessons]
        if ids:
            options.highlighted = ids.index(highlight) if highlight in ids else 0

    @on(OptionList.OptionSelected, "#lessons")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id and not event.option.id.startswith("broken:"):
            self.post_message(self.OpenLesson(event.option.id))
