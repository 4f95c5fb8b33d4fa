"""One `tutor serve` for the class-server tests: loopback, a free port, three known students."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from served import NAMES, ServedClass, start_server, stop_server
from students import new_key, students_line


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedClass]:
    root = tmp_path_factory.mktemp("class")
    keys = {name: new_key() for name in NAMES}
    (root / "students").write_text("".join(students_line(n, k) for n, k in keys.items()))
    process, log, port = start_server(root)
    try:
        yield ServedClass(root, port, process, keys, log)
    finally:
        stop_server(process)
