"""The lesson screen: run cells, panes, quizzes, steps, interrupt and crashes."""

from __future__ import annotations

from textual import events
from textual.widgets import DataTable, Input, TextArea, Tree
from ui_helpers import plain, wait_until

from tutor.course import load_course
from tutor.progress import ProgressStore
from tutor.ui.app import TutorApp
from tutor.ui.screens.help import help_rows
from tutor.ui.screens.lesson import LessonScreen
from tutor.ui.screens.lesson_list import LessonListScreen
from tutor.ui.widgets.cell_editor import CellEditor
from tutor.ui.widgets.output_pane import OutputPane
from tutor.ui.widgets.quiz_panel import QuizPanel


def output_text(screen: LessonScreen) -> str:
    return screen.query_one("#output", OutputPane).text


def table_rows(screen: LessonScreen, selector: str) -> list[list[str]]:
    table = screen.query_one(selector, DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def verdict(panel: QuizPanel) -> str:
    return str(panel.query_one(".quiz-verdict").render())


async def open_at_step(pilot, app, step: int) -> LessonScreen:
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, LessonScreen)
    for _ in range(step):
        await pilot.press("f8")
    assert screen.step_index == step
    return screen


async def run_edited_cell(pilot, app, code: str) -> tuple[LessonScreen, CellEditor]:
    """Open the mini lesson's first step, replace its cell with `code` and run it."""
    screen = await open_at_step(pilot, app, 1)
    editor = screen.query_one(CellEditor)
    editor.editor.load_text(code)
    await pilot.pause()
    await pilot.press("f5")
    await app.workers.wait_for_complete()
    return screen, editor


async def assert_original_cell_runs(pilot, app, screen: LessonScreen) -> None:
    """F9 puts the lesson's cell back and F5 runs it: the namespace still works."""
    await pilot.press("f9", "f5")
    await app.workers.wait_for_complete()
    assert "loss is 14.0" in output_text(screen)


async def test_run_cell_shows_output_tensors_gradients_and_graph(make_app) -> None:
    app = make_app(lesson="mini")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_at_step(pilot, app, 1)
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        assert "loss is 14.0" in output_text(screen)
        assert "✓ done" in output_text(screen)
        rows = table_rows(screen, "#tensors")
        assert [row[0] for row in rows] == ["w", "x", "loss"]  # the cell's own, in its order
        tensors = {row[0]: row for row in rows}
        # name, values, grad, shape, dtype, requires_grad, device: values first
        assert tensors["w"][2:] == ["[1.0000, 4.0000]", "(2,)", "float32", "yes", "cpu"]
        assert tensors["x"][2] == "—" and tensors["x"][5] == "no"
        assert tensors["loss"][3] == "()"
        gradients = table_rows(screen, "#gradients")
        assert gradients == [["w", "[1.0000, 4.0000]", "(2,)"]]
        tree = screen.query_one("#graph", Tree)
        assert str(tree.root.label) == "loss ← SumBackward0"
        labels = []
        node = tree.root
        while node.children:
            node = node.children[0]
            labels.append(str(node.label))
        assert labels[-1] == "w (leaf)"
        detail = screen.query_one("#pane-tensors > .pane-detail")
        assert detail.region.height == 0  # shown only while the table has focus
        screen.query_one("#tensors").focus()
        await pilot.press("down")
        assert detail.region.height > 0 and "x: (2,)" in str(detail.render())
        assert "values [1.0000, 4.0000]" in str(detail.render())


async def test_later_cell_runs_what_it_needs_first(make_app) -> None:
    app = make_app(lesson="mini")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_at_step(pilot, app, 2)
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        assert "torch.Size([2, 1])" in output_text(screen)
        assert screen.ran_through == 2


async def test_edit_and_reset_a_cell(make_app) -> None:
    app = make_app(lesson="mini")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_at_step(pilot, app, 1)
        editor = screen.query_one(CellEditor)
        editor.editor.load_text("print('edited')")
        await pilot.pause()
        assert screen.sources[0] == "print('edited')"
        assert "edited" in str(editor.query_one(".cell-title").render())
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        assert "edited" in output_text(screen)
        await pilot.press("f9")
        await pilot.pause()
        assert screen.sources[0] == screen.originals[0]


