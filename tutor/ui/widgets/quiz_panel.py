"""One quiz: the question, an answer field, the verdict, hints, reveal and attempts."""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Input, Label, Static

from tutor.course import Quiz
from tutor.grading import QuizAttempts, Verdict
from tutor.grading.choices import numeric_choices
from tutor.i18n import N_, _
from tutor.ui.widgets.keys_in_order import KeysInOrder
from tutor.ui.widgets.prose import Prose

#: What to type, per quiz type (the answer field's placeholder). The examples show the accepted
#: forms and must never be, or be near, the answer of a shipped lesson (compare them with the
#: `expected` values of `tutor check --json`); a test checks each example is itself accepted.
#: Each quiz type's name in the panel's title.
TYPE_NAMES = {"number": N_("number"), "shape": N_("shape"), "dtype": N_("dtype"),
              "tensor": N_("tensor"), "choice": N_("choice"), "text": N_("text"),
              "code": N_("code"), "task": N_("task")}
PLACEHOLDERS = {
    "number": N_("a number, e.g. 3.14 or 1.2e-3"),
    "shape": N_("a shape, e.g. (4, 7) or 4x7"),
    "dtype": N_("a dtype, e.g. torch.int8 or bool"),
    "tensor": N_("values, e.g. [[9, 8], [7, 6]]"),
    "choice": N_("a letter, a number or the text of a choice"),
    "text": N_("a word or a short phrase"),
    "code": N_("a Python expression, run in the lesson's namespace"),
    "task": N_("nothing to type: Enter checks your cells"),
}

#: Inline Markdown in hints and explanations: `code`, **bold**, *italic*.
_INLINE = re.compile(r"`([^`\n]+)`|\*\*(.+?)\*\*|(?<![\w*])\*(?![\s*])(.+?)(?<![\s*])\*(?![\w*])")


def inline_markdown(text: str) -> Content:
    """A hint or an explanation as the question renders it: code and emphasis styled, the
    Markdown marks (backticks, asterisks) gone."""
    parts: list[str | tuple[str, str]] = []
    at = 0
    for match in _INLINE.finditer(text):
        code, bold, italic = match.groups()
        parts += [text[at:match.start()], (code, "bold") if code is not None else
                  (bold, "bold") if bold is not None else (italic, "italic")]
        at = match.end()
    parts.append(text[at:])
    return Content.assemble(*parts)


class AnswerField(KeysInOrder, Input):
    """A quiz's answer field: Backspace, the arrows and Enter act in the order typed."""


