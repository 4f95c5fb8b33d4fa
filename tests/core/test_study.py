"""The lesson session's plain parts: what ran, what counts as an attempt, and task verdicts."""

from __future__ import annotations

from tutor.grading import QuizAttempts, Verdict
from tutor.study.cells import Cells, CellState
from tutor.study.quizzes import NO_ATTEMPT, REPEATED, record, task_verdict

OK = {"ok": True}


def test_running_editing_and_failing_cells() -> None:
    cells = Cells(["a = 1", "b = a", "c = b"])
    cells.after_run(1, OK)
    assert cells.states() == {0: CellState.RAN, 1: CellState.RAN, 2: CellState.NOT_RUN}
    cells.edit(1, "b = a + 1")  # the namespace no longer holds cell 1 as it reads now
    assert cells.ran_through == 1 and cells.edited_before(2) and not cells.edited_before(1)
    cells.after_run(2, {"ok": False, "cell": 1})  # cell 1 failed first
    assert cells.states() == {0: CellState.RAN, 1: CellState.FAILED, 2: CellState.NOT_RUN}
    cells.edit(1, "b = a")  # back to the lesson's code: no longer failed
    assert cells.state(1) == CellState.NOT_RUN and not cells.edited_before(3)
    cells.after_prefix(3, {"ok": True, "value": True})
    assert cells.ran_through == 3


def test_attempts_repeat_and_unreadable() -> None:
    state, wrong = QuizAttempts(quiz_id="q"), set[str]()
    assert record(state, wrong, "13", Verdict.wrong("no")) == ""
    assert record(state, wrong, " 13", Verdict.wrong("no")) == REPEATED
    assert record(state, wrong, "abc", Verdict.unparseable("?")) == NO_ATTEMPT
    assert record(state, wrong, "14", Verdict.right("yes")) == ""
    assert state.attempts == 2 and state.solved and state.first_attempt_correct is False


def test_task_verdicts() -> None:
    checked_false = {"ok": True, "value": False}
    shown = {"ok": True, "repr": "0.52"}
    verdict = task_verdict("loss < 0.4", "loss", checked_false, shown)
    assert verdict.kind == "wrong"
    assert verdict.message == "Your `loss` is 0.52; the check `loss < 0.4` is not met yet."
    done = task_verdict("loss < 0.4", "loss", {"ok": True, "value": True},
                        {"ok": True, "repr": "0.31"})
    assert done.correct and done.message == "Done: your `loss` is 0.31."
    assert task_verdict("x", None, {"ok": True, "value": True}, None).message == "Done."
    broken = task_verdict("loss < 0.4", "loss", {"ok": False, "error": {
        "kind": "exception", "message": "NameError: name 'loss' is not defined"}}, None)
    assert broken.kind == "unparseable" and "NameError" in broken.message
    escaped = task_verdict("x", "s", checked_false, {"ok": True, "repr": "'\x1b[2J'"})
    assert "\x1b" not in escaped.message and "\\x1b" in escaped.message
