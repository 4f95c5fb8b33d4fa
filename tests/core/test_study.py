"""The lesson session's plain parts: what ran, what counts as an attempt, and task verdicts."""

from __future__ import annotations

from tutor.grading import QuizAttempts, Verdict
from tutor.study.cells import Cells, CellState
from tutor.study.quizzes import NO_ATTEMPT, REPEATED, record

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
    state = QuizAttempts(quiz_id="q")
    assert record(state, "13", Verdict.wrong("no")) == (True, "")
    assert record(state, " 13", Verdict.wrong("no")) == (False, REPEATED)
    assert record(state, "abc", Verdict.unparseable("?")) == (False, NO_ATTEMPT)
    said = Verdict.not_counted("It was not run and does not count as an attempt.")
    assert record(state, "x +", said) == (False, "")
    assert record(state, "14", Verdict.right("yes")) == (True, "")
    assert state.attempts == 2 and state.solved and state.first_attempt_correct is False
