"""The lesson list: every lesson with its progress, and broken lesson files with their errors."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.console import Group
from rich.padding import Padding
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Label, OptionList
from textual.widgets.option_list import Option

from tutor.course import Course, Lesson, LessonError
from tutor.progress import ProgressStore
from tutor.ui.widgets.status_bar import StatusBar
from tutor.ui.widgets.too_small import TooSmall

if TYPE_CHECKING:
    from tutor.ui.app import TutorApp


def progress_text(lesson: Lesson, progress: ProgressStore) -> tuple[str, bool]:
    """`3/7 steps · 2/4 quizzes` for a lesson, and whether it is complete."""
    steps = len(progress.completed_steps(lesson.id) & set(range(len(lesson.steps))))
    status = progress.quiz_status(lesson.id)
    quiz_ids = [q.id for q in lesson.quizzes]
    solved = sum(1 for q in quiz_ids if status.get(q, {}).get("solved"))
    helped = sum(1 for q in quiz_ids
                 if status.get(q, {}).get("solved") or status.get(q, {}).get("revealed"))
    complete = steps == len(lesson.steps) and helped == len(quiz_ids)
    return f"{steps}/{len(lesson.steps)} steps · {solved}/{len(quiz_ids)} quizzes", complete


def broken_files(course: Course) -> dict[str, list[LessonError]]:
    """Errors grouped by lesson file, in file order."""
    grouped: dict[str, list[LessonError]] = defaultdict(list)
    for error in course.errors:
        grouped[error.file].append(error)
    return dict(sorted(grouped.items()))


class LessonListScreen(Screen[None]):
    """Pick a lesson; the last one worked on is highlighted, so Enter resumes it."""

    app: TutorApp

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_lesson", "Open", id="open-lesson", priority=True,
                tooltip="Open the highlighted lesson at its last step"),
    ]

    def compose(self) -> ComposeResult:
        yield StatusBar()
        yield Label("Lessons: ↑/↓ to choose, Enter to open (resumes at the last step)",
                    id="list-title")
        yield OptionList(id="lessons")
        yield Footer(compact=True)
        yield TooSmall()

    def on_mount(self) -> None:
        self.query_one(StatusBar).location = "tutor › lessons"
        self.refresh_lessons(highlight=self.app.progress.last_lesson())
        self.query_one(OptionList).focus()

    def on_screen_resume(self) -> None:
        options = self.query_one(OptionList)
        highlighted = options.highlighted_option
        self.refresh_lessons(highlight=highlighted.id if highlighted else None)

    def refresh_lessons(self, highlight: str | None = None) -> None:
        """Rebuild the list from the course and the progress store."""
        options = self.query_one(OptionList)
        options.clear_options()
        course = self.app.course
        for number, lesson in enumerate(course.lessons, 1):
            done, complete = progress_text(lesson, self.app.progress)
            title = Text()
            title.append("✓ " if complete else "  ")
            title.append(f"{number}. {lesson.title}", style="bold")
            title.append(f"  {done}")
            summary = Padding(Text(lesson.summary, style="dim"), (0, 0, 0, 5))
            prompt = Group(title, summary) if lesson.summary else title
            options.add_option(Option(prompt, id=lesson.id))
        for file, errors in broken_files(course).items():
            title = Text(f"✗ {Path(file).name}: cannot be opened", style="bold")
            details = [Padding(Text(str(error)), (0, 0, 0, 5)) for error in errors]
            options.add_option(Option(Group(title, *details), id=f"broken:{file}",
                                      disabled=True))
        if not course.lessons:
            options.add_option(Option("No lessons found.", disabled=True))
        ids = [lesson.id for lesson in course.lessons]
        if ids:
            options.highlighted = ids.index(highlight) if highlight in ids else 0

    @on(OptionList.OptionSelected, "#lessons")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id and not event.option.id.startswith("broken:"):
            self.app.open_lesson(event.option.id)

    def action_open_lesson(self) -> None:
        option = self.query_one(OptionList).highlighted_option
        if option is not None and option.id and not option.id.startswith("broken:"):
            self.app.open_lesson(option.id)
