"""Text from a cell or a lesson file never reaches the terminal raw (issue #10, item 1).

The attack sets the clipboard (OSC 52) and the title, clears the screen and leaves the
alternate screen: shown anywhere unescaped, a terminal would act on it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from textual.widgets import DataTable, Tree
from ui_helpers import on_second_step, wait_until, write_lessons

from tutor.commands import check as check_command
from tutor.commands import list as list_command
from tutor.ui.widgets.cell_editor import CellEditor
from tutor.ui.widgets.output_pane import OutputPane

ATTACK = "\x1b]52;c;aGFja2VkLWNsaXA=\x07\x1b]0;PWNED\x07\x1b[2J\x1b[?1049l"
ESCAPED = "\\x1b]52;c;aGFja2VkLWNsaXA=\\x07\\x1b]0;PWNED\\x07\\x1b[2J\\x1b[?1049l"

HOSTILE_CELL = f'''import torch
ATTACK = {ATTACK!r}
print(ATTACK)
globals()[ATTACK] = torch.tensor([1.0, 2.0], requires_grad=True)
total = (globals()[ATTACK] * 3).sum()
total.backward()
'''


def assert_harmless(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text
    assert ESCAPED in text


async def test_cell_text_is_escaped_in_every_pane(make_app) -> None:
    app = make_app(lesson="mini")
    async with app.run_test(size=(200, 50)) as pilot:
        screen = await on_second_step(app, pilot)
        editor = screen.query_one(CellEditor)
        editor.editor.load_text(HOSTILE_CELL)
        await pilot.pause()
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        output = screen.query_one("#output", OutputPane).text
        assert_harmless(output)
        assert "✓ done" in output
        names = [str(row[0]) for row in map(screen.query_one("#tensors", DataTable).get_row_at,
                                            range(screen.query_one("#tensors", DataTable)
                                                  .row_count))]
        assert_harmless("\n".join(names))
        gradient_names = str(screen.query_one("#gradients", DataTable).get_row_at(0)[0])
        assert_harmless(gradient_names)
        tree = screen.query_one("#graph", Tree)
        leaves = []
        nodes = [tree.root]
        while nodes:
            node = nodes.pop()
            leaves.append(str(node.label))
            nodes.extend(node.children)
        assert_harmless("\n".join(leaves))

        # The highlighted row's detail line names the tensor too.
        screen.query_one("#tensors", DataTable).focus()
        await pilot.pause()
        detail = "\n".join(str(w.render()) for w in screen.query(".pane-detail"))
        assert "\x1b" not in detail

        # An exception message is shown escaped as well.
        editor.editor.load_text("raise RuntimeError(" + repr(ATTACK) + ")")
        await pilot.pause()
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await wait_until(pilot, lambda: "✗" in screen.query_one("#output", OutputPane).text)
        assert_harmless(screen.query_one("#output", OutputPane).text)
        assert "\x1b" not in app.export_screenshot()


HOSTILE_LESSON = '''---
id: hostile
title: "Hostile \\e]0;PWNED\\a title"
order: 9
summary: "Sets the title \\e]0;PWNED\\a"
---

## A step \x1b]52;c;aGFja2VkLWNsaXA=\x07 named badly

Prose.
'''


def test_list_printer_escapes_lesson_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                          ) -> None:
    folder = write_lessons(tmp_path / "lessons")
    (folder / "09-hostile.md").write_text(HOSTILE_LESSON, encoding="utf-8")
    list_command.run(argparse.Namespace(lessons=folder, lang=None, json=False))
    printed = capsys.readouterr()
    shown = printed.out + printed.err
    assert "\x1b" not in shown and "\x07" not in shown
    assert "Hostile \\x1b]0;PWNED\\x07 title" in shown
    assert "\\x1b]52;c;aGFja2VkLWNsaXA=\\x07" in shown


def test_check_printer_escapes_cell_errors(capsys: pytest.CaptureFixture[str]) -> None:
    report = {"device": "cpu", "torch": "2", "lessons": [{
        "id": "hostile", "file": "hostile.md", "ok": False, "errors": [],
        "cells": [{"index": 0, "ok": False, "line": 3,
                   "error": {"kind": "exception", "message": ATTACK}}],
        "quizzes": [{"id": "q", "ok": False, "line": 9, "error": {"message": ATTACK}}],
    }]}
    check_command._print_human(report)
    shown = capsys.readouterr().out
    assert "\x1b" not in shown and "\x07" not in shown
    assert shown.count(ESCAPED) == 2
