"""The learner's progress, saved as it happens in a per-user SQLite file."""

from tutor.progress.paths import default_path
from tutor.progress.store import ProgressStore

__all__ = ["ProgressStore", "default_path"]
