"""Where the learner's progress file lives."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

#: File name of the store inside the data directory.
FILE_NAME = "progress.sqlite3"


def default_path() -> Path:
    """`$TUTOR_HOME/progress.sqlite3`, else the platform's per-user data directory."""
    home = os.environ.get("TUTOR_HOME")
    if home:
        return Path(home).expanduser() / FILE_NAME
    return platformdirs.user_data_path("tutor") / FILE_NAME