async def test_answer_wrong_then_right_with_hint_and_attempts(make_app, progress) -> None:
    app = make_app(lesson="mini")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_at_step(pilot, app, 1)
        panel = app.screen.query_one(QuizPanel)
        await pilot.press("f2")
        assert app.focused is panel.answer_field
        await pilot.press("1", "3", "enter")
        await app.workers.wait_for_complete()
        assert verdict(panel).startswith("✗")
        await pilot.press("f3")
        await pilot.pause()
        assert "Hint 1: Multiply element by element" in str(
            panel.query_one(".quiz-hints").render())
        panel.answer_field.value = ""
        await pilot.press("1", "4", "enter")
        await app.workers.wait_for_complete()
        assert verdict(panel).startswith("✓")
        assert "2·1 + 3·4 = 14" in str(panel.query_one(".quiz-explain").render())
        assert "attempts: 2" in str(panel.query_one(".quiz-attempts").render())
    attempts = progress.attempts("mini")
    assert [(a["answer"], a["correct"]) for a in attempts] == [("13", False), ("14", True)]
    assert attempts[0]["device"] == "cpu" and attempts[0]["torch_version"]
    status = progress.quiz_status("mini")["loss-value"]
    assert status.hints_shown == 1 and status.solved


async def test_unparseable_answer_is_not_an_attempt(make_app, progress) -> None:
    app = make_app(lesson="mini")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_at_step(pilot, app, 2)
        panel = app.screen.query_one(QuizPanel)
        await pilot.press("f2", "a", "b", "c", "enter")
        await app.workers.wait_for_complete()
        assert verdict(panel).startswith("?")
        panel.answer_field.value = ""
        await pilot.press("2", "x", "1", "enter")
        await app.workers.wait_for_complete()
        assert verdict(panel).startswith("✓")
    assert [a["answer"] for a in progress.attempts("mini")] == ["2x1"]


async def test_reveal_shows_the_computed_answer(make_app, progress) -> None:
    app = make_app(lesson="mini")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_at_step(pilot, app, 2)
        panel = app.screen.query_one(QuizPanel)
        await pilot.press("f4")
        await app.workers.wait_for_complete()
        assert verdict(panel) == "Answer: (2, 1)"
    assert progress.quiz_status("mini")["y-shape"].revealed


async def test_completing_every_step_completes_the_lesson(make_app, progress) -> None:
    app = make_app(lesson="mini")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_at_step(pilot, app, 0)
        await pilot.press("f8")  # the intro has nothing to do: leaving it completes it
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await pilot.press("f2", "1", "4", "enter")
        await app.workers.wait_for_complete()
        await pilot.press("escape", "f8", "f5")
        await app.workers.wait_for_complete()
        await pilot.press("f5")  # the step's second cell
        await app.workers.wait_for_complete()
        await pilot.press("f4")
        await app.workers.wait_for_complete()
        await screen.session.writer.flush()
        assert progress.completed_steps("mini") == {0, 1, 2}
        assert screen.session.lesson_complete
        await pilot.press("escape", "escape")
        options = app.screen.query_one("#lessons")
        assert plain(options.get_option_at_index(0).prompt).startswith("✓ 1. Mini lesson")


async def test_interrupt_a_looping_cell_and_keep_responding(make_app) -> None:
    app = make_app(lesson="mini")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_at_step(pilot, app, 1)
        screen.query_one(CellEditor).editor.load_text("while True:\n    pass\n")
        await pilot.pause()
        await pilot.press("f5")
        learner = screen.session.learner
        assert learner is not None
        worker = app.runner._workers.get(learner.namespace)
        await wait_until(pilot, lambda: worker is None or worker.lock.locked())
        await wait_until(pilot, lambda: app.runner._workers[learner.namespace].lock.locked())
        assert screen.running
        assert "running cell 1" in str(screen.query_one("#busy").render())
        await pilot.press("f8")  # the app keeps responding while the cell loops
        assert screen.step_index == 2
        await pilot.press("f7")
        await pilot.press("f6")
        await app.workers.wait_for_complete()
        assert not screen.running
        assert "interrupted" in output_text(screen)
        assert "KeyboardInterrupt" in output_text(screen)


