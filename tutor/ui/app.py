"""The tutor app: owns the course, the runner and the progress store; screens render them."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.driver import Driver
from textual.reactive import reactive
from textual.screen import Screen

from tutor.course import Course
from tutor.runner.state import RunnerError, RunnerState
from tutor.ui.labels import device_label, state_label
from tutor.ui.legible import legible_variables
from tutor.ui.messages import RunnerStateChanged
from tutor.ui.screens.lesson_list import LessonListScreen

if TYPE_CHECKING:
    from tutor.progress import ProgressStore
    from tutor.runner.client import Runner
    from tutor.runner.session import CellSession

#: Colour systems of terminals with 16 colours: they get Textual's ANSI theme, drawn in the
#: terminal's own palette, since other themes reduced to 16 colours lose contrast (grey on grey).
SIXTEEN_COLOURS = ("standard", "windows")

#: Environment variable remapping keys by binding id, e.g. `run-cell=f5,ctrl+r;interrupt=f6`.
KEYMAP_VARIABLE = "TUTOR_KEYS"


def keymap_from_env(text: str) -> dict[str, str]:
    """Binding id -> keys from `id=keys;id=keys` (for terminals that take some F-keys)."""
    keymap = {}
    for item in text.split(";"):
        binding_id, _, keys = item.partition("=")
        if binding_id.strip() and keys.strip():
            keymap[binding_id.strip()] = keys.strip()
    return keymap


class TutorApp(App[int]):
    """Lesson list, lesson screens and help, over one runner shared by every lesson."""

    CSS_PATH = "tutor.tcss"
    TITLE = "tutor"
    HORIZONTAL_BREAKPOINTS = [  # noqa: RUF012 (App declares it without ClassVar)
        (0, "-too-narrow"), (80, "-narrow"), (120, "-wide"),
    ]
    VERTICAL_BREAKPOINTS = [  # noqa: RUF012
        (0, "-too-short"), (24, "-short"), (40, "-tall"),
    ]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help", priority=True, id="help"),
        Binding("question_mark", "help", "Help", show=False, id="help-question-mark"),
        Binding("ctrl+q", "quit", "Quit", priority=True, id="quit"),
    ]

    device_text: reactive[str] = reactive("device: …")
    """The device the runner computes on, for the status bar."""
    runner_text: reactive[str] = reactive(state_label(RunnerState.STARTING))
    """The runner's state in words, for the status bar."""
    runner_class: reactive[str] = reactive("-starting")
    """A CSS class naming the runner's state, to colour it."""

    def __init__(
        self,
        course: Course,
        *,
        runner: Runner | None = None,
        progress: ProgressStore | None = None,
        lesson: str | None = None,
        device: str = "auto",
    ) -> None:
        super().__init__()
        self.course = course
        self.owns_runner = runner is None
        self.device = device
        self._runner = runner
        self.owns_progress = progress is None
        self._progress = progress
        self.start_lesson = lesson
        self._runner_started = asyncio.Event()
        self.set_keymap(keymap_from_env(os.environ.get(KEYMAP_VARIABLE, "")))

    def get_css_variables(self) -> dict[str, str]:
        """The theme's variables, its text colours made legible on its backgrounds."""
        variables = super().get_css_variables()
        return {**variables, **legible_variables(variables)}

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver for this platform, tolerant of input that is not UTF-8."""
        from tutor.ui.input_driver import tolerant

        return tolerant(super().get_driver_class())

    def get_default_screen(self) -> Screen[Any]:
        return LessonListScreen()

    @property
    def progress(self) -> ProgressStore:
        """The progress store, opened on first use (the lesson list asks after its first frame)."""
        if self._progress is None:
            from tutor.progress import ProgressStore

            self._progress = ProgressStore()
        return self._progress

    @property
    def runner(self) -> Runner:
        """The runner, created on first use: its client is not needed for the first frame."""
        if self._runner is None:
            from tutor.runner.client import Runner

            self._runner = Runner(self.device)
            self._runner.on_state = self._runner_state
        return self._runner

    def on_mount(self) -> None:
        if not self.is_headless and self.console.color_system in SIXTEEN_COLOURS:
            self.theme = "ansi-dark"
        if self.start_lesson is not None:
            self.open_lesson(self.start_lesson)
        self.call_after_refresh(self._report_progress_problem)
        if self.owns_runner:
            # After the first frame is drawn: spawning the zygote must not delay it.
            self.call_after_refresh(self.start_runner)
        else:
            self.runner.on_state = self._runner_state
            self._show_runner(self.runner.state, self.runner.reason)

    def _report_progress_problem(self) -> None:
        """Say once, after the first frame, when progress is not being saved or was moved."""
        if self.progress.problem:
            self.notify(self.progress.problem, title="Progress", severity="warning", timeout=10)

    async def on_unmount(self) -> None:
        if self._runner is not None:
            self._runner.on_state = None
            if self.owns_runner:
                await self._runner.close()
        if self.owns_progress and self._progress is not None:
            self._progress.close()

    @work(exclusive=True, exit_on_error=False, group="runner-start")
    async def start_runner(self) -> None:
        """Start the runner after the first frame; its state arrives through `on_state`."""
        try:
            await self.runner.start()
        except RunnerError as exc:
            self.notify(str(exc), title="Runner", severity="error", timeout=15)

    @work(exit_on_error=False, group="close-sessions")
    async def close_sessions(self, sessions: list[CellSession]) -> None:
        """End the workers of a closed lesson screen's namespaces.

        Not exclusive: two screens closing in quick succession must both be freed, and an
        exclusive worker would cancel the first before it ran.
        """
        for session in sessions:
            await session.close()

    def _runner_state(self, state: RunnerState, reason: str | None) -> None:
        """Runner callback (on this event loop): hand the news to the app as a message."""
        self.post_message(RunnerStateChanged(state, reason))

    @on(RunnerStateChanged)
    def _runner_changed(self, event: RunnerStateChanged) -> None:
        self._show_runner(event.state, event.reason)

    def _show_runner(self, state: RunnerState, reason: str | None) -> None:
        if state in (RunnerState.READY, RunnerState.BUSY, RunnerState.RESTARTING):
            self.device_text = device_label(self.runner.device_info)
            self._runner_started.set()
        if state == RunnerState.DEAD:
            self._runner_started.set()
        self.runner_text = state_label(state)
        self.runner_class = f"-{state.value}"

    async def runner_ready(self) -> Runner:
        """The runner, once it has started (RunnerError if it could not)."""
        await self._runner_started.wait()
        if self.runner.state == RunnerState.DEAD:
            raise RunnerError(self.runner.reason or "The runner is not running.")
        return self.runner

    def open_lesson(self, lesson_id: str) -> None:
        """Open a lesson at the step the learner was last on."""
        lesson = self.course.lesson(lesson_id)
        if lesson is None:
            self.notify(f"No lesson '{lesson_id}'.", severity="error")
            return
        step = self.progress.position(lesson.id) or 0
        # Imported on first use: the editor, Markdown and grading are not needed for the first
        # frame, which must not wait for them (see bench/first_frame.py).
        from tutor.ui.screens.lesson import LessonScreen

        screen = LessonScreen(lesson, step)
        if isinstance(self.screen, LessonScreen):
            self.switch_screen(screen)  # one lesson at a time: the old one frees its workers
        else:
            self.push_screen(screen)

    def action_help(self) -> None:
        from tutor.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The palette lists the current screen's actions with their keys, then the app's."""
        yield from super().get_system_commands(screen)
        seen = set()
        for node in (screen, self):
            for _key, binding in node._bindings:
                if not binding.description or binding.action in seen:
                    continue
                seen.add(binding.action)
                keys = ", ".join(k for k, b in node._bindings if b.action == binding.action)
                yield SystemCommand(
                    f"{binding.description} ({keys})",
                    binding.tooltip or binding.description,
                    lambda node=node, action=binding.action: self.call_later(
                        node.run_action, action),
                )
