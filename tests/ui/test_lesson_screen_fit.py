"""The lesson screen as a learner finds it (issue #15): layouts by width and height, keys that
say what they do, notices that do not pile up."""

from __future__ import annotations

import pytest
from textual.widgets import Footer, OptionList, TextArea
from textual.widgets._toast import Toast
from ui_helpers import wait_until

from tutor.ui.screens.lesson import LessonScreen
from tutor.ui.widgets.cell_editor import CellEditor
from tutor.ui.widgets.output_pane import OutputPane
from tutor.ui.widgets.panes import NO_CELL


async def run_first_cell(pilot, app) -> LessonScreen:
    await pilot.pause()
    await pilot.press("f8", "f5")
    await app.workers.wait_for_complete()
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, LessonScreen)
    return screen


def visible(screen: LessonScreen, selector: str) -> bool:
    """Whether the widget is laid out on the screen with some room."""
    widget = screen.query_one(selector)
    region = widget.region
    return widget.display and region.height > 0 and screen.region.contains_region(region)


@pytest.mark.parametrize("size", [(80, 24), (120, 24), (120, 40), (200, 50)])
async def test_done_line_is_in_view_at_every_size(make_app, size) -> None:
    app = make_app(lesson="mini")
    async with app.run_test(size=size) as pilot:
        screen = await run_first_cell(pilot, app)
        output = screen.query_one("#output", OutputPane)
        assert output.text.rstrip().endswith("✓ done")
        # Every line of the short output fits the pane: nothing to scroll to see "✓ done".
        assert visible(screen, "#output")
        assert output.region.height >= output.document.line_count - 1
        assert output.max_scroll_y == 0


async def test_short_wide_screens_show_one_pane_at_a_time(make_app) -> None:
    app = make_app(lesson="mini")
    async with app.run_test(size=(120, 24)) as pilot:
        screen = await run_first_cell(pilot, app)
        assert screen.has_class("-wide") and screen.has_class("-short")
        assert visible(screen, "#pane-tabs")
        assert not screen.query_one("#pane-tensors").display
        await pilot.press("f10")
        await pilot.pause()
        assert screen.query_one("#pane-tensors").display
        assert screen.query_one("#tensors").region.height >= 6


async def test_tall_wide_screens_stack_the_panes_and_shrink_empty_ones(make_app) -> None:
    app = make_app(lesson="mini")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await run_first_cell(pilot, app)
        assert screen.has_class("-tall")
        assert not screen.query_one("#pane-bar").display
        for pane in ("output", "tensors", "gradients", "graph", "plot"):
            assert screen.query_one(f"#pane-{pane}").display
        assert screen.query_one("#pane-plot").region.height <= 3  # title and its message
        assert screen.query_one("#tensors").region.height >= 6


async def test_tensors_table_shows_values_and_gradient_values_first(make_app) -> None:
    app = make_app(lesson="mini")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await run_first_cell(pilot, app)
        await pilot.press("f10")
        await pilot.pause()
        table = screen.query_one("#tensors")
        header = [str(column.label) for column in table.columns.values()]
        assert header[:3] == ["name", "values", "grad"]
        # The values and the gradient's values fit inside the pane's width.
        widths = [column.get_render_width(table) for column in table.columns.values()]
        assert sum(widths[:3]) <= table.region.width


async def test_reset_takes_away_failed_and_a_step_without_cells_does_not_offer_f5(
        make_app) -> None:
    app = make_app(lesson="mini")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LessonScreen)
        assert str(screen.query_one("#pane-output > .pane-empty").render()) == NO_CELL
        await pilot.press("f8")
        editor = screen.query_one(CellEditor)
        editor.editor.load_text("1/0")
        await pilot.pause()
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        title = editor.query_one(".cell-title")
        assert "failed" in str(title.render())
        await pilot.press("f9")
        await pilot.pause()
        assert "failed" not in str(title.render())
        assert not editor.has_class("-failed")


async def test_in_an_editor_tab_indents_escape_leaves_and_the_footer_keeps_its_order(
        make_app) -> None:
    app = make_app(lesson="mini")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f8")
        screen = app.screen

        def footer_keys() -> list[str]:
            return [item.key for item in screen.query_one(Footer).query("FooterKey")]

        before = footer_keys()
        area = screen.query_one(CellEditor).editor
        area.focus()
        await pilot.pause()
        assert footer_keys() == before, (before, footer_keys())
        assert "Esc leaves" in str(screen.query_one(CellEditor).query_one(".cell-title").render())
        await pilot.press("tab")
        assert app.focused is area and area.text.startswith("    ")
        await pilot.press("escape")
        assert app.focused is not area and not isinstance(app.focused, TextArea)
        await pilot.press("tab")
        assert app.focused is not area


async def test_notices_do_not_pile_up_and_stay_with_their_lesson(make_app) -> None:
    app = make_app(lesson="mini")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("f7", "f7", "f7", "f7")
        await wait_until(pilot, lambda: len(app.screen.query(Toast)) == 1)
        await pilot.pause(0.2)
        assert len(app.screen.query(Toast)) == 1
        # At the top, under the status bar: never over the pane tabs.
        toast = app.screen.query_one(Toast)
        assert toast.region.y == 1
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, LessonScreen)
        assert not list(app._notifications)


