"""`tutor doctor`: the JSON report's keys, and the colour system read from the environment."""

from __future__ import annotations

import json
import subprocess
import sys

from tutor.commands.doctor import colour_system


def test_colour_system_from_environment() -> None:
    assert colour_system({"TERM": "xterm-256color", "NO_COLOR": "1"}) == "none"
    assert colour_system({"TERM": "xterm-256color", "COLORTERM": "truecolor"}) == "truecolor"
    assert colour_system({"TERM": "xterm-256color"}) == "256"
    assert colour_system({"TERM": "xterm"}) == "16"
    assert colour_system({"TERM": "dumb"}) == "none"


def test_doctor_json() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tutor", "doctor", "--json", "--device", "cpu"],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    for key in ("torch", "device", "runner_ready_s", "roundtrip_ms_median", "fresh_namespace_ms",
                "ui_rss_mib", "session_pss_mib"):
        assert key in data
    assert data["device"] == "cpu"
    assert data["roundtrip_ms_median"] > 0 and data["runner_ready_s"] > 0
    assert data["textual"] is not None
    assert set(data["sandbox"]) >= {"landlock_abi", "files", "signals", "abstract_unix_sockets",
                                    "tcp", "missing"}
    assert isinstance(data["sandbox"]["missing"], list)