async def test_worker_crash_is_reported_and_the_next_run_works(make_app) -> None:
    app = make_app(lesson="mini")
    async with app.run_test(size=(80, 24)) as pilot:
        screen, editor = await run_edited_cell(pilot, app, "import os; os._exit(1)")
        assert "exited with status 1" in output_text(screen)
        assert "namespace was reset" in output_text(screen)
        assert any("exited with status 1" in str(n.message) for n in app._notifications)
        assert "failed" in str(editor.query_one(".cell-title").render())
        await assert_original_cell_runs(pilot, app, screen)


async def test_panes_are_tabs_when_narrow_and_side_by_side_when_wide(make_app) -> None:
    app = make_app(lesson="mini")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_at_step(pilot, app, 1)
        assert screen.has_class("-narrow")
        assert screen.query_one("#pane-output").display is True
        assert screen.query_one("#pane-tensors").region.height == 0
        await pilot.press("f10")
        await pilot.pause()
        assert screen.query_one("#pane-tensors").region.height > 0
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert screen.has_class("-wide")
        for pane in ("output", "tensors", "gradients", "graph"):
            assert screen.query_one(f"#pane-{pane}").region.height > 0


async def test_mouse_clicks_work(make_app) -> None:
    app = make_app(lesson="mini")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_at_step(pilot, app, 1)
        await pilot.click(".quiz-hint")
        await pilot.pause()
        panel = screen.query_one(QuizPanel)
        assert panel.state.hints_shown == 1
        await pilot.click(".cell-editor")
        assert isinstance(app.focused, TextArea)


