"""Studying a lesson without any UI: the lesson session the lesson screen renders and drives.

Plain Python: imports neither Textual nor torch (torch lives in the runner's processes).
"""

from tutor.study.cells import CellState
from tutor.study.session import EDITED_NOTE, CheckOutcome, LessonSession, RunOutcome

__all__ = ["EDITED_NOTE", "CellState", "CheckOutcome", "LessonSession", "RunOutcome"]
