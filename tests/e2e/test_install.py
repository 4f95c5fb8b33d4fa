"""A regular (non-editable) install, run from outside the checkout, finds the shipped lessons."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_ships_lessons_and_lists_them(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels),
                    str(ROOT)], check=True, capture_output=True, timeout=300)
    (wheel,) = wheels.glob("tutor-*.whl")
    # Translations (lessons/sw/...) ship too, under the same relative paths.
    shipped = sorted(p.relative_to(ROOT / "lessons").as_posix()
                     for p in (ROOT / "lessons").rglob("*.md"))
    with zipfile.ZipFile(wheel) as archive:
        packed = sorted(n.removeprefix("tutor/lessons/") for n in archive.namelist()
                        if n.startswith("tutor/lessons/") and n.endswith(".md"))
    assert packed == shipped
    shipped = [name for name in shipped if "/" not in name]

    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    # The interface catalogs ship compiled (README, "Languages"), with their sources.
    assert {"tutor/locale/sw/LC_MESSAGES/tutor.mo", "tutor/locale/sw/LC_MESSAGES/tutor.po",
            "tutor/locale/tutor.pot"} <= names

    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
                    str(site), str(wheel)], check=True, capture_output=True, timeout=300)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("TUTOR_LESSONS", None)
    proc = subprocess.run([sys.executable, "-m", "tutor", "list", "--json"], cwd=elsewhere,
                          env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    listing = json.loads(proc.stdout)
    assert Path(listing["directory"]).is_relative_to(site)
    assert len(listing["lessons"]) == len(shipped)
    swahili = subprocess.run([sys.executable, "-m", "tutor", "list"], cwd=elsewhere,
                             env={**env, "LANG": "sw_TZ.UTF-8", "LC_ALL": ""},
                             capture_output=True, text=True, timeout=60)
    assert swahili.returncode == 0, swahili.stderr
    assert "hatua " in swahili.stdout and "seli " in swahili.stdout

