"""One learner working through one lesson, without any UI: what the lesson screen shows and does.

The session holds the lesson's cells (as edited and as written) and what has run, the quizzes'
attempts and verdicts, the expected-value cache and step completion; it runs cells and grades
answers through the runner and hands progress writes to a `ProgressWriter` (off the event loop).
The screen renders what the methods here return. See docs/architecture.md, "The lesson session".
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from tutor.course import Lesson, Quiz, Step
from tutor.grading import (
    ExpectedValueError,
    QuizAttempts,
    Verdict,
    grade_quiz,
    grade_task,
    syntax_problem,
)
from tutor.grading.choices import in_quiz_language
from tutor.i18n import N_, _
from tutor.progress import ProgressStore
from tutor.progress.writer import ProgressWriter
from tutor.runner import wire
from tutor.runner.client import Runner, RunnerError
from tutor.runner.session import CellSession
from tutor.study.cells import Cells
from tutor.study.quizzes import (
    code_verdict,
    evaluate_code,
    record,
    remember_wrong,
)

#: Under a verdict, when the learner's cells above the quiz are not the lesson's.
EDITED_NOTE = N_("Your cells differ from the lesson's: answers are computed from the lesson's "
                 "own code (F9 puts it back in a cell).")


@dataclass(frozen=True)
class RunOutcome:
    """A cell run: the runner's result (cell states are in `LessonSession.cells` after it)."""

    result: wire.ExecuteResult
    lesson_completed: bool


@dataclass(frozen=True)
class CheckOutcome:
    """A graded answer: the verdict, whether it counted, and notes to show under it."""

    verdict: Verdict
    not_counted: str
    """What to say after a verdict that was not counted ("" when it counted, or when its own
    message says so)."""
    already_solved: bool
    note: str
    lesson_completed: bool


