"""The app in Kiswahili: lesson list, footer, help, a lesson and a verdict, at 80x24 and 120x40
(Pilot, and snapshots in plain `def` tests). Long Kiswahili words must not break the layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Footer, Input, OptionList, Static, Tabs
from ui_helpers import MINI_LESSON, plain, wait_until, write_lessons

from tutor.course import Course, load_course
from tutor.i18n import _, set_language
from tutor.progress import ProgressStore
from tutor.runner.client import Runner
from tutor.ui.app import TutorApp
from tutor.ui.screens.help import HelpScreen, help_rows
from tutor.ui.screens.lesson import LessonScreen
from tutor.ui.widgets.panes import EMPTY, NO_CELL

#: The test course's first lesson in Kiswahili: same cells and quizzes, long words in the
#: titles and prose (the layout must wrap or cut them, never spill).
MINI_SW = MINI_LESSON.replace("title: Mini lesson", "title: Somo dogo la majaribio ya kiolesura") \
    .replace("summary: A small lesson for the app's tests.",
             "summary: Somo fupi linalotumiwa na majaribio yanayohakikisha kiolesura.") \
    .replace("Intro: two steps with cells, a quiz in each.",
             "Utangulizi: hatua mbili zenye seli, na swali katika kila moja.") \
    .replace("## Tensors and gradients", "## Tensor na gradienti zinazohesabiwa kiotomatiki") \
    .replace("Make two tensors and a scalar loss.",
             "Tengeneza tensor mbili na hasara ya scalar. Vipimo vinavyotofautiana "
             "vinachunguzwa.") \
    .replace("ask: What is `loss`?", "ask: Thamani ya `loss` ni ipi baada ya kuhesabiwa?") \
    .replace("  - Multiply element by element, then add.",
             "  - Zidisha kipengele kwa kipengele, kisha jumlisha.") \
    .replace("explain: 2·1 + 3·4 = 14.", "explain: 2·1 + 3·4 = 14, yaani jumla ya mazao.") \
    .replace("## Shapes", "## Maumbo") \
    .replace("ask: What is the shape of `y`?", "ask: Umbo la `y` ni lipi?")


@pytest.fixture
def sw_course(tmp_path: Path) -> Course:
    folder = write_lessons(tmp_path / "lessons")
    (folder / "sw").mkdir()
    (folder / "sw" / "01-mini.md").write_text(MINI_SW, encoding="utf-8")
    set_language("sw")
    course = load_course(folder, "sw", use_cache=False)
    assert course.lesson("mini") is not None and course.lesson("mini").lang == "sw"
    return course


@pytest.fixture
def sw_app(sw_course: Course, runner: Runner, progress: ProgressStore):
    def make(lesson: str | None = None) -> TutorApp:
        return TutorApp(sw_course, runner=runner, progress=progress, lesson=lesson)

    return make


def footer_text(app: TutorApp) -> str:
    return " ".join(str(key.render()) for key in app.screen.query_one(Footer).children)


async def test_the_lesson_list_and_its_footer_are_in_kiswahili(sw_app) -> None:
    app = sw_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        title = str(app.screen.query_one("#list-title").render())
        assert title.startswith("Masomo: ↑/↓ kuchagua, Enter kufungua")
        options = app.screen.query_one(OptionList)
        first = plain(options.get_option_at_index(0).prompt)
        assert "1. Somo dogo la majaribio ya kiolesura" in first
        assert "hatua 0/3 · maswali 0/2" in first
        assert "haliwezi kufunguliwa" in plain(options.get_option_at_index(2).prompt)
        footer = footer_text(app)
        for word in ("Fungua", "Toka", "Msaada", "amri"):
            assert word in footer, footer
        assert "Quit" not in footer and "Help" not in footer


async def test_help_lists_every_key_in_kiswahili(sw_app) -> None:
    app = sw_app("mini")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows = {description: keys
                for keys, description in help_rows(app.screen.under, app.screen.keymap)}
        assert rows["Endesha seli ya sasa (baada ya seli zilizo kabla yake)"] == "F5 / Ctrl+R"
        assert rows["Simamisha seli inayoendeshwa"] == "F6 / Ctrl+G"
        assert "Toka" in rows and "Msaada" in rows
        assert str(app.screen.query_one("#help-title").render()).startswith("Vitufe")
        # No row is left in English (Textual's own bindings included, e.g. copying text).
        set_language("en")
        try:
            english = {description for _keys, description
                       in help_rows(app.screen.under, app.screen.keymap)}
        finally:
            set_language("sw")
        assert [description for description in rows if description in english] == []


async def test_a_lesson_and_a_wrong_answer_in_kiswahili(sw_app) -> None:
    app = sw_app("mini")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LessonScreen)
        footer = footer_text(app)
        for word in ("Endesha", "Seli", "Rudi", "Mbele", "Dokezo", "Jibu", "Toka", "Msaada"):
            assert word in footer, footer
        tabs = [str(tab.label) for tab in screen.query_one(Tabs).query("Tab")]
        assert tabs == ["Matokeo", "Tensor", "Gradienti", "Grafu", "Mchoro"]
        # The empty Output pane, on the introduction (no cell) and on a step with cells.
        empty = screen.query_one("#pane-output > .pane-empty", Static)
        assert str(empty.render()) == _(NO_CELL) != NO_CELL
        await pilot.press("f8")
        await wait_until(pilot, lambda: screen.step_index == 1)
        assert str(empty.render()) == _(EMPTY["output"]) != EMPTY["output"]
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        answer = screen.query_one(Input)
        assert answer.placeholder == "nambari, k.m. 3.14 au 1.2e-3"
        answer.focus()
        answer.value = "28"
        await pilot.press("enter")
        verdict = screen.query_one(".quiz-verdict", Static)
        await wait_until(pilot, lambda: "✗" in str(verdict.render()))
        assert str(verdict.render()) == "✗ Yako ni mara mbili ya thamani iliyohesabiwa."
        attempts = str(screen.query_one(".quiz-attempts").render())
        assert attempts == "majaribio: 1 · madokezo: 0/2"


async def test_long_kiswahili_words_stay_inside_80_columns(sw_app) -> None:
    app = sw_app("mini")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f8")
        await app.workers.wait_for_complete()
        await pilot.pause()
        for widget in app.screen.query("*"):
            if widget.display and widget.region.width:
                assert widget.region.right <= 80, (widget, widget.region)
        keys = list(app.screen.query_one(Footer).children)
        assert keys and all(key.region.right <= 80 for key in keys if key.region.width)


async def ready(pilot: Pilot[object]) -> None:
    await pilot.app.runner_ready()  # type: ignore[attr-defined]
    await pilot.pause()


async def wrong_answer(pilot: Pilot[object]) -> None:
    """Step 2: run its cell and answer its quiz wrong (a Kiswahili verdict)."""
    await ready(pilot)
    await pilot.press("f8", "f5")
    await pilot.app.workers.wait_for_complete()
    await pilot.press("f2", *"28", "enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    pilot.app.screen.set_focus(None)
    await pilot.pause()


@pytest.fixture
def snap_sw(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, snapshot_runner):
    monkeypatch.chdir(tmp_path)
    folder = write_lessons(Path("lessons"))
    (folder / "sw").mkdir()
    (folder / "sw" / "01-mini.md").write_text(MINI_SW, encoding="utf-8")
    store = ProgressStore(tmp_path / "home" / "progress.sqlite")
    set_language("sw")

    def make(lesson: str | None = None) -> TutorApp:
        return TutorApp(load_course(Path("lessons"), "sw", use_cache=False),
                        runner=snapshot_runner, progress=store, lesson=lesson, device="cpu")

    yield make
    store.close()


def test_kiswahili_lesson_list_80x24(snap_compare, snap_sw) -> None:
    assert snap_compare(snap_sw(), terminal_size=(80, 24), run_before=ready)


def test_kiswahili_lesson_list_120x40(snap_compare, snap_sw) -> None:
    assert snap_compare(snap_sw(), terminal_size=(120, 40), run_before=ready)


def test_kiswahili_lesson_80x24_wrong_answer(snap_compare, snap_sw) -> None:
    assert snap_compare(snap_sw("mini"), terminal_size=(80, 24), run_before=wrong_answer)


def test_kiswahili_lesson_120x40_wrong_answer(snap_compare, snap_sw) -> None:
    assert snap_compare(snap_sw("mini"), terminal_size=(120, 40), run_before=wrong_answer)


def test_kiswahili_placeholders_show_the_same_example_answers() -> None:
    """The answer field's examples are accepted forms (tests/ui/test_tensor_rows_and_
    placeholders.py checks them): a translation keeps them exactly."""
    from tutor.ui.widgets.quiz_panel import PLACEHOLDERS, placeholder

    set_language("sw")
    for kind, english in PLACEHOLDERS.items():
        if "e.g. " not in english:
            continue
        examples = english.split("e.g. ", 1)[1].split(" or ")
        swahili = placeholder(kind)
        assert swahili != english
        assert swahili.split("k.m. ", 1)[1].split(" au ") == examples, swahili
