"""Every fault gives one error kind and a one-sentence message, and the next run works."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tutor.runner.client import Runner


def _one_sentence(error: dict[str, Any]) -> str:
    message: str = error["message"]
    assert "\n" not in message and 0 < len(message) <= 300
    return message


async def _still_works(runner: Runner, ns: str) -> None:
    result = await runner.execute(ns, "ok_value = 6 * 7")
    assert result["ok"], result["error"]
    assert (await runner.evaluate(ns, "ok_value"))["value"] == 42


async def test_exception_points_at_the_cell_line(runner: Runner, ns: str) -> None:
    result = await runner.execute(ns, "a = 1\n\nb = a / 0", filename="<cell 3>")
    error = result["error"]
    assert error["kind"] == "exception"
    assert "ZeroDivisionError" in _one_sentence(error) and "line 3" in error["message"]
    assert 'File "<cell 3>", line 3' in error["traceback"]
    assert "tutor" not in error["traceback"] and "runner" not in error["traceback"]
    await _still_works(runner, ns)


async def test_exception_inside_torch_shows_only_cell_frames(runner: Runner, ns: str) -> None:
    code = "import torch\ndef f(t):\n    return t.view(3)\nf(torch.ones(2, 2).T)"
    result = await runner.execute(ns, code)
    error = result["error"]
    assert error["kind"] == "exception" and "line 3" in _one_sentence(error)
    assert "torch/" not in error["traceback"]
    assert error["traceback"].count("File ") == 2


async def test_syntax_error(runner: Runner, ns: str) -> None:
    result = await runner.execute(ns, "x = 1\ny = (")
    assert result["error"]["kind"] == "exception"
    assert "SyntaxError" in _one_sentence(result["error"])
    await _still_works(runner, ns)


async def test_endless_loop_times_out_and_keeps_the_namespace(runner: Runner, ns: str) -> None:
    await runner.execute(ns, "before = 1")
    result = await runner.execute(ns, "while True:\n    pass", timeout=0.3)
    assert result["error"]["kind"] == "timeout"
    assert "namespace is kept" in _one_sentence(result["error"])
    assert (await runner.evaluate(ns, "before"))["value"] == 1


async def test_loop_that_ignores_sigint_gets_its_worker_replaced(runner: Runner, ns: str) -> None:
    await runner.execute(ns, "before = 1")
    code = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"
    result = await runner.execute(ns, code, timeout=0.2)
    assert result["error"]["kind"] == "timeout"
    assert "reset" in _one_sentence(result["error"])
    assert (await runner.evaluate(ns, "'before' in globals()"))["value"] is False
    await _still_works(runner, ns)


async def test_interrupt(runner: Runner, ns: str) -> None:
    await runner.execute(ns, "before = 1")
    task = asyncio.create_task(runner.execute(ns, "import time\nwhile True:\n    time.sleep(0.01)"))
    while runner.state.value != "busy":
        await asyncio.sleep(0.01)
    await runner.interrupt(ns)
    result = await task
    assert result["error"]["kind"] == "exception"
    assert "interrupted" in _one_sentence(result["error"])
    assert (await runner.evaluate(ns, "before"))["value"] == 1


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("import os\nos._exit(3)", "status 3"),
        ("import ctypes\nctypes.string_at(0)", "segmentation fault"),
        ("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", "SIGKILL"),
    ],
    ids=["os._exit", "segfault", "sigkill"],
)
async def test_worker_death_is_a_crash(runner: Runner, ns: str, code: str, words: str) -> None:
    await runner.execute(ns, "before = 1")
    result = await runner.execute(ns, code)
    assert result["error"]["kind"] == "crash"
    message = _one_sentence(result["error"])
    assert words in message and "reset" in message
    assert runner.state.value == "ready"
    await _still_works(runner, ns)


async def test_worker_killed_between_cells(runner: Runner, ns: str) -> None:
    import os
    import signal

    await runner.execute(ns, "before = 1")
    pid = (await runner.evaluate(ns, "__import__('os').getpid()"))["value"]
    os.kill(pid, signal.SIGKILL)
    result = await runner.execute(ns, "after = 2")
    assert result["error"]["kind"] == "crash"
    await _still_works(runner, ns)


@pytest.mark.parametrize(
    "code",
    ["import torch\nt = torch.empty(2**40)", "b = bytearray(2**40)",
     "raise RuntimeError('std::bad_alloc')"],
    ids=["torch", "python", "bad_alloc"],
)
async def test_memory_exhaustion(runner: Runner, ns: str, code: str) -> None:
    result = await runner.execute(ns, code)
    assert result["error"]["kind"] == "out_of_memory"
    _one_sentence(result["error"])
    await _still_works(runner, ns)


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("name = input('Your name? ')", "input() is not available"),
        ("import sys\nsys.exit(2)", "sys.exit(2)"),
        ("raise KeyboardInterrupt", "KeyboardInterrupt"),
        ("def f(n):\n    return f(n + 1)\nf(0)", "RecursionError"),
    ],
    ids=["input", "sys.exit", "KeyboardInterrupt", "recursion"],
)
async def test_exceptions_that_keep_the_worker(
    runner: Runner, ns: str, code: str, words: str
) -> None:
    await runner.execute(ns, "before = 1")
    result = await runner.execute(ns, code)
    assert result["error"]["kind"] == "exception"
    assert words in _one_sentence(result["error"])
    assert (await runner.evaluate(ns, "before"))["value"] == 1


async def test_thread_left_running(runner: Runner, ns: str) -> None:
    code = (
        "import threading, time\n"
        "def spin():\n    while True:\n        time.sleep(0.005)\n"
        "threading.Thread(target=spin, daemon=True).start()"
    )
    result = await runner.execute(ns, code)
    assert result["ok"], result["error"]
    await _still_works(runner, ns)
    copy = await runner.evaluate(ns, "ok_value + 1", fresh_copy=True)
    assert copy["value"] == 43


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("class E(Exception):\n    def __str__(self):\n        raise ValueError('no')\nraise E()",
         "E at line 4: <E.__str__ failed>"),
        ("class R:\n    def __repr__(self):\n        raise ValueError('no')\n"
         "import sys\nsys.exit(R())", "sys.exit(?) was called"),
    ],
    ids=["__str__ raises", "exit code's __repr__ raises"],
)
async def test_an_exception_that_cannot_be_worded_is_still_that_exception(
        runner: Runner, ns: str, code: str, words: str) -> None:
    """Not "the runner failed while handling the request": the cell's exception, named."""
    await runner.execute(ns, "before = 1")
    result = await runner.execute(ns, code)
    assert result["error"]["kind"] == "exception"
    assert words in _one_sentence(result["error"]) and "runner" not in result["error"]["message"]
    assert (await runner.evaluate(ns, "before"))["value"] == 1


async def test_an_exception_whose_str_never_returns_is_a_timeout(runner: Runner, ns: str) -> None:
    """Its __str__ runs after the cell: an endless one was an "exit status 70" crash."""
    code = ("class E(Exception):\n    def __str__(self):\n        while True:\n"
            "            pass\nraise E()")
    result = await runner.execute(ns, code, timeout=0.5)
    assert result["error"]["kind"] == "timeout", result["error"]
    assert "status" not in _one_sentence(result["error"])
    await _still_works(runner, ns)


async def test_a_cell_that_closes_the_worker_socket_is_told_so(runner: Runner, ns: str) -> None:
    code = "import gc, socket\nfor s in gc.get_objects():\n    if isinstance(s, socket.socket):\n" \
           "        s.close()"
    result = await runner.execute(ns, code)
    assert result["error"]["kind"] == "crash"
    assert "closed or replaced its socket" in _one_sentence(result["error"])
    await _still_works(runner, ns)
