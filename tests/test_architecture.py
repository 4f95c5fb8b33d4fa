"""The layering rules of design.md, checked in fresh interpreters: the UI process never imports
torch, and the core never imports Textual."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import tutor

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
    assert "tutor.course" in core and "tutor.checking" in core
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
    assert "torch" not in loaded_after_import(modules)
