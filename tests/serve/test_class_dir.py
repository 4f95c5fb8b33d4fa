"""The class directory, the report's figures and the teacher's view, without a server."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from tutor.i18n import _, set_language
from tutor.progress import ProgressStore
from tutor.serve.classdir import ClassDir, parse_students
from tutor.serve.report import class_rows
from tutor.ui.class_messages import MessageWatcher
from tutor.ui.teacher.app import TeacherApp

KEY = "AAAAC3NzaC1lZDI1NTE5AAAAIJ3cP1m0Qm1S0hVn6p1X0oE1h8Q2H9gq7hJ0m0r0J0fH"


def test_the_students_file_is_read_with_its_errors_located() -> None:
    students, errors = parse_students(
        f"# comment\nada ssh-ed25519 {KEY} ada@laptop\n\n../x ssh-ed25519 {KEY}\nlonely\n",
        "students")
    assert [(s.name, s.key_type, s.comment) for s in students] == [
        ("ada", "ssh-ed25519", "ada@laptop")]
    assert errors == ["students:4: '../x' is not a usable name (letters, digits, . _ -; 32 at "
                      "most)", "students:5: expected NAME KEYTYPE KEY [COMMENT]"]


def test_enrolment_binds_a_key_to_a_free_name_once(tmp_path: Path) -> None:
    classdir = ClassDir(tmp_path / "class")
    classdir.prepare()
    assert classdir.enrol("ada", "ssh-ed25519", KEY) is None
    assert classdir.student_for_key("ssh-ed25519", KEY) == "ada"
    assert classdir.enrol("ada", "ssh-ed25519", KEY + "x") == "'ada' is taken: pick another name."
    assert classdir.enrol("bob", "ssh-ed25519", KEY) == "This key is already enrolled."
    assert classdir.enrol("../etc", "ssh-ed25519", "K") is not None
    assert (tmp_path / "class" / "run").stat().st_mode & 0o777 == 0o700


def stored(classdir: ClassDir, name: str) -> ProgressStore:
    return ProgressStore(classdir.home(name) / "progress.sqlite3")


def make_class(tmp_path: Path) -> ClassDir:
    """ada solved a quiz and is online; bob got one quiz wrong three times."""
    classdir = ClassDir(tmp_path / "class")
    classdir.prepare()
    (classdir.root / "students").write_text(f"ada ssh-ed25519 {KEY}\nbob ssh-ed25519 {KEY}b\n")
    with stored(classdir, "ada") as store:
        store.set_position("tensors", 2)
        store.record_attempt("tensors", "rank", "2", True, "Correct", device="cpu",
                             torch_version="2")
    with stored(classdir, "bob") as store:
        store.set_position("autograd", 4)
        for answer in ("1", "2", "3"):
            store.record_attempt("autograd", "w-grad", answer, False, "Wrong", device="cpu",
                                 torch_version="2")
    classdir.write_sessions([{"student": "ada", "app_pid": 1, "workers": [2, 3],
                              "pss_mib": 60.5, "rss_mib": 300.0, "cpu_percent": 12.0}])
    return classdir


def test_the_report_finds_who_is_stuck(tmp_path: Path) -> None:
    classdir = make_class(tmp_path)
    ada, bob = class_rows(classdir)
    assert (ada.connected, ada.lesson, ada.step, ada.solved, ada.attempted) == (
        True, "tensors", 2, 1, 1)
    assert ada.stuck == "" and ada.pss_mib == 60.5
    assert (bob.connected, bob.solved, bob.attempted) == (False, 0, 1)
    assert bob.stuck == "autograd/w-grad (3 wrong)"
    later = datetime.now(timezone.utc) + timedelta(minutes=6)
    assert class_rows(classdir, now=later)[0].stuck == "no progress for 6 min"


async def test_the_teachers_table_and_message(tmp_path: Path) -> None:
    classdir = make_class(tmp_path)
    watcher = MessageWatcher(classdir.messages_file)
    app = TeacherApp(classdir)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        table = app.query_one("#class")
        assert table.get_row("ada")[:6] == ["ada", "yes", "tensors", "3", "1/1/0", "-"]
        assert table.get_row("bob")[5] == "autograd/w-grad (3 wrong)"
        await pilot.press("m")
        await pilot.press(*"Quiz at ten")
        await pilot.press("enter")
    assert watcher.new_lines() == ["Quiz at ten"]
    assert watcher.new_lines() == []


class FakeService:
    """Stands in for tutor.serve.service.ClassService: records start and close."""

    def __init__(self, news) -> None:  # type: ignore[no-untyped-def]
        self.news = news
        self.started = self.closed = False

    async def start(self) -> None:
        self.started = True
        self.news("listening on 127.0.0.1:2222")

    async def close(self) -> None:
        self.closed = True


async def test_the_teachers_view_starts_the_server_beside_its_refreshes(tmp_path: Path) -> None:
    classdir = make_class(tmp_path)
    services: list[FakeService] = []
    app = TeacherApp(classdir, serve=lambda news: services.append(FakeService(news))
                     or services[-1])
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert services and services[0].started
        assert "listening on 127.0.0.1:2222" in [str(line.text) for line in
                                                 app.query_one("#events").lines]
    assert services[0].closed


async def test_the_teachers_view_and_the_report_in_kiswahili(tmp_path: Path) -> None:
    classdir = make_class(tmp_path)
    set_language("sw")
    try:
        bob = class_rows(classdir)[1]
        assert bob.stuck == "autograd/w-grad (si sahihi mara 3)"
        app = TeacherApp(classdir)
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()
            table = app.query_one("#class")
            assert [str(column.label) for column in table.columns.values()][:2] == [
                "Mwanafunzi", "Yupo mtandaoni"]
            assert table.get_row("ada")[1] == "ndiyo" and table.get_row("bob")[1] == "hapana"
            assert app.query_one("#message").placeholder.startswith("Ujumbe kwa kila mwanafunzi")
            # The footer's keys too (the app's bindings, shown through its default screen).
            described = app.screen.active_bindings["m"].binding.description
            assert described == _("Message everyone") != "Message everyone"
    finally:
        set_language("en")
