"""`tutor check`: the JSON of docs/architecture.md on the shipped lessons; exit 1 on failure."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

F = "```"


def run_check(*args: str, env: dict[str, str] | None = None) -> tuple[int, dict, str]:
    proc = subprocess.run([sys.executable, "-m", "tutor", "check", "--json", "--device", "cpu",
                           *args], capture_output=True, text=True, timeout=120, env=env)
    return proc.returncode, json.loads(proc.stdout), proc.stderr


def lesson(lesson_id: str, body: str, extra: str = "") -> str:
    return f"---\nid: {lesson_id}\ntitle: {lesson_id.title()}\norder: 1\n{extra}---\n\n{body}"


def test_shipped_lessons_pass_with_the_contract_shape() -> None:
    status, report, stderr = run_check()
    assert status == 0, stderr
    assert set(report) == {"device", "torch", "lessons"}
    assert report["device"] == "cpu"
    assert len(report["lessons"]) >= 1
    for entry in report["lessons"]:
        assert {"id", "title", "ok", "errors", "cells", "quizzes"} <= set(entry)
        assert entry["ok"] and entry["errors"] == []
        for cell in entry["cells"]:
            assert {"index", "ok", "error"} <= set(cell) and cell["error"] is None
        for quiz in entry["quizzes"]:
            assert {"id", "type", "ok", "expected", "error"} <= set(quiz)


def quiz(body: str) -> str:
    return f"{F}quiz\n{body}{F}\n"


def cell(source: str) -> str:
    return f"{F}python\n{source}{F}\n\n"


def failing_lessons() -> dict[str, str]:
    number_x = "type: number\nask: What is x\nanswer: x\n"
    choice = "id: pick\ntype: choice\nask: Which\nchoices: [a, b]\nanswer: \"'c'\"\n"
    return {
        "fine.md": lesson("fine", "## One\n\n" + cell("x = 2\n") + quiz("id: x\n" + number_x)),
        "raises.md": lesson("raises", "## One\n\n" + cell("x = 1\n") + cell("1 / 0\n")
                            + quiz("id: after\n" + number_x)),
        "loops.md": lesson("loops", "## One\n\n" + cell("while True:\n    pass\n"),
                           extra="timeout: 1\n"),
        "unsuitable.md": lesson("unsuitable", "## One\n\n" + quiz(choice)),
        "no-front-matter.md": "no front matter here\n",
    }


def test_failures_are_reported_and_exit_one(checked) -> None:
    status, by_id = checked
    assert status == 1
    assert by_id["fine"]["ok"] and by_id["fine"]["quizzes"][0]["expected"] == 2
    raises = by_id["raises"]
    assert [c["ok"] for c in raises["cells"]] == [True, False]
    assert raises["cells"][1]["error"]["kind"] == "exception"
    assert "ZeroDivisionError" in raises["cells"][1]["error"]["message"]
    assert raises["quizzes"][0]["ok"] is False
    assert by_id["loops"]["cells"][0]["error"]["kind"] == "timeout"
    assert "not one of the choices" in by_id["unsuitable"]["quizzes"][0]["error"]["message"]
    broken = by_id["no-front-matter"]
    assert broken["ok"] is False
    assert broken["errors"][0]["line"] == 1
    assert broken["errors"][0]["file"].endswith("no-front-matter.md")


def test_unknown_lesson_is_a_clear_error() -> None:
    proc = subprocess.run([sys.executable, "-m", "tutor", "check", "no-such-lesson"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "no lesson no-such-lesson" in proc.stderr


def test_unavailable_device_is_one_line_not_a_traceback() -> None:
    proc = subprocess.run([sys.executable, "-m", "tutor", "check", "--device", "cuda:7"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and "cuda" in proc.stderr


def answer_kind_lessons() -> dict[str, str]:
    body = ("## One\n\n" + cell("import torch\nt = torch.tensor([0.5])\n")
            + quiz("id: one\ntype: number\nask: What is t\nanswer: t\n")
            + quiz("id: shape\ntype: shape\nask: What shape\nanswer: t.shape\n")
            + quiz("id: kind\ntype: dtype\nask: What dtype\nanswer: t.dtype\n")
            + quiz("id: whole\ntype: tensor\nask: What is t\nanswer: t * 2\n")
            + quiz("id: bad\ntype: dtype\nask: What dtype\nanswer: str(t.dtype).upper()\n"))
    return {"graded.md": lesson("graded", body)}


def test_every_answer_kind_is_checked_against_the_grader(checked) -> None:
    # Each computed answer, typed in full, must be accepted by the grader; a value the quiz
    # type cannot take is a fault in the lesson.
    status, by_id = checked
    quizzes = {q["id"]: q for q in by_id["graded"]["quizzes"]}
    assert status == 1 and by_id["graded"]["ok"] is False
    assert all(quizzes[name]["ok"] for name in ("one", "shape", "kind", "whole"))
    assert quizzes["bad"]["ok"] is False
    assert "torch dtype" in quizzes["bad"]["error"]["message"]


def test_checking_a_broken_lesson_by_id_reports_its_errors(tmp_path: Path) -> None:
    (tmp_path / "06-broken.md").write_text(lesson("broken", "## One\n\n" + quiz("id: [x\n")))
    status, report, _ = run_check("broken", "--lessons", str(tmp_path))
    assert status == 1
    (entry,) = report["lessons"]
    assert entry["id"] == "broken" and entry["ok"] is False
    assert "invalid YAML in quiz" in entry["errors"][0]["message"]


def task(quiz_id: str, check: str, solution: str, show: str = "") -> str:
    lines = "\n".join(f"  {line}" for line in solution.splitlines())
    shown = f"show: {show}\n" if show else ""
    return quiz(f"id: {quiz_id}\ntype: task\nask: Change the cell above.\ncheck: {check}\n"
                f"{shown}solution: |\n{lines}\n")


def task_lessons() -> dict[str, str]:
    train = "lr = 0.01\nloss = 1 - lr * 10\n"
    solved = "lr = 0.07\nloss = 1 - lr * 10\n"
    body = ("## One\n\n" + cell("steps = 3\n") + cell(train)
            + task("fast", "loss < 0.4", solved, show="loss")
            + cell(train) + task("new-name", "final < 0.4", "final = 0.1\n")
            + cell(train) + task("no-show", "loss < 0.4", solved))
    broken = ("## One\n\n" + cell("loss = 0.1\n") + task("already", "loss < 0.4", "loss = 0\n")
              + cell("loss = 1.0\n") + task("unsolved", "loss < 0.4", "loss = 0.5\n")
              + cell("loss = 1.0\n") + task("bad-show", "loss < 0.4", "loss = 0\n",
                                            show="losses[-1]"))
    return {"tasks.md": lesson("tasks", body), "broken-tasks.md": lesson("broken-tasks", broken)}


def test_a_task_must_fail_unedited_and_pass_with_its_solution(checked) -> None:
    status, by_id = checked
    good = {q["id"]: q for q in by_id["tasks"]["quizzes"]}
    assert by_id["tasks"]["ok"], by_id["tasks"]
    assert good["fast"]["expected"] == 1 - 0.07 * 10
    assert good["new-name"]["ok"] and good["no-show"]["expected"] is None
    bad = {q["id"]: q for q in by_id["broken-tasks"]["quizzes"]}
    assert status == 1 and not any(q["ok"] for q in bad.values())
    assert "passes without any change" in bad["already"]["error"]["message"]
    assert "the solution does not pass" in bad["unsolved"]["error"]["message"]
    assert "NameError" in bad["bad-show"]["error"]["message"]
    # Cells after a task run as the lesson wrote them: the solution never leaks into them.
    assert all(c["ok"] for c in by_id["broken-tasks"]["cells"])


def form_lessons() -> dict[str, str]:
    body = ("## One\n\n" + cell("x = 1\n")
            + quiz("id: name\ntype: text\nask: Its name?\naccept: ['context length', '...']\n")
            + quiz("id: good\ntype: number\nask: x?\nanswer: x / 3\ntolerance: {digits: 3}\n"))
    return {"forms.md": lesson("forms", body)}


def test_check_fails_when_the_grader_refuses_a_right_form(checked) -> None:
    # An accepted text the grader cannot match (only punctuation) is refused: the lesson is at
    # fault, and check says which form.
    status, by_id = checked
    quizzes = {q["id"]: q for q in by_id["forms"]["quizzes"]}
    assert status == 1 and quizzes["good"]["ok"] and not quizzes["name"]["ok"]
    assert not by_id["forms"]["ok"]
    assert "'...' is not accepted" in quizzes["name"]["error"]["message"]


def test_an_empty_or_missing_folder_is_said_in_one_line(tmp_path: Path) -> None:
    for folder, words in ((tmp_path, "no lessons found in"),
                          (tmp_path / "nowhere", "no lesson folder at")):
        proc = subprocess.run([sys.executable, "-m", "tutor", "check", "--lessons", str(folder)],
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 1
        assert proc.stderr.strip() == proc.stderr.strip().splitlines()[0]
        assert words in proc.stderr and str(folder) in proc.stderr
        assert f"{folder}:1:" not in proc.stderr


def code_lessons() -> dict[str, str]:
    steady = "id: steady\ntype: code\nask: Double x\nanswer: x * 2\n"
    random = "id: random\ntype: code\nask: Draw\nanswer: torch.rand(3) + x\n"
    return {"codes.md": lesson("codes", "## One\n\n" + cell("import torch\nx = 2\n")
                               + quiz(steady) + quiz(random))}


def test_code_answers_are_checked_the_way_a_learner_types_them(checked) -> None:
    """The answer is evaluated again as a learner's code answer would be (in a fresh copy of the
    reference namespace); one that draws random numbers then gets another value, so no learner
    could ever match it, and the check says so."""
    status, by_id = checked
    assert status == 1 and not by_id["codes"]["ok"]
    quizzes = {q["id"]: q for q in by_id["codes"]["quizzes"]}
    assert quizzes["steady"]["ok"] and quizzes["steady"]["expected"] == 4
    assert not quizzes["random"]["ok"]
    assert "typed as a learner would" in quizzes["random"]["error"]["message"]


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, dict]]:
    """One `tutor check --json` over the lessons of every test above that reads a report (each
    run costs a process and a runner start); each test reads its own lessons' entries."""
    folder = tmp_path_factory.mktemp("lessons")
    for lessons in (failing_lessons, answer_kind_lessons, task_lessons, form_lessons,
                    code_lessons):
        for name, text in lessons().items():
            (folder / name).write_text(text, encoding="utf-8")
    env = {**os.environ, "TUTOR_HOME": str(tmp_path_factory.mktemp("home"))}
    status, report, stderr = run_check("--lessons", str(folder), env=env)
    by_id = {entry["id"]: entry for entry in report["lessons"]}
    assert len(by_id) == len(report["lessons"]), stderr
    return status, by_id
