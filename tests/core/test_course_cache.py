"""The parsed-course cache: used when nothing changed, never when anything did."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

from tutor.course import cache, course_json, load_course

LESSON = """---
id: cached
title: {title}
order: 1
---

## One

```python
x = 1
```
"""


def write(folder: Path, title: str = "First") -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / "a.md"
    path.write_text(LESSON.format(title=title), encoding="utf-8")
    return path


def test_second_load_comes_from_the_cache(tmp_path: Path, tutor_home: Path) -> None:
    folder = tmp_path / "lessons"
    write(folder)
    first = load_course(folder)
    assert list((tutor_home / "cache").glob("course-*.json"))
    assert cache.load(folder, None) == first
    # A fresh interpreter gets the same course without importing the parser's dependencies.
    code = ("import sys; from pathlib import Path; from tutor.course import load_course; "
            f"c = load_course(Path({str(folder)!r})); "
            "print(c.lessons[0].title, 'markdown_it' in sys.modules, 'yaml' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, env=os.environ.copy())
    assert proc.stdout.split() == ["First", "False", "False"], proc.stderr


def test_an_edited_file_is_parsed_again(tmp_path: Path) -> None:
    folder = tmp_path / "lessons"
    path = write(folder)
    load_course(folder)
    write(folder, title="Second title")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert load_course(folder).lessons[0].title == "Second title"


def test_added_and_removed_files_are_noticed(tmp_path: Path) -> None:
    folder = tmp_path / "lessons"
    write(folder)
    load_course(folder)
    (folder / "b.md").write_text("no front matter\n", encoding="utf-8")
    assert len(load_course(folder).errors) == 1
    (folder / "b.md").unlink()
    assert load_course(folder).errors == []


def test_a_damaged_entry_is_ignored(tmp_path: Path, tutor_home: Path) -> None:
    folder = tmp_path / "lessons"
    write(folder)
    load_course(folder)
    for entry in (tutor_home / "cache").glob("course-*.json"):
        entry.write_bytes(b"not json")
    assert load_course(folder).lessons[0].title == "First"


def test_an_oversized_entry_is_not_parsed(tmp_path: Path, tutor_home: Path, monkeypatch) -> None:
    folder = tmp_path / "lessons"
    write(folder)
    load_course(folder)
    (entry,) = (tutor_home / "cache").glob("course-*.json")
    entry.write_text("[" + "0," * (cache.MAX_ENTRY_BYTES // 2) + "0]")  # JSON, just too big
    parsed: list[int] = []
    real_loads = json.loads
    monkeypatch.setattr(cache.json, "loads", lambda text: parsed.append(len(text)) or
                        real_loads(text))
    assert load_course(folder).lessons[0].title == "First"
    assert parsed == []  # refused by its size, before any parsing


def test_an_unwritable_cache_is_not_an_error(tmp_path: Path, monkeypatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder would go")
    monkeypatch.setenv("TUTOR_HOME", str(blocker))
    folder = tmp_path / "lessons"
    write(folder)
    assert load_course(folder).lessons[0].title == "First"
    assert load_course(folder).lessons[0].title == "First"


def test_cache_files_are_private(tmp_path: Path, tutor_home: Path) -> None:
    folder = tmp_path / "lessons"
    write(folder)
    load_course(folder)
    (entry,) = (tutor_home / "cache").glob("course-*.json")
    assert entry.stat().st_mode & 0o777 == 0o600
    assert (tutor_home / "cache").stat().st_mode & 0o777 == 0o700


def test_the_cache_is_json_and_never_runs_what_it_holds(tmp_path: Path, tutor_home: Path) -> None:
    # A cell can write to the cache folder: a pickle there would run code in the UI process.
    folder = tmp_path / "lessons"
    write(folder)
    load_course(folder)
    (entry,) = (tutor_home / "cache").glob("course-*.json")
    data = json.loads(entry.read_text())
    assert data["course"]["lessons"][0]["title"] == "First"
    entry.write_bytes(pickle.dumps(Exploit(tmp_path / "pwned")))
    assert load_course(folder).lessons[0].title == "First"
    assert not (tmp_path / "pwned").exists()
    # A well-formed entry that is not exactly a course reads as no cache.
    data["course"]["lessons"][0]["order"] = "first"
    entry.write_text(json.dumps(data))
    assert cache.load(folder, None) is None


class Exploit:
    """Unpickling this creates the file `target`."""

    def __init__(self, target: Path) -> None:
        self.target = target

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.target}",))


def test_every_kind_of_block_survives_the_round_trip() -> None:
    course = load_course(use_cache=False)
    assert course_json.decode(json.loads(json.dumps(course_json.encode(course)))) == course
