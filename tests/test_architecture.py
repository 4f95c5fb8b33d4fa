"""The layering rules of docs/architecture.md: the UI process never imports torch and the core
never imports Textual (checked in fresh interpreters); screens and widgets never import the app,
and commands never import the command line (checked in the source, TYPE_CHECKING blocks too)."""

from __future__ import annotations

import ast
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import tutor

PACKAGE = Path(tutor.__file__).parent

UI_PREFIXES = ("tutor.ui", "tutor.commands.app")
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


def test_the_import_checker_sees_imports_inside_blocks(tmp_path: Path) -> None:
    source = tmp_path / "sample.py"
    source.write_text("if TYPE_CHECKING:\n    from tutor.ui.app import TutorApp\n"
                      "def f():\n    from tutor.ui import app\n", encoding="utf-8")
    assert {"tutor.ui.app", "tutor.ui.app.TutorApp"} <= imported_modules(source)