async def test_progress_problem_is_shown_once(make_app, tmp_path) -> None:
    damaged = tmp_path / "damaged" / "progress.sqlite"
    damaged.parent.mkdir()
    damaged.write_bytes(b"not a database at all" * 100)
    store = ProgressStore(damaged)
    assert store.problem
    app = make_app(store=store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        messages = [str(n.message) for n in app._notifications]
        assert messages.count(store.problem) == 1
    store.close()


async def test_keys_can_be_remapped_by_binding_id(make_app, monkeypatch) -> None:
    monkeypatch.setenv("TUTOR_KEYS", "next-step=ctrl+f;previous-step=ctrl+b;zoom=f11")
    app = make_app(lesson="mini")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_at_step(pilot, app, 0)
        assert str(screen.query_one("#pane-keys").render()) == "F10 pane · F11 zoom"
        await pilot.press("ctrl+f")
        assert screen.step_index == 1
        await pilot.press("ctrl+b")
        assert screen.step_index == 0
        # The help lists the keys as remapped (read from Textual's public active bindings).
        await pilot.press("f1")
        rows = {does: keys for keys, does in help_rows(app.screen.under, app.screen.keymap)}
        zoom = next(keys for does, keys in rows.items() if "whole screen" in does)
        assert rows["Next step"] == "Ctrl+F" and zoom == "F11"


async def test_f5_runs_the_steps_cells_in_turn(make_app) -> None:
    app = make_app(lesson="mini")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_at_step(pilot, app, 2)
        first, second = screen.query(CellEditor)
        assert first.current and "▶ In [2]" in str(first.query_one(".cell-title").render())
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        assert screen.current_cell == 2 and second.current and not first.current
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        assert "twice the sum: 10.0" in output_text(screen)
        assert screen.ran_through == 3


async def test_leaving_a_lesson_frees_both_of_its_workers(make_app) -> None:
    app = make_app(lesson="mini")
    runner = app.runner
    async with app.run_test(size=(80, 24)) as pilot:
        await open_at_step(pilot, app, 1)
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await pilot.press("f4")  # the reveal computes the answer in the reference namespace
        await app.workers.wait_for_complete()
        names = {"learner:mini", "reference:mini"}
        assert names <= set(runner._workers)
        await pilot.press("escape")
        await wait_until(pilot, lambda: not names & set(runner._workers))
        await pilot.press("enter")  # back in: a fresh namespace, and the cell still runs
        await pilot.pause()
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        assert "loss is 14.0" in output_text(app.screen)
        app.open_lesson("second")  # another lesson replaces this one and frees its worker
        await pilot.pause()
        assert [type(s).__name__ for s in app.screen_stack][-2:] == ["LessonListScreen",
                                                                     "LessonScreen"]
        assert app.screen.lesson.id == "second"
        await wait_until(pilot, lambda: "learner:mini" not in runner._workers)


async def test_quiz_answers_are_computed_within_the_lessons_timeout(
    runner, progress, tmp_path
) -> None:
    folder = tmp_path / "slow"
    folder.mkdir()
    (folder / "slow.md").write_text(
        "---\nid: slow\ntitle: Slow\norder: 1\ntimeout: 0.5\n---\n\n## Wait\n\n"
        "```quiz\nid: nap\ntype: number\nask: How long?\n"
        "answer: __import__('time').sleep(30) or 1\n```\n", encoding="utf-8")
    app = TutorApp(load_course(folder), runner=runner, progress=progress, lesson="slow")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        panel = app.screen.query_one(QuizPanel)
        await pilot.press("f2", "1", "enter")
        await app.workers.wait_for_complete()  # the runner's own limit here is 5 s, not 30
        assert verdict(panel).startswith("! The tutor could not compute")
        assert "longer than 0.5 s" in verdict(panel)


async def test_empty_panes_say_what_will_appear_and_give_room_to_the_lesson(make_app) -> None:
    app = make_app(lesson="mini")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_at_step(pilot, app, 1)
        panes = screen.query_one("#panes")
        message = screen.query_one("#pane-output > .pane-empty")
        assert "No output yet: F5 runs" in str(message.render())
        assert message.region.height == 1 and panes.has_class("-quiet")
        quiet_height = panes.region.height
        await pilot.press("f10", "f10")  # Gradients, still empty
        assert "after a cell calls .backward()" in str(
            screen.query_one("#pane-gradients > .pane-empty").render())
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not panes.has_class("-quiet") and panes.region.height > quiet_height
        assert not screen.query_one("#pane-gradients").has_class("-empty")
        screen.panes.show_result({"snapshot": {"tensors": [], "graph": None}})
        await pilot.press("f10", "f10")  # a run that left no tensors: Tensors says so
        assert panes.has_class("-quiet")
        assert "No tensors in the namespace after this run" in str(
            screen.query_one("#pane-tensors > .pane-empty").render())


async def test_zoom_cycles_lesson_alone_panes_alone_and_both(make_app) -> None:
    app = make_app(lesson="mini")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_at_step(pilot, app, 1)
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await pilot.pause()
        step, panes = screen.query_one("#step"), screen.query_one("#panes")
        keys = screen.query_one("#pane-keys")  # the zoom key is on the visible tab row
        assert str(keys.render()) == "F10 pane · F12 zoom" and keys.region.width > 0
        both = step.region.height
        await pilot.press("f12")
        assert screen.has_class("-zoom-lesson") and step.region.height > both
        await pilot.press("f12")
        assert screen.has_class("-zoom-panes") and step.region.height == 0
        assert panes.region.height == 22 and app.focused is screen.query_one("#output")
        await pilot.press("f12")
        assert step.region.height == both and screen.focused is step


THREE_QUIZZES = (
    "---\nid: three\ntitle: Three\norder: 1\n---\n\n## Sums\n\n"
    + "".join(f"```quiz\nid: q{n}\ntype: number\nask: {n} + {n}?\nanswer: {n} + {n}\n```\n\n"
              for n in (1, 2, 3))
)


async def test_solved_quiz_is_not_rechecked_and_f2_goes_to_the_next_open_quiz(
    runner, progress, tmp_path
) -> None:
    folder = tmp_path / "three"
    folder.mkdir()
    (folder / "three.md").write_text(THREE_QUIZZES, encoding="utf-8")
    app = TutorApp(load_course(folder), runner=runner, progress=progress, lesson="three")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        first, second, third = app.screen.query(QuizPanel)
        await pilot.press("f2", "2", "enter")
        await app.workers.wait_for_complete()
        assert verdict(first).startswith("✓") and first.state.attempts == 1
        await pilot.press("tab", "enter")  # Tab lands on Check: Enter checks again
        await app.workers.wait_for_complete()
        assert verdict(first).startswith("Already solved; this check is not counted. ✓")
        assert first.state.attempts == 1 and len(progress.attempts("three")) == 1
        await pilot.press("f2")  # from the solved quiz's button: the next open quiz
        assert app.focused is second.answer_field
        await pilot.press("4", "enter")
        await app.workers.wait_for_complete()
        await pilot.press("escape")
        # F2 and the next keys arrive together (a fast typist): none may be lost.
        driver = app._driver
        assert driver is not None
        for key, char in (("f2", None), ("6", "6"), ("0", "0")):
            driver.send_message(events.Key(key, char))
        await pilot.pause()
        assert app.focused is third.answer_field and third.answer_field.value == "60"
        assert isinstance(app.focused, Input)
        await pilot.press("f2")  # the only open quiz keeps the focus
        assert app.focused is third.answer_field


async def test_reopened_lesson_restores_quiz_state_on_its_first_step(
    make_app, progress
) -> None:
    progress.record_attempt("mini", "loss-value", "14", True, "Correct", device="cpu",
                            torch_version="test")
    progress.set_position("mini", 1)  # the step holding loss-value
    app = make_app(lesson="mini")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        (panel,) = app.screen.query(QuizPanel)
        assert panel.state.solved and panel.state.attempts == 1
        await pilot.press("f2", "1", "4", "enter")
        await app.workers.wait_for_complete()
        assert verdict(panel).startswith("Already solved")
    assert len(progress.attempts("mini")) == 1


async def test_megabytes_of_output_are_cut_and_the_app_keeps_working(make_app) -> None:
    app = make_app(lesson="mini")
    async with app.run_test(size=(80, 24)) as pilot:
        screen, _ = await run_edited_cell(
            pilot, app, "for i in range(200_000):\n    print('line', i, 'x' * 40)")
        shown = output_text(screen)
        assert "line 199999" not in shown
        assert "[output truncated:" in shown and shown.rstrip().endswith("✓ done")
        await assert_original_cell_runs(pilot, app, screen)


async def test_memory_exhaustion_is_reported_and_the_next_run_works(make_app) -> None:
    app = make_app(lesson="mini")
    async with app.run_test(size=(80, 24)) as pilot:
        screen, editor = await run_edited_cell(
            pilot, app, "import torch\nhuge = torch.empty(2**40)")
        assert "memory" in output_text(screen).lower()
        assert "failed" in str(editor.query_one(".cell-title").render())
        await assert_original_cell_runs(pilot, app, screen)


async def test_leaving_a_lesson_and_coming_back_keeps_the_edited_cells(make_app) -> None:
    """Escape to the list and Enter again: the learner's edit is still in the cell, marked
    edited (it was thrown away, silently, before)."""
    app = make_app(lesson="mini")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_at_step(pilot, app, 1)
        editor = screen.query_one(CellEditor)
        editor.editor.load_text("print('my own version')")
        await pilot.pause()
        screen.set_focus(None)
        await pilot.press("escape")
        assert isinstance(app.screen, LessonListScreen)
        await pilot.press("enter")
        await pilot.pause()
        again = app.screen
        assert isinstance(again, LessonScreen) and again is not screen
        assert again.step_index == 1
        reopened = again.query_one(CellEditor)
        assert reopened.editor.text == "print('my own version')"
        assert "edited" in str(reopened.query_one(".cell-title").render())
        await pilot.press("f9")  # and F9 still puts the lesson's code back
        await pilot.pause()
        assert reopened.editor.text.rstrip() == again.originals[0].rstrip()
