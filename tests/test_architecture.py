"""The layering rules of docs/architecture.md: the UI process never imports torch and the core
never imports Textual (checked in fresh interpreters); screens and widgets never import the app,
and commands never import the command line (checked in the source, TYPE_CHECKING blocks too)."""

from __future__ import annotations

import ast
import json
import os
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import tutor

PACKAGE = Path(tutor.__file__).parent

UI_PREFIXES = ("tutor.ui", "tutor.commands.app", "tutor.app_zygote")
#: Modules that run only inside the runner's own processes, where torch belongs.
RUNNER_PROCESS_MODULES = ("tutor.runner.zygote", "tutor.runner.worker", "tutor.runner.snapshot",
                          "tutor.runner.values")


def loaded_after_import(modules: list[str]) -> set[str]:
    """Top-level packages in sys.modules after importing `modules` in a fresh interpreter."""
    code = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return set(json.loads(proc.stdout))


def all_modules() -> list[str]:
    """Every module of the package except `tutor.__main__`, which runs the app when imported."""
    names = (m.name for m in pkgutil.walk_packages(tutor.__path__, "tutor."))
    return sorted(n for n in names if n != "tutor.__main__")


def test_core_never_imports_textual() -> None:
    core = [m for m in all_modules() if not m.startswith(UI_PREFIXES)]
    assert {"tutor.course", "tutor.checking", "tutor.study.session", "tutor.settings",
            "tutor.i18n"} <= set(core)
    loaded = loaded_after_import(core)
    assert "textual" not in loaded


def test_command_line_never_imports_torch() -> None:
    loaded = loaded_after_import(["tutor.cli", "tutor.course", "tutor.checking"])
    assert "torch" not in loaded
    code = "import sys, tutor.cli; tutor.cli.build_parser(); print('torch' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "False", proc.stderr


def test_everything_outside_the_runner_processes_leaves_torch_out() -> None:
    modules = [m for m in all_modules() if not m.startswith(RUNNER_PROCESS_MODULES)]
    assert "tutor.commands.list" in modules
    loaded = loaded_after_import(modules)
    assert "torch" not in loaded
    # Babel only makes the catalogs (README, "Languages"); gettext reads them at run time.
    assert "babel" not in loaded



def imported_modules(path: Path) -> set[str]:
    """Every module a source file imports, wherever the import statement is."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def importers_of(module: str, folders: list[str]) -> list[str]:
    """Files under `folders` (relative to the package) that import `module`."""
    return sorted(
        str(path.relative_to(PACKAGE))
        for folder in folders for path in (PACKAGE / folder).rglob("*.py")
        if module in imported_modules(path)
    )


def test_screens_and_widgets_never_import_the_app() -> None:
    assert importers_of("tutor.ui.app", ["ui/screens", "ui/widgets"]) == []


def test_commands_never_import_the_command_line() -> None:
    assert importers_of("tutor.cli", ["commands"]) == []


#: Most lines a module of the package may have (issue #15: split by responsibility beyond it).
MAX_LINES = 400


def test_no_module_is_over_400_lines() -> None:
    lengths = {str(path.relative_to(PACKAGE)): len(path.read_text(encoding="utf-8").splitlines())
               for path in PACKAGE.rglob("*.py")}
    over = {name for name, lines in lengths.items() if lines > MAX_LINES}
    assert over == set(), {name: lengths[name] for name in over}


def test_text_is_cut_in_one_place() -> None:
    """Issue #15: one truncation helper (`tutor.text.shorten`); the runner cut text by hand in
    six places. No other module appends the ellipsis to a slice."""
    hand_cut = re.compile(r"\]\s*\+\s*\"…\"")
    found = [f"{path.relative_to(PACKAGE)}:{number}"
             for path in sorted(PACKAGE.rglob("*.py")) if path != PACKAGE / "text.py"
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if hand_cut.search(line)]
    assert found == []
    assert hand_cut.search('return text[: limit - 1] + "…"')


#: Underscored names the UI may read on other objects: a namedtuple's public `_replace`,
#: `os._exit` (a forked child), and the runner's own wire helpers (not Textual's).
PUBLIC_UNDERSCORED = {("active", "_replace"), ("os", "_exit"), ("protocol", "_recv_exact"),
                      ("protocol", "_size")}


def private_reads(path: Path) -> list[str]:
    """`value._name` reads in a source file on anything but `self`/`cls` (Textual's private
    state, such as `screen._bindings` or `app._keymap`), less the allowed ones."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") \
                and not node.attr.startswith("__"):
            owner = ast.unparse(node.value)
            if owner not in ("self", "cls") and (owner, node.attr) not in PUBLIC_UNDERSCORED:
                found.append(f"{path.name}:{node.lineno} {owner}.{node.attr}")
    return found


#: The one module allowed Textual's internals: it lets go of removed widgets that Textual 8.2
#: keeps (upstream issues Textualize/textual#6665 and #6666), and tests/ui/test_ui_memory.py
#: fails if an upgrade changes what it relies on. Nothing else may read private state.
UPSTREAM_WORKAROUNDS = {"release.py"}


