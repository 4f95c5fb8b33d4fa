"""Hints and explanations render inline Markdown as the question does: no raw backticks."""

from __future__ import annotations

import pytest

from tutor.course import load_course
from tutor.ui.widgets.quiz_panel import inline_markdown


def test_inline_code_and_emphasis_lose_their_marks() -> None:
    content = inline_markdown("Use `w.grad` with **care**, *then* 2 * 3 and a*b*c.")
    assert content.plain == "Use w.grad with care, then 2 * 3 and a*b*c."
    styled = {content.plain[span.start:span.end]: str(span.style) for span in content.spans}
    assert styled == {"w.grad": "bold", "care": "bold", "then": "italic"}


@pytest.mark.parametrize("lang", ["en", "sw"])
def test_no_shipped_hint_or_explanation_shows_a_backtick(lang: str) -> None:
    course = load_course(None, lang, use_cache=False)
    texts = [text for lesson in course.lessons for quiz in lesson.quizzes
             for text in (*quiz.hints, quiz.explain)]
    assert any("`" in text for text in texts)  # the course does write Markdown there
    raw = [text for text in texts if "`" in inline_markdown(text).plain]
    assert not raw
