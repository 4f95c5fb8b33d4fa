"""A per-user cache of parsed courses, so starting `tutor` need not import or run the parser.

An entry is valid while every lesson file (and translation) has the same name, size and
modification time, and the parser and tutor version are the same; anything else re-parses.
Failures to read or write the cache are never errors: the course is simply parsed.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sys
import zlib
from pathlib import Path

import tutor
from tutor.course.model import Course

#: Bump when the cached data classes change shape.
FORMAT = 2
_PARSER = Path(__file__).with_name("lesson_file.py")


def cache_dir() -> Path:
    """`$TUTOR_HOME/cache` when TUTOR_HOME is set, else the platform's user cache folder."""
    home = os.environ.get("TUTOR_HOME")
    if home:
        return Path(home) / "cache"
    import platformdirs

    return platformdirs.user_cache_path("tutor")


def stamp(directory: Path, lang: str | None) -> tuple[object, ...]:
    """What a cached course depends on: versions, parser, and each file's name, size and mtime."""
    files: list[tuple[str, int, int]] = []
    for folder in (directory, directory / lang) if lang else (directory,):
        with contextlib.suppress(OSError), os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.endswith(".md") and entry.is_file():
                    info = entry.stat()
                    files.append((entry.path, info.st_size, info.st_mtime_ns))
    parser = _PARSER.stat().st_mtime_ns if _PARSER.exists() else 0
    return (FORMAT, tutor.__version__, sys.version_info[:2], parser, lang, sorted(files))


def _entry(directory: Path, lang: str | None) -> Path:
    # A short checksum names the entry; the stamp inside, with full paths, decides validity.
    key = zlib.crc32(f"{directory.resolve()}\0{lang}".encode())
    return cache_dir() / f"course-{key:08x}.pickle"


def load(directory: Path, lang: str | None) -> Course | None:
    """The cached course for this folder, or None when absent or stale."""
    try:
        with _entry(directory, lang).open("rb") as file:
            saved_stamp, course = pickle.load(file)
    except Exception:  # a missing, foreign or damaged entry just means "parse again"
        return None
    if saved_stamp != stamp(directory, lang) or not isinstance(course, Course):
        return None
    return course


def save(directory: Path, lang: str | None, course: Course, at: tuple[object, ...]) -> None:
    """Store `course`, parsed from files matching stamp `at`; quietly skip when unwritable."""
    path = _entry(directory, lang)
    with contextlib.suppress(OSError, pickle.PicklingError):
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            pickle.dump((at, course), file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