class QuizPanel(Vertical):
    """Shows one quiz and its state; answers, hints and reveals go up as messages."""

    @dataclass
    class Answered(Message):
        """The learner submitted `text` as the answer to quiz `quiz_id`."""

        quiz_id: str
        text: str

    @dataclass
    class HintRequested(Message):
        """The learner asked for the next hint."""

        quiz_id: str

    @dataclass
    class RevealRequested(Message):
        """The learner asked to see the computed answer."""

        quiz_id: str

    def __init__(self, quiz: Quiz, state: QuizAttempts) -> None:
        super().__init__(id=f"quiz-{quiz.id}", classes="quiz")
        self.quiz = quiz
        self.state = state

    def compose(self) -> ComposeResult:
        kind = TYPE_NAMES.get(self.quiz.type)
        yield Label(_("Quiz · {kind}").format(kind=_(kind) if kind else self.quiz.type),
                    classes="quiz-title")
        yield Prose(self.quiz.ask, classes="quiz-ask")
        if self.quiz.choices:
            yield Static("\n".join(
                f"  {string.ascii_lowercase[i] if i < 26 else i + 1}) {choice}"
                for i, choice in enumerate(self.quiz.choices)
            ), classes="quiz-choices", markup=False)
        with Horizontal(classes="quiz-row"):
            yield AnswerField(placeholder=placeholder(self.quiz.type, self.quiz.choices),
                              classes="quiz-answer", select_on_focus=False, compact=True)
            yield Button(_("Check"), classes="quiz-check", compact=True)
            yield Button(_("Hint"), classes="quiz-hint", compact=True)
            yield Button(_("Reveal"), classes="quiz-reveal", compact=True)
        yield Static("", classes="quiz-verdict", markup=False)
        yield Static("", classes="quiz-note", markup=False)
        yield Static("", classes="quiz-hints", markup=False)
        yield Static("", classes="quiz-explain", markup=False)
        yield Label("", classes="quiz-attempts")

    def on_mount(self) -> None:
        self.show_note("")
        self._show_hints()
        self._show_attempts()
        if self.state.solved:
            self._set_verdict(_("✓ Solved."), "-right")

    @property
    def answer_field(self) -> Input:
        return self.query_one(".quiz-answer", Input)

    @on(Input.Submitted, ".quiz-answer")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._answer(event.value)

    @on(Button.Pressed, ".quiz-check")
    def _check(self, event: Button.Pressed) -> None:
        event.stop()
        self._answer(self.answer_field.value)

    @on(Button.Pressed, ".quiz-hint")
    def _hint(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.HintRequested(self.quiz.id))

    @on(Button.Pressed, ".quiz-reveal")
    def _reveal(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.RevealRequested(self.quiz.id))

    def _answer(self, text: str) -> None:
        if not text.strip() and self.quiz.type != "task":
            self._set_verdict(_("Type an answer first: {form}").format(
                form=placeholder(self.quiz.type, self.quiz.choices)), "")
            return
        self._set_verdict(_("checking…"), "-checking")
        self.post_message(self.Answered(self.quiz.id, text))

    def _set_verdict(self, text: str, kind: str) -> None:
        verdict = self.query_one(".quiz-verdict", Static)
        verdict.update(text)
        verdict.set_classes(f"quiz-verdict {kind}".strip())

    def _show_hints(self) -> None:
        shown = self.state.shown_hints(self.quiz.hints)
        hints = self.query_one(".quiz-hints", Static)
        lines = []
        for number, hint in enumerate(shown, 1):
            before, _hint, after = _("Hint {number}: {hint}").partition("{hint}")
            lines.append(Content.assemble(before.format(number=number), inline_markdown(hint),
                                          after.format(number=number)))
        hints.update(Content("\n").join(lines))
        hints.display = bool(shown)

    def _show_attempts(self) -> None:
        parts = [_("attempts: {count}").format(count=self.state.attempts),
                 _("hints: {shown}/{total}").format(shown=self.state.hints_shown,
                                                    total=len(self.quiz.hints))]
        if self.state.revealed:
            parts.append(_("answer revealed"))
        self.query_one(".quiz-attempts", Label).update(" · ".join(parts))

    def _show_explain(self) -> None:
        explain = self.query_one(".quiz-explain", Static)
        explain.update(inline_markdown(self.quiz.explain))
        explain.display = bool(self.quiz.explain)

    def show_verdict(self, verdict: Verdict, *, not_counted: str = "") -> None:
        """Show a graded answer (the session has already recorded it in `state`);
        `not_counted` says why it was not counted as an attempt, if it was not."""
        if verdict.correct:
            self._set_verdict(f"✓ {verdict.message}", "-right")
            self._show_explain()
        elif verdict.kind == "unparseable" or not verdict.counted:
            self._set_verdict(f"? {verdict.message} {not_counted}".rstrip(), "-unparseable")
        else:
            self._set_verdict(f"✗ {verdict.message} {not_counted}".rstrip(), "-wrong")
        self._show_attempts()
        self._keep_in_view()

    def show_recheck(self, verdict: Verdict) -> None:
        """Show a check of an already solved quiz: graded for curiosity, never counted."""
        mark = "✓" if verdict.correct else "?" if verdict.kind == "unparseable" else "✗"
        self._set_verdict(
            _("Already solved; this check is not counted. {mark} {message}").format(
                mark=mark, message=verdict.message),
            "-right" if verdict.correct else "-wrong")
        self._keep_in_view()

    def show_note(self, note: str) -> None:
        """A line under the verdict (e.g. that answers come from the lesson's own code)."""
        line = self.query_one(".quiz-note", Static)
        line.update(note)
        line.display = bool(note)

    def show_problem(self, message: str) -> None:
        """The tutor could not grade (a fault in the lesson or the runner), in one sentence."""
        self._set_verdict(f"! {message}", "-wrong")

    def show_hint(self, hint: str | None) -> None:
        """Redraw the hints after one more was shown (None: there are no more)."""
        self._show_hints()
        self._show_attempts()
        self._keep_in_view()
        if hint is None:
            self.notify(_("No more hints for this quiz."), timeout=3)

    def show_answer(self, text: str) -> None:
        """Show the computed answer after a reveal."""
        self._set_verdict(_("Answer: {answer}").format(answer=text), "-revealed")
        self._show_explain()
        self._show_attempts()
        self._keep_in_view()

    def _keep_in_view(self) -> None:
        """Scroll the step so the panel's last line (below the verdict and explanation) shows,
        and the verdict's first line in any case (in a short view it comes first)."""
        last = self.query_one(".quiz-attempts", Label)
        verdict = self.query_one(".quiz-verdict", Static)

        def scroll() -> None:
            last.scroll_visible(animate=False, immediate=True)
            verdict.scroll_visible(animate=False, immediate=True)

        self.call_after_refresh(scroll)


def placeholder(kind: str, choices: Sequence[str] = ()) -> str:
    """What to type in a quiz of this type, in the interface language (choices that are
    numbers are picked by letter or value, never by position)."""
    if kind == "choice" and numeric_choices(choices):
        return _("a letter, or the number a choice shows")
    return _(PLACEHOLDERS[kind]) if kind in PLACEHOLDERS else _("your answer")
