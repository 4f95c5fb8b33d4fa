"""`tutor serve` over real SSH on loopback: three students, the report, the teacher's table,
an unknown key, and a dropped connection."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import asyncssh
import pytest
from served import NAMES, ServedClass, alive, start_server, stop_server, wait_log
from students import Student, connect, new_key

from tutor.serve.classdir import ClassDir
from tutor.ui.teacher.app import TeacherApp

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="needs /proc")


async def study(student: Student) -> None:
    """Open the tiny lesson, run its cell, answer its quiz."""
    await student.wait_for("A tiny lesson")
    student.press("enter")
    await student.wait_for("Six times seven")
    student.press("f5")
    await student.wait_for("the answer is 42")
    student.press("f2")
    await student.wait_for(lambda text: "What is x?" in text)
    student.press("42", "enter")
    await student.wait_for("Correct")


def report(served: ServedClass) -> list[dict]:
    out = subprocess.run([sys.executable, "-m", "tutor", "report", "--class", str(served.root),
                          "--json"], capture_output=True, text=True, timeout=60, check=True)
    return json.loads(out.stdout)["rows"]


async def test_three_students_study_and_the_teacher_sees_them(served: ServedClass) -> None:
    students = await asyncio.gather(*(connect(served.port, served.keys[name]) for name in NAMES))
    try:
        await asyncio.gather(*(study(student) for student in students))
        rows = {row["student"]: row for row in report(served)}
        assert set(rows) == set(NAMES)
        for name in NAMES:
            assert rows[name]["lesson"] == "tiny"
            assert rows[name]["quizzes_solved"] == 1 and rows[name]["attempts"] == 1
            assert rows[name]["connected"] is True
        # Each student's progress is their own store, which `tutor progress` reads back.
        home = served.root / "home" / "ada"
        progress = subprocess.run(
            [sys.executable, "-m", "tutor", "progress", "--json"], capture_output=True,
            text=True, timeout=60, check=True, env={**os.environ, "TUTOR_HOME": str(home)})
        assert json.loads(progress.stdout)["last_lesson"] == "tiny"
        # The teacher's message reaches every student's app.
        ClassDir(served.root).post_message("Break in five minutes")
        await asyncio.gather(*(s.wait_for("Break in five minutes") for s in students))
        # The teacher's table, fed by the class directory.
        app = TeacherApp(ClassDir(served.root))
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()
            table = app.query_one("#class")
            assert table.row_count == 3
            for name in NAMES:
                cells = table.get_row(name)
                assert cells[0] == name and cells[1] == "yes"
                assert cells[2] == "tiny" and cells[4] == "1/1/0"
    finally:
        for student in students:
            student.close()


async def test_an_unknown_key_is_refused(served: ServedClass) -> None:
    with pytest.raises(asyncssh.PermissionDenied):
        await connect(served.port, new_key())
    served.wait_log(r"refused an unknown ssh-ed25519 key")


async def test_a_dropped_connection_leaves_no_process_of_that_student(
        served: ServedClass) -> None:
    classdir = ClassDir(served.root)
    before = {s["app_pid"] for s in classdir.sessions()}
    student = await connect(served.port, served.keys["alan"])
    await student.wait_for("A tiny lesson")
    # The window's size and its changes reach the app: it redraws at the new width.
    assert student.chan is not None
    student.screen.resize(30, 130)
    student.chan.change_terminal_size(130, 30)
    await student.wait_for(lambda text: len(text.splitlines()[0].rstrip()) > 100)
    student.press("enter")
    await student.wait_for("Six times seven")
    student.press("f5")
    await student.wait_for("the answer is 42")
    pids: list[int] = []
    end = time.monotonic() + 30
    while not pids and time.monotonic() < end:  # the server writes who runs what every 2 s
        await asyncio.sleep(0.2)
        for session in classdir.sessions():
            if session["student"] == "alan" and session["app_pid"] not in before \
                    and session["workers"]:
                pids = [session["app_pid"], *session["workers"]]
    assert pids, classdir.sessions()
    assert all(alive(pid) for pid in pids)
    student.close()  # the client goes without a word, as when its laptop is closed
    await asyncio.sleep(2.0)
    assert [pid for pid in pids if alive(pid)] == []
    served.wait_log(r"dropped alan")


async def test_enrolment_asks_the_code_and_a_name_once_and_a_full_class_refuses(
        tmp_path: Path) -> None:
    process, log, port = start_server(tmp_path, "--enrol", "pytorch-7", "--max-students", "1")
    try:
        key = new_key()
        wrong = await connect(port, key)
        await wrong.wait_for("Class code:")
        wrong.press("nope", "enter")
        await wrong.wait_for("That is not this class's code.")
        student = await connect(port, key)
        await student.wait_for("Class code:")
        student.press("pytorch-7", "enter")
        await student.wait_for("Your name")
        student.press("zoe", "enter")
        await student.wait_for("A tiny lesson")
        student.close()
        assert ClassDir(tmp_path).student_for_key(
            *key.export_public_key("openssh").decode().split()[:2]) == "zoe"
        await asyncio.to_thread(wait_log, log, "left zoe")
        again = await connect(port, key)  # bound now: straight to the lessons
        await again.wait_for("A tiny lesson")
        beyond = await connect(port, key)  # one student at most
        await beyond.wait_for("The class is full: 1 students are connected")
        await beyond.closed.wait()
        again.close()
    finally:
        stop_server(process)
