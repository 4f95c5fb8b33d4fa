"""Writing and moving between cells with the keyboard (issue #14): Enter indents like a Python
editor, and a step's cells are reached with their own keys, since Tab indents in an editor."""

from __future__ import annotations

from textual.widgets import Footer
from ui_helpers import on_second_step, wait_until

from tutor.ui.screens.help import HelpScreen, help_rows
from tutor.ui.screens.lesson import LessonScreen
from tutor.ui.widgets.cell_editor import CellEditor, next_indent


async def test_enter_keeps_the_indentation_and_indents_after_a_colon(make_app) -> None:
    app = make_app(lesson="mini")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f8")
        area = app.screen.query_one(CellEditor).editor
        area.load_text("")
        area.focus()
        await pilot.pause()
        # The lines' text is inserted (typing it key by key cost seconds and proved nothing
        # more: test_keys_that_arrive_together_act_in_the_order_typed types); Enter is pressed.
        for text in ("for i in range(3):", "if i:", "print(i)"):
            area.insert(text)
            await pilot.press("enter")
        area.insert("x = i")
        lines = area.text.split("\n")
        assert lines == ["for i in range(3):", "    if i:", "        print(i)", "        x = i"]
        # A comment after the colon still opens a block; a line inside a block keeps its level.
        assert next_indent("    while True:  # forever") == " " * 8
        assert next_indent("    total = 0  # x:") == " " * 4
        assert next_indent("") == ""
        # After a call whose arguments went on over lines, the next statement starts where the
        # call did, not under its last argument (a learner got "IndentationError: unexpected
        # indent" after `plot(..., ` / `     labels=[...])`); inside brackets the line's own.
        assert next_indent("plot(losses,\n     title='loss')") == ""
        assert next_indent("if ok:\n    plot(a,\n         b)") == " " * 4
        assert next_indent("for x in (1,\n          2):") == " " * 4
        assert next_indent("x = [1,\n     2,") == " " * 5
        assert next_indent("s = ')(' + \"(\"  # (") == ""
        assert next_indent('doc = """a (\n  b') == "  "


async def test_a_steps_cells_are_reached_with_ctrl_down_and_ctrl_up(make_app) -> None:
    app = make_app(lesson="mini")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f8", "f8")
        screen = app.screen
        assert isinstance(screen, LessonScreen)
        await wait_until(pilot, lambda: screen.step_index == 2)
        first, second = screen.step_view.cell_editors()
        assert app.focused is screen.step_view  # the prose, as every step starts
        await pilot.press("ctrl+down")  # into the current cell (▶)
        assert app.focused is first.editor
        await pilot.press("ctrl+down")
        await pilot.pause()
        assert app.focused is second.editor and screen.current_cell == second.cell.index
        # The cell's title line (In [n], what F5 does) is on screen, not only its code.
        title = second.query_one(".cell-title")
        assert screen.step_view.region.contains_region(title.region)
        await pilot.press("ctrl+down")  # after the last, the first
        assert app.focused is first.editor
        await pilot.press("ctrl+up")
        assert app.focused is second.editor
        await pilot.press("tab")  # Tab still indents
        assert app.focused is second.editor and second.editor.text.startswith("    ")
        # The footer and the help say so.
        footer = [key.key for key in screen.query_one(Footer).query("FooterKey")]
        assert "ctrl+down" in footer
        # The help, opened from inside the editor, lists every key all the same: Tab too,
        # though the editor takes Tab for itself (and `?`, which types a question mark there).
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        rows = dict(help_rows(app.screen.under, app.screen.keymap))
        assert "Ctrl+Down / Ctrl+F" in rows and "Ctrl+Up" in rows
        assert "Tab" in rows and "F1 / ?" in rows


async def test_tab_into_a_tall_cell_shows_its_title_with_the_keys(make_app) -> None:
    """Issue #14 walkthrough (lesson 7, step 2): Tab into a cell taller than the lesson's rows
    scrolled its title ("Tab indents · Esc leaves") off the top, above the editor."""
    app = make_app(lesson="mini")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await on_second_step(app, pilot)
        cell = screen.query_one(CellEditor)
        cell.editor.load_text("\n".join(f"x{n} = {n}" for n in range(30)))
        await pilot.pause()
        view = screen.step_view
        assert cell.outer_size.height > view.region.height  # taller than the lesson's rows
        view.focus()
        await pilot.pause()
        await pilot.press("tab")
        await pilot.pause(0.5)  # Textual's focus scroll is animated
        assert app.focused is cell.editor
        title = cell.query_one(".cell-title")
        assert view.region.contains_region(title.region)
        assert "Tab indents" in str(title.render())


async def test_keys_that_arrive_together_act_in_the_order_typed(make_app) -> None:
    """Over SSH keys typed quickly arrive together. Textual inserted the text at once but ran
    the arrows, End, Backspace and Enter later, once they had bubbled up to the app: "1 4
    Backspace 3" left "14" in an answer field, and the editor put a new line at its top."""
    from textual import events

    from tutor.ui.widgets.quiz_panel import QuizPanel

    def burst(keys: list[str]) -> None:
        for key in keys:
            app.post_message(events.Key(key, key if len(key) == 1 else None))

    app = make_app(lesson="mini")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await on_second_step(app, pilot)
        area = screen.query_one(CellEditor).editor
        area.load_text("a = 1\nfor i in range(2):\n    a += i")
        area.focus()
        await pilot.pause()
        burst(["down", "end", "enter", "x", "backspace", "y"])
        await wait_until(pilot, lambda: "y" in area.text)
        await pilot.pause()
        assert area.text == "a = 1\nfor i in range(2):\n    y\n    a += i"
        field = screen.query_one(QuizPanel).answer_field
        field.focus()
        await pilot.pause()
        burst(["1", "4", "backspace", "3", "home", "backspace", "delete", "2"])
        await wait_until(pilot, lambda: "2" in field.value)
        await pilot.pause()
        assert field.value == "23"