class LessonSession:
    """The state of one lesson being studied, and the operations the lesson screen offers."""

    def __init__(
        self,
        lesson: Lesson,
        runner: Runner,
        progress: ProgressStore,
        writer: ProgressWriter,
        *,
        runner_ready: Callable[[], Awaitable[object]],
        sources: list[str] | None = None,
    ) -> None:
        self.lesson = lesson
        self.runner = runner
        self.progress = progress
        self.writer = writer
        self.runner_ready = runner_ready
        """Awaited before any runner call: raises RunnerError when the runner could not start."""
        self.cells = Cells([cell.source for cell in lesson.cells])
        if sources is not None and len(sources) == len(self.cells.originals):
            # The learner's edits from an earlier visit (the app keeps them while it runs).
            for index, source in enumerate(sources):
                if source != self.cells.originals[index]:
                    self.cells.edit(index, source)
        saved = progress.quiz_status(lesson.id)
        self.attempts: dict[str, QuizAttempts] = {
            quiz.id: saved.get(quiz.id) or QuizAttempts(quiz_id=quiz.id) for quiz in lesson.quizzes
        }
        self.earlier_wrong: dict[str, list[str]] = {}
        """Wrong answers saved by earlier sessions, per quiz, until the quiz is next checked."""
        for attempt in progress.attempts(lesson.id):
            if not attempt["correct"]:
                self.earlier_wrong.setdefault(attempt["quiz"], []).append(attempt["answer"])
        self.completed: set[int] = set(progress.completed_steps(lesson.id))
        self.expected: dict[str, Any] = {}
        self.learner = CellSession(runner, f"learner:{lesson.id}")
        self.reference = CellSession(runner, f"reference:{lesson.id}")
        self._announced = self.lesson_complete

    def use_runner(self, runner: Runner) -> None:
        """Compute with `runner` from now on (the first could not start on its device)."""
        self.runner = runner
        self.learner = CellSession(runner, self.learner.namespace)
        self.reference = CellSession(runner, self.reference.namespace)
        self.expected.clear()
        self.cells.ran_through = 0

    def step_at(self, wanted: int) -> int:
        """`wanted` clamped to the lesson's steps."""
        return max(0, min(wanted, len(self.lesson.steps) - 1))

    async def close(self) -> None:
        """End both namespaces' workers and let queued progress writes finish."""
        try:
            await self.learner.close()
            await self.reference.close()
        finally:
            await self.writer.flush()

    async def interrupt(self) -> None:
        """Stop the cell running in the learner's namespace (its run reports how it ended)."""
        await self.runner.interrupt(self.learner.namespace)

    def _device(self) -> dict[str, str]:
        info = self.runner.device_info
        return {"device": str(info.get("device", "")), "torch_version": str(info.get("torch", ""))}

    def visit(self, index: int) -> bool:
        """The learner is on step `index`: remember it; reading the last step of the lesson
        completes it when it has nothing to do. True when that completed the lesson."""
        self.writer.submit(self.progress.set_position, self.lesson.id, index)
        step = self.lesson.steps[index]
        if index == len(self.lesson.steps) - 1 and not step.cells and not step.quizzes:
            return self._complete(index)
        return False

    def leave(self, index: int) -> bool:
        """The learner goes on from step `index`: one with nothing to do is done by reading it."""
        step = self.lesson.steps[index]
        if not step.cells and not step.quizzes:
            return self._complete(index)
        return False

    def edit(self, index: int, source: str) -> None:
        """The learner changed cell `index` (or put it back)."""
        self.cells.edit(index, source)

    def cells_edited_before(self, quiz: Quiz) -> bool:
        """Whether any learner cell the quiz's answer depends on differs from the lesson's."""
        return self.cells.edited_before(quiz.cells_before)

    async def run_cell(
        self, index: int, on_output: Callable[[str], None] | None = None
    ) -> RunOutcome:
        """Run cell `index` after the cells before it, in the learner's namespace."""
        self.cells.running = index
        try:
            await self.runner_ready()
            result = await self.learner.run_cell(
                self.cells.sources, index, on_output=on_output, timeout=self.lesson.timeout)
        except RunnerError as exc:
            result = {"ok": False, "output": "", "truncated": False, "duration_s": 0.0,
                      "snapshot": wire.empty_snapshot(), "plots": [],
                      "error": wire.error("crash", str(exc))}
        finally:
            self.cells.running = None
        self.cells.after_run(index, result)
        # The cells before it ran too: a step whose quizzes were answered before its cells ran
        # is complete now, even when the learner ran them from a later step.
        completed = False
        for step in self.lesson.steps[:self.step_of_cell(index) + 1]:
            if step.cells and self._check_step(step.index):
                completed = True
        return RunOutcome(result, completed)

    def step_of_cell(self, index: int) -> int:
        for step in self.lesson.steps:
            if any(cell.index == index for cell in step.cells):
                return step.index
        return 0

    def step_of_quiz(self, quiz: Quiz) -> Step:
        return next(s for s in self.lesson.steps if any(q.id == quiz.id for q in s.quizzes))

    async def expected_value(self, quiz: Quiz) -> Any:
        """The quiz's answer, computed in the reference namespace from the lesson's own cells
        (cached); ExpectedValueError when the lesson's expression fails."""
        if quiz.answer is None:
            return None
        if quiz.id not in self.expected:
            await self.runner_ready()
            result = await evaluate_code(quiz, quiz.answer, lambda expression: (
                self.reference.evaluate_at(self.cells.originals, quiz.cells_before, expression,
                                           timeout=self.lesson.timeout)))
            if not result["ok"]:
                raise ExpectedValueError(
                    _("The tutor could not compute this quiz's answer: {error}").format(
                        error=result["error"]["message"]))
            # A translated choice quiz names its English choice: show and grade the translation.
            self.expected[quiz.id] = in_quiz_language(result["value"], quiz.choices,
                                                      quiz.answer_choices)
        return self.expected[quiz.id]

    async def _verdict(self, quiz: Quiz, text: str) -> Verdict:
        if quiz.type == "task":
            return await self._task_verdict(quiz)
        expected = await self.expected_value(quiz)
        earlier = self.earlier_wrong.pop(quiz.id, [])
        if earlier:
            remember_wrong(self.attempts[quiz.id], quiz, earlier, expected)
        if quiz.type != "code":
            return grade_quiz(quiz, text, expected)
        evaluated = None
        if syntax_problem(text) is None:  # never run what is not an expression
            evaluated = await evaluate_code(quiz, text, lambda expression: (
                self.reference.evaluate_at(self.cells.originals, quiz.cells_before, expression,
                                           fresh_copy=True, timeout=self.lesson.timeout)))
        return code_verdict(quiz, text, evaluated, expected, self.runner.memory_limit_mib)

    async def _task_verdict(self, quiz: Quiz) -> Verdict:
        """Evaluate a task's `check` (and `show`) in the learner's namespace after the learner's
        own cells up to the quiz, as they stand."""
        await self.runner_ready()
        check = quiz.check or "False"
        passed = await self.learner.evaluate_at(
            self.cells.sources, quiz.cells_before, f"bool({check})", timeout=self.lesson.timeout)
        self.cells.after_prefix(quiz.cells_before, passed)
        shown = None
        if passed["ok"] and quiz.show:
            shown = await self.runner.evaluate(
                self.learner.namespace, quiz.show, timeout=self.lesson.timeout)
        return grade_task(check, quiz.show, passed, shown,
                          memory_limit_mib=self.runner.memory_limit_mib)

    def answer_text(self, quiz: Quiz, text: str) -> str:
        """What the learner answered: for a task, their code in the cell above it."""
        if quiz.type == "task":
            return self.cells.sources[quiz.cells_before - 1] if quiz.cells_before else ""
        return text

    async def check(self, quiz: Quiz, text: str) -> CheckOutcome:
        """Grade `text` (ignored by a task) and record it when it counts.

        RunnerError or ValueError (ExpectedValueError) when the tutor could not grade at all.
        """
        state = self.attempts[quiz.id]
        already_solved = state.solved
        verdict = await self._verdict(quiz, text)
        text = self.answer_text(quiz, text)
        note = _(EDITED_NOTE) if quiz.type != "task" and self.cells_edited_before(quiz) else ""

        if already_solved:  # Enter on Check again, or curiosity: graded, never counted
            return CheckOutcome(verdict, "", True, note, False)
        counted, not_counted = record(state, text, verdict)
        if counted:
            self.writer.submit(
                self.progress.record_attempt, self.lesson.id, quiz.id, text, verdict.correct,
                verdict.message, revealed=state.revealed, **self._device())
        completed = self._check_step(self.step_of_quiz(quiz).index)
        return CheckOutcome(verdict, not_counted, False, note, completed)

    def hint(self, quiz: Quiz) -> str | None:
        """The next hint (counted and recorded), or None when every hint has been shown."""
        hint = self.attempts[quiz.id].next_hint(quiz.hints)
        if hint is not None:
            self.writer.submit(self.progress.record_hint, self.lesson.id, quiz.id)
        return hint

    async def reveal(self, quiz: Quiz) -> tuple[Any, bool]:
        """The computed answer (recorded as revealed), and whether that completed the lesson.

        A task reveals its solution (the new source of the cell above it) as text.
        """
        if quiz.type == "task":
            expected: Any = quiz.solution or ""
        else:
            expected = await self.expected_value(quiz)
        self.attempts[quiz.id].reveal()
        self.writer.submit(self.progress.record_reveal, self.lesson.id, quiz.id, **self._device())
        return expected, self._check_step(self.step_of_quiz(quiz).index)

    def _check_step(self, index: int) -> bool:
        """Complete step `index` once its cells ran and its quizzes are solved or revealed."""
        step = self.lesson.steps[index]
        cells_done = all(self.cells.has_run(cell.index) for cell in step.cells)
        quizzes_done = all(self._quiz_done(q.id) for q in step.quizzes)
        if cells_done and quizzes_done:
            return self._complete(index)
        return False

    def _quiz_done(self, quiz_id: str) -> bool:
        state = self.attempts[quiz_id]
        return state.solved or state.revealed

    def _complete(self, index: int) -> bool:
        """Record step `index` as done; True the first time the whole lesson is complete."""
        if index not in self.completed:
            self.completed.add(index)
            self.writer.submit(self.progress.complete_step, self.lesson.id, index)
        if not self._announced and self.lesson_complete:
            self._announced = True
            return True
        return False

    @property
    def lesson_complete(self) -> bool:
        """Every step done and every quiz solved or revealed."""
        steps = set(range(len(self.lesson.steps))) <= self.completed
        return steps and all(self._quiz_done(quiz_id) for quiz_id in self.attempts)