async def test_up_from_the_first_lesson_wraps_to_the_last(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        options.highlighted = 0
        await pilot.press("up")
        assert options.highlighted_option is not None
        assert options.highlighted_option.id == "second"  # the last lesson that opens


async def test_help_covers_the_whole_screen_below_120_columns(make_app) -> None:
    app = make_app(lesson="mini")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert app.screen.query_one("#help").region == app.screen.region
        text = str(app.screen.query_one("#help-notes").render())
        assert "Tab indents" in text and "Escape leaves the editor" in text


@pytest.mark.parametrize("size", [(80, 24), (120, 24)])
async def test_answer_field_shows_every_placeholder_whole(make_app, size) -> None:
    from tutor.ui.widgets.quiz_panel import PLACEHOLDERS, QuizPanel

    app = make_app(lesson="mini")
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("f8", "f2")
        await pilot.pause()
        field = app.screen.query_one(QuizPanel).answer_field
        longest = max(len(text) for text in PLACEHOLDERS.values())
        assert field.content_region.width >= longest


async def test_a_long_output_gets_the_rows_it_needs_at_80x24(make_app) -> None:
    """Issue #14 walkthrough: at 80x24 the Output pane showed 7 rows, so a cell printing a
    dozen lines (lesson 7's probabilities) hid the value a quiz asked about above its last 7
    lines. A longer output grows the pane (the lesson keeps 9 rows); the next short one gives
    the rows back. Here "In [1]", 9 lines and "✓ done" fill the 11 rows, with no empty row
    after "✓ done"."""
    app = make_app(lesson="mini")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await run_first_cell(pilot, app)
        usual = screen.panes.region.height
        output = screen.query_one("#output", OutputPane)
        editor = screen.query_one(CellEditor)
        editor.editor.load_text("for n in range(9):\n    print('line', n)")
        await pilot.pause()
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await wait_until(pilot, lambda: screen.panes.region.height > usual)
        await pilot.pause()
        assert output.text.rstrip().endswith("✓ done") and "line 0" in output.text
        assert output.max_scroll_y == 0  # every line on screen, "In [1]" to "✓ done"
        assert screen.step_view.region.height >= 9
        editor.editor.load_text("print('short')")
        await pilot.pause()
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await wait_until(pilot, lambda: screen.panes.region.height == usual)


PLOT_AND_CHOICE_LESSON = """---
id: plotted
title: A plot and a choice
order: 1
---

## Too large a rate

```python
losses = [1.5 ** n for n in range(20)]
plot(losses, title="validation loss", labels=["loss"])
```

```quiz
id: what-now
type: choice
ask: >-
  The loss grows by orders of magnitude at every step of the training. What is the
  matter, and what is the fix for it?
choices:
  - the rate is too large, so every step overshoots further; lower it
  - the rate is too small, so training is too slow; raise it
  - there are too few epochs; train for longer
  - the data is wrong; collect more of it
answer: "'the rate is too large, so every step overshoots further; lower it'"
hints:
  - Is the loss falling slowly, or rising?
  - Rising means each step makes it worse.
explain: >-
  Too large a step overshoots the minimum by more than it started from, so each step
  makes things worse than the one before it, and the loss grows without end. A smaller
  rate shrinks the distance to the minimum at every step instead.
```
"""


async def test_over_a_plot_f2_and_the_verdict_stay_in_the_short_lesson_view(
        runner, progress, tmp_path) -> None:
    """Issue #14 walkthrough (lesson 10, "tame-lr"; lesson 11, "prob-u"): with a plot on show
    the lesson has 7 rows at 80x24. F2 scrolled the quiz's title into view but not its
    answer field, and after an answer the view showed the quiz's last line (the explanation
    under the verdict pushed the verdict out), not the verdict."""
    from tutor.course import load_course
    from tutor.ui.app import TutorApp
    from tutor.ui.widgets.quiz_panel import QuizPanel

    folder = tmp_path / "lessons"
    folder.mkdir()
    (folder / "plotted.md").write_text(PLOT_AND_CHOICE_LESSON, encoding="utf-8")
    course = load_course(folder)
    assert not course.errors, course.errors
    app = TutorApp(course, runner=runner, progress=progress, lesson="plotted")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LessonScreen)
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await wait_until(pilot, lambda: screen.panes.current == "plot")
        await pilot.pause()
        view = screen.step_view
        assert view.region.height <= 8
        panel = screen.query_one(QuizPanel)
        await pilot.press("f2")
        await pilot.pause()
        assert app.focused is panel.answer_field
        assert view.region.contains_region(panel.answer_field.region)
        await pilot.press("f3", "f3", "a", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        verdict = panel.query_one(".quiz-verdict")
        assert str(verdict.render()).startswith("✓")
        assert view.region.contains_region(verdict.region._replace(height=1))


async def test_a_long_step_title_ends_in_an_ellipsis_in_the_status_bar(runner, progress) -> None:
    """Issue #15: step titles were cut mid-word without a mark; at 80 columns a long one ends in
    "…" (lesson 1, step 5: "Counting parameters without memory")."""
    from pathlib import Path

    from tutor.course import load_course
    from tutor.ui.app import TutorApp

    course = load_course(Path(__file__).parents[2] / "lessons")
    app = TutorApp(course, runner=runner, progress=progress, lesson="llm-basics")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LessonScreen))
        screen = app.screen
        title = next(step.title for step in screen.lesson.steps if len(step.title) > 30)
        index = next(step.index for step in screen.lesson.steps if step.title == title)
        await pilot.press(*["f8"] * index)
        await wait_until(pilot, lambda: screen.step_index == index)
        location = screen.query_one("#location")
        assert str(location.render()).endswith(title)  # the whole title is there to be cut
        shown = location.render_line(0).text.rstrip()
        assert shown.endswith("…") and title[:10] in shown
        assert len(shown) < len(str(location.render()))
