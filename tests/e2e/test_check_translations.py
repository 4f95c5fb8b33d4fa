"""`tutor check --lang sw`: each translation matches its English lesson and every quiz is graded
in its translated form."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.core.test_translation_format import ENGLISH, SWAHILI


def check(lessons: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tutor", "--lessons", str(lessons), "--lang",
                           "sw", "check", "--device", "cpu", *args], capture_output=True,
                          text=True, timeout=120)


def write(folder: Path, swahili: str) -> Path:
    (folder / "01-demo.md").write_text(ENGLISH, encoding="utf-8")
    (folder / "sw").mkdir()
    path = folder / "sw" / "01-demo.md"
    path.write_text(swahili, encoding="utf-8")
    return path


def test_a_matching_translation_passes_with_its_quizzes_graded_in_kiswahili(
        tmp_path: Path) -> None:
    write(tmp_path, SWAHILI)
    result = check(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "sawa demo             seli 2/2, maswali 3/3" in result.stdout
    assert "inakagua tafsiri za sw" in result.stdout


def test_a_translated_choice_that_does_not_grade_fails_the_check(tmp_path: Path) -> None:
    # A translation with a choice too few cannot be graded: its line is reported, exit 1.
    path = write(tmp_path, SWAHILI.replace("choices: [moja, tatu, mbili]", "choices: [moja, tatu]"))
    result = check(tmp_path)
    assert result.returncode == 1
    line = SWAHILI.split("choices:")[0].count("\n") + 1
    # Under --lang sw the lesson file's error is in Kiswahili too.
    assert f"{path}:{line}: swali 'which' lina machaguo 2; swali la Kiingereza lina 3" \
        in result.stdout


def test_json_keeps_english_keys_and_the_computed_english_value(tmp_path: Path) -> None:
    import json

    write(tmp_path, SWAHILI)
    report = json.loads(check(tmp_path, "--json").stdout)
    (lesson,) = report["lessons"]
    assert lesson["ok"] and lesson["title"] == "Onyesho"
    assert [q["expected"] for q in lesson["quizzes"]] == ["three", "kigeu", 6]



SLOW = """---
id: slow
title: Slow
order: 1
timeout: 0.5
---

## One

```python
while True:
    pass
```
"""


def test_messages_are_in_kiswahili_but_json_stays_english(tmp_path: Path) -> None:
    import json

    (tmp_path / "01-slow.md").write_text(SLOW, encoding="utf-8")
    human = check(tmp_path)
    assert human.returncode == 1
    assert "seli 1: timeout: Uendeshaji wa seli umezidi sekunde 0.5 na umesimamishwa" \
        in human.stdout
    report = json.loads(check(tmp_path, "--json").stdout)
    (cell,) = report["lessons"][0]["cells"]
    assert cell["error"]["message"].startswith("The cell ran longer than 0.5 s and was stopped")
    assert "Uendeshaji" not in json.dumps(report)
