"""Folders that only their owner may enter: the tutor's home, its progress and its cache."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def make_private_dir(path: Path) -> None:
    """Create `path` and every missing parent with mode 0700, whatever the umask.

    `Path.mkdir(mode=..., parents=True)` gives the mode to the last folder only, so a parent that
    is made on the way (TUTOR_HOME, when the course cache is its first user) would be 0755.
    Folders that exist already are left as they are. OSError when a folder cannot be made.
    """
    missing: list[Path] = []
    folder = path
    while not folder.is_dir() and folder.parent != folder:
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=0o700)
            os.chmod(folder, 0o700)  # the umask may have taken bits away from the owner
