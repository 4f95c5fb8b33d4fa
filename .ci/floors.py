"""Print the project's dependencies pinned at their floors (`name>=x` as `name==x`), one a line,
for the CI step that installs the oldest versions pyproject.toml claims to work with."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

#: Pinned otherwise: only this torch build is on the CI machine's disk.
FIXED = {"torch": "torch==2.13.0"}


def floors(pyproject: Path) -> list[str]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    pins = []
    for requirement in project["dependencies"]:
        spec, _, marker = requirement.partition(";")
        if marker.strip():
            continue  # for other Python versions
        match = re.fullmatch(r"\s*([A-Za-z0-9_.-]+)\s*>=\s*([^,\s]+)\s*", spec)
        if match is None:
            sys.exit(f"floors.py: no floor in {requirement!r}")
        name, version = match.groups()
        pins.append(FIXED.get(name, f"{name}=={version}"))
    return pins


if __name__ == "__main__":
    print("\n".join(floors(Path(__file__).resolve().parent.parent / "pyproject.toml")))