def test_the_ui_reads_no_private_textual_state(tmp_path: Path) -> None:
    """Issue #15: public Textual API only (the help read `screen._bindings` and `app._keymap`)."""
    found = {path.name: private_reads(path) for path in sorted((PACKAGE / "ui").rglob("*.py"))}
    assert [read for name, reads in found.items() if name not in UPSTREAM_WORKAROUNDS
            for read in reads] == []
    for name in UPSTREAM_WORKAROUNDS:  # the exception is still needed, and says why
        assert found[name], f"{name} reads no private state now: take it off the list"
        assert "textual#6666" in (PACKAGE / "ui" / "widgets" / name).read_text(encoding="utf-8")
    sample = tmp_path / "sample.py"
    sample.write_text("def f(screen):\n    return screen._bindings, screen.app._keymap\n",
                      encoding="utf-8")
    assert [line.split()[-1] for line in private_reads(sample)] == ["screen._bindings",
                                                                   "screen.app._keymap"]


def test_the_import_checker_sees_imports_inside_blocks(tmp_path: Path) -> None:
    source = tmp_path / "sample.py"
    source.write_text("if TYPE_CHECKING:\n    from tutor.ui.app import TutorApp\n"
                      "def f():\n    from tutor.ui import app\n", encoding="utf-8")
    assert {"tutor.ui.app", "tutor.ui.app.TutorApp"} <= imported_modules(source)


#: What the lesson list must not wait for (bench/first_frame.py, BENCHMARKS.md "UI"): the lesson
#: screen and the libraries only a lesson needs (code highlighting, Markdown, plots).
LESSON_ONLY = ("tutor.ui.screens.lesson", "tutor.ui.screens.lesson_quizzes",
               "textual.widgets._markdown", "textual.widgets._text_area", "tree_sitter",
               "tree_sitter_python", "pygments", "plotext", "textual_plotext")

APP_RUN = '''
import asyncio, importlib.util, json, sys
from pathlib import Path
from tutor.course import load_course
from tutor.progress import ProgressStore
from tutor.runner.client import Runner
from tutor.ui.app import TutorApp

WATCHED = {watched!r}

def loaded():
    return sorted(name for name in WATCHED if name in sys.modules)

async def main():
    course = load_course(None, "en")
    store = ProgressStore(Path(sys.argv[1]))
    # Never started: the app's runner is not what this checks (and would import torch elsewhere).
    app = TutorApp(course, runner=Runner("cpu"), progress=store)
    report = {{}}
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.pause()
        report["list"] = loaded()
        from textual.widgets import TextArea

        app.open_lesson("autograd")
        await pilot.pause()
        await pilot.press("f8")  # the intro has no cell; the chain rule has one
        for _ in range(50):
            await pilot.pause()
            editors = list(app.screen.query(".cell-editor"))
            if editors:
                break
        report["lesson"] = loaded()
        report["editors"] = len(editors)
        report["highlighted"] = all(isinstance(e, TextArea) and e.is_syntax_aware
                                    for e in editors)
        report["tree_sitter_installed"] = (
            importlib.util.find_spec("tree_sitter_python") is not None)
    store.close()
    print(json.dumps(report))

asyncio.run(main())
'''


def test_the_lesson_list_leaves_lesson_libraries_out_and_a_lesson_highlights(
        tmp_path: Path) -> None:
    """Reaching the lesson list imports no lesson screen, highlighter or plotting library; a
    lesson then highlights its cells (when tree-sitter is installed) without plotting yet."""
    env = {**os.environ, "TUTOR_HOME": str(tmp_path / "home")}
    # The course cache first, so the run below starts as a learner's usually does.
    warm = subprocess.run([sys.executable, "-c", "from tutor.course import load_course; "
                           "load_course(None, 'en')"], env=env, capture_output=True, text=True,
                          timeout=120)
    assert warm.returncode == 0, warm.stderr
    code = APP_RUN.format(watched=LESSON_ONLY)
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path / "progress.sqlite")],
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["list"] == []
    assert "tutor.ui.screens.lesson" in report["lesson"]
    assert report["editors"] >= 1
    assert "plotext" not in report["lesson"] and "textual_plotext" not in report["lesson"]
    if report["tree_sitter_installed"]:
        assert report["highlighted"]
        assert "tree_sitter" in report["lesson"]


async def test_the_progress_store_opens_after_the_lesson_lists_first_frame(
        tmp_path: Path, monkeypatch) -> None:
    """Titles are drawn first; the store (SQLite and its reads) is opened by the callbacks that
    run after the first refresh, never while the list is mounted or first resumed."""
    import traceback

    import tutor.progress
    from tutor.course import load_course
    from tutor.runner.client import Runner
    from tutor.ui.app import TutorApp

    monkeypatch.setenv("TUTOR_HOME", str(tmp_path / "home"))
    openings: list[list[str]] = []

    class RecordedStore(tutor.progress.ProgressStore):
        def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
            openings.append([frame.name for frame in traceback.extract_stack()])
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(tutor.progress, "ProgressStore", RecordedStore)
    app = TutorApp(load_course(None, "en", use_cache=False), runner=Runner("cpu"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert openings, "the list shows progress once drawn"
    first = openings[0]
    assert {"_show_progress", "_report_progress_problem"} & set(first), first
    assert not {"on_screen_resume", "on_mount", "compose"} & set(first), first
