"""A per-user cache of parsed courses, so starting `tutor` need not import or run the parser.

An entry is valid while every lesson file (and translation) has the same name, size and
modification time, and the parser and tutor version are the same; anything else re-parses.
Failures to read or write the cache are never errors: the course is simply parsed. Entries are
JSON, never pickle: a cell can write to the cache folder, and the UI process must never load
anything that could run code (tutor/course/course_json.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import zlib
from pathlib import Path
from typing import Any

import tutor
from tutor.course import course_json
from tutor.course.model import Course
from tutor.i18n import current_language
from tutor.private_dirs import make_private_dir

#: Bump when the cached data classes change shape.
FORMAT = 4
#: The code that parses a course: the course package and the grading code it calls.
_PARSER_FOLDERS = (Path(__file__).parent, Path(__file__).parent.parent / "grading")


def cache_dir() -> Path:
    """`$TUTOR_HOME/cache` when TUTOR_HOME is set, else the platform's user cache folder."""
    home = os.environ.get("TUTOR_HOME")
    if home:
        return Path(home) / "cache"
    import platformdirs

    return platformdirs.user_cache_path("tutor")


def _files(folders: tuple[Path, ...], suffix: str) -> list[list[Any]]:
    """[path, size, mtime] of each file ending in `suffix` directly inside `folders`."""
    files: list[list[Any]] = []
    for folder in folders:
        with contextlib.suppress(OSError), os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.endswith(suffix) and entry.is_file():
                    info = entry.stat()
                    files.append([entry.path, info.st_size, info.st_mtime_ns])
    return sorted(files)


def stamp(directory: Path, lang: str | None) -> list[Any]:
    """What a cached course depends on: versions, the parser's source files, and each lesson
    file's name, size and mtime (as JSON data, so that a saved stamp compares equal)."""
    lessons = (directory, directory / lang) if lang else (directory,)
    # The interface language too: a lesson file's errors are worded in it.
    return [FORMAT, tutor.__version__, list(sys.version_info[:2]),
            _files(_PARSER_FOLDERS, ".py"), lang, current_language(), _files(lessons, ".md")]



def _entry(directory: Path, lang: str | None) -> Path:
    # A short checksum names the entry; the stamp inside, with full paths, decides validity.
    key = zlib.crc32(f"{directory.resolve()}\0{lang}".encode())
    return cache_dir() / f"course-{key:08x}.json"


#: Entries larger than this are not parsed (the shipped course's is about 200 KB): a cell can
#: write the cache folder, and JSON of 32 MiB took the app past its memory budget.
MAX_ENTRY_BYTES = 4 * 1024 * 1024


def load(directory: Path, lang: str | None) -> Course | None:
    """The cached course for this folder, or None when absent, stale, or not a course."""
    try:
        with _entry(directory, lang).open("rb") as file:
            raw = file.read(MAX_ENTRY_BYTES + 1)
        if len(raw) > MAX_ENTRY_BYTES:
            return None
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("stamp") != stamp(directory, lang):
            return None
        return course_json.decode(data.get("course"))
    except (OSError, ValueError, RecursionError):  # missing, foreign or damaged: parse again
        return None


def save(directory: Path, lang: str | None, course: Course, at: list[Any]) -> None:
    """Store `course`, parsed from files matching stamp `at`; quietly skip when unwritable."""
    path = _entry(directory, lang)
    with contextlib.suppress(OSError):
        make_private_dir(path.parent)  # TUTOR_HOME too, when the cache is the first to need it
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            json.dump({"stamp": at, "course": course_json.encode(course)}, file)
        os.replace(temporary, path)
