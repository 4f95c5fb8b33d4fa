"""The tutor app: owns the course, the runner and the progress store; screens render them."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.driver import Driver
from textual.reactive import reactive
from textual.screen import Screen

from tutor.course import Course
from tutor.i18n import N_, _
from tutor.runner.state import RunnerError, RunnerState
from tutor.settings import Settings, SettingsError, keymap, save_setting
from tutor.ui.class_messages import watch_class_messages
from tutor.ui.labels import device_label, state_label
from tutor.ui.legible import legible_variables
from tutor.ui.messages import RunnerStateChanged
from tutor.ui.screens.lesson_list import LessonListScreen
from tutor.ui.translated import translated_commands

#: The status bar's device before the runner says which it is.
DEVICE_UNKNOWN = N_("device: …")
#: Seconds between the first frame and the runner's launch. The zygote's import of torch takes
#: a core at once; started right after the first refresh it competed with the terminal for the
#: first frame itself (on a busy 2-core machine: 650 ms to a first frame, 560 ms with this; see
#: BENCHMARKS.md, "UI"). Against a runner that is ready 1-3 s later, the delay is small.
RUNNER_START_DELAY_S = 0.1

if TYPE_CHECKING:

    from tutor.progress import ProgressStore
    from tutor.progress.writer import ProgressWriter
    from tutor.runner.client import Runner

#: Colour systems of terminals with 16 colours: they get Textual's ANSI theme, drawn in the
#: terminal's own palette, since other themes reduced to 16 colours lose contrast (grey on grey).
SIXTEEN_COLOURS = ("standard", "windows")


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
        Binding("f1", "help", N_("Help"), priority=True, id="help"),
        Binding("question_mark", "help", N_("Help"), show=False, id="help-question-mark"),
        Binding("ctrl+q", "quit", N_("Quit"), priority=True, id="quit"),
    ]

    device_text: reactive[str] = reactive(DEVICE_UNKNOWN)
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
        settings: Settings | None = None,
        notes: Iterable[str] = (),
    ) -> None:
        super().__init__()
        self.set_reactive(TutorApp.device_text, _(DEVICE_UNKNOWN))
        self.set_reactive(TutorApp.runner_text, state_label(RunnerState.STARTING))

        self.course = course
        self.owns_runner = runner is None
        self.device = device
        self._runner = runner
        self.owns_progress = progress is None
        self._progress = progress
        self._writer: ProgressWriter | None = None
        self._startup_notes: list[str] = list(notes)
        """Said once after the first frame (a language that is not available, a theme)."""

        self.start_lesson = lesson
        #: Each lesson's cell sources as the learner left them, while the app runs (not saved
        #: between runs; README, "The lesson screen").
        self.cell_sources: dict[str, list[str]] = {}
        self._runner_started = asyncio.Event()
        self.settings = settings if settings is not None else Settings()
        """The settings file's contents; the theme chosen in the app is saved back to it."""
        self.set_keymap(keymap(self.settings))
        if self.settings.theme:
            if self.settings.theme in self.available_themes:
                self.theme = self.settings.theme
            else:
                self._startup_notes.append(
                    _("Unknown theme {theme} in {path}; themes: {themes}.").format(
                        theme=repr(self.settings.theme), path=self.settings.path,
                        themes=", ".join(sorted(self.available_themes))))

    def get_css_variables(self) -> dict[str, str]:
        """The theme's variables, its text colours made legible on its backgrounds."""
        variables = super().get_css_variables()
        return {**variables, **legible_variables(variables)}

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver for this platform, tolerant of input that is not UTF-8."""
        from tutor.ui.input_driver import tolerant

        return tolerant(super().get_driver_class())

    def get_default_screen(self) -> Screen[Any]:
        return LessonListScreen(self.course, lambda: self.progress)

    @property
    def progress(self) -> ProgressStore:
        """The progress store, opened on first use (the lesson list asks after its first frame)."""
        if self._progress is None:
            from tutor.progress import ProgressStore

            self._progress = ProgressStore()
        return self._progress

    @property
    def progress_writer(self) -> ProgressWriter:
        """Writes to the progress store, in order, off the event loop (each commit fsyncs)."""
        if self._writer is None:
            from tutor.progress.writer import ProgressWriter

            self._writer = ProgressWriter(self.progress)
        return self._writer

    @property
    def runner(self) -> Runner:
        """The runner, created on first use: its client is not needed for the first frame."""
        if self._runner is None:
            from tutor.runner.client import Runner
            from tutor.runner.shared import runner_options

            self._runner = Runner(self.device, **runner_options())
            self._runner.on_state = self._runner_state
        return self._runner

    def on_mount(self) -> None:
        if not self.is_headless and self.console.color_system in SIXTEEN_COLOURS:
            self.theme = "ansi-dark"
        if self.start_lesson is not None:
            self.open_lesson(self.start_lesson)
        self.call_after_refresh(self._report_progress_problem)
        watch_class_messages(self)
        for note in self._startup_notes:
            self.notify(note, title=_("Settings"), severity="warning", timeout=10)
        self.theme_changed_signal.subscribe(self, self._save_theme)
        if self.owns_runner:
            # After the first frame is drawn and on the terminal: spawning the zygote must not
            # delay it.
            self.call_after_refresh(self.set_timer, RUNNER_START_DELAY_S, self.start_runner)
        else:
            self.runner.on_state = self._runner_state
            self._show_runner(self.runner.state, self.runner.reason)

    def _report_progress_problem(self) -> None:
        """Say once, after the first frame, when progress is not being saved or was moved."""
        if self.progress.problem:
            self.notify(self.progress.problem, title=_("Progress"), severity="warning",
                        timeout=10)

    def _save_theme(self, theme: object) -> None:
        """Keep a theme chosen in the app (command palette: Theme) in the settings file."""
        name = self.theme
        if self.settings.path is None or name == self.settings.theme:
            return
        try:
            save_setting(self.settings.path, "theme", name)
        except (OSError, SettingsError) as exc:
            self.notify(_("The theme could not be saved in {path}: {error}").format(
                path=self.settings.path, error=exc), severity="warning", timeout=6)
            return
        self.settings = dataclasses.replace(self.settings, theme=name)

    async def on_unmount(self) -> None:
        if self._runner is not None:
            self._runner.on_state = None
            if self.owns_runner:
                await self._runner.close()
        if self._writer is not None:
            self._writer.close()  # the queued writes land before the store closes
        if self.owns_progress and self._progress is not None:
            self._progress.close()

    @work(exclusive=True, exit_on_error=False, group="runner-start")
    async def start_runner(self) -> None:
        """Start the runner after the first frame; its state arrives through `on_state`."""
        try:
            await self.runner.start()
        except RunnerError as exc:
            if self.device == "cpu":
                self.notify(str(exc), title=_("Runner"), severity="error", timeout=15)
            else:
                from tutor.ui.screens.device_choice import DeviceChoiceScreen

                self.push_screen(DeviceChoiceScreen(self.device, str(exc)), self._chose_device)

    def _chose_device(self, use_cpu: bool | None) -> None:
        """After the runner failed on the requested device: start one on the CPU if wanted."""
        if not use_cpu:
            self.notify(_("No runner: cells cannot run. Restart tutor with --device cpu."),
                        title=_("Runner"), severity="warning", timeout=10)
            return
        self.device = "cpu"
        self._runner = None
        self._runner_started.clear()
        from tutor.ui.screens.lesson import LessonScreen

        for screen in self.screen_stack:
            if isinstance(screen, LessonScreen):
                screen.session.use_runner(self.runner)
        self.start_runner()

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
            raise RunnerError(self.runner.reason or _("The runner is not running."))
        return self.runner

    def open_lesson(self, lesson_id: str) -> None:
        """Open a lesson at the step the learner was last on."""
        lesson = self.course.lesson(lesson_id)
        if lesson is None:
            self.notify(_("No lesson '{lesson}'.").format(lesson=lesson_id), severity="error")
            return
        step = self.progress.position(lesson.id) or 0
        # Imported on first use: the editor, Markdown and grading are not needed for the first
        # frame, which must not wait for them (see bench/first_frame.py).
        from tutor.study import LessonSession
        from tutor.ui.screens.lesson import LessonScreen

        session = LessonSession(lesson, self.runner, self.progress, self.progress_writer,
                                runner_ready=self.runner_ready,
                                sources=self.cell_sources.get(lesson.id))
        # The session edits this list in place: leaving the lesson and coming back keeps them.
        self.cell_sources[lesson.id] = session.cells.sources
        screen = LessonScreen(session, step)
        if isinstance(self.screen, LessonScreen):
            self.switch_screen(screen)  # one lesson at a time: the old one frees its workers
        else:
            self.push_screen(screen)

    @on(LessonListScreen.OpenLesson)
    def _open_chosen(self, event: LessonListScreen.OpenLesson) -> None:
        self.open_lesson(event.lesson_id)

    def action_help(self) -> None:
        from tutor.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen, keymap(self.settings)))

    def action_command_palette(self) -> None:
        """The command palette, with its placeholder in the interface language."""
        from textual.command import CommandPalette

        if self.use_command_palette and not isinstance(self.screen, CommandPalette):
            self.push_screen(CommandPalette(placeholder=_("Search for commands…"),
                                            id="--command-palette"))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The palette lists the current screen's actions with their keys, then the app's."""
        yield from translated_commands(super().get_system_commands(screen))

        seen = set()
        active_bindings = screen.active_bindings
        for active in active_bindings.values():
            binding = active.binding
            if active.node not in (screen, self) or not binding.description \
                    or binding.action in seen:
                continue
            seen.add(binding.action)
            keys = ", ".join(
                key for key, other in active_bindings.items()
                if other.binding.action == binding.action and other.node is active.node)
            yield SystemCommand(
                f"{binding.description} ({keys})",
                binding.tooltip or binding.description,
                lambda node=active.node, action=binding.action: self.call_later(
                    node.run_action, action),
            )
