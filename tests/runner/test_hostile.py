"""Cells and answers that attack the protocol: after each, `1/0` and `x = 1` are still told apart.

Each attack is one way a reply could be taken for another request's (issue 10, item 2), a frame
that could flood the UI process (item 6), or a fault that could be misreported (items 7 and 9).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from checks import assert_sane

from tutor.runner import sandbox
from tutor.runner.client import Runner
from tutor.runner.state import RunnerState
from tutor.runner.wire import MAX_FRAME, MAX_NAME

#: A cell defining `forge(data)`: write `data` to every socket of this process (found with gc).
FORGE = """
import gc, json, socket, struct

def frame(message):
    body = json.dumps(message).encode()
    return struct.pack("!I", len(body)) + body

def forge(data):
    for obj in gc.get_objects():
        if isinstance(obj, socket.socket):
            try:
                obj.sendall(data)
            except OSError:
                pass

fake_ok = frame({"ok": True, "error": None, "snapshot": {"tensors": [], "graph": None}})
fake_err = frame({"ok": False, "error": {"kind": "exception", "message": "fake", "traceback": ""}})
"""


async def test_plain_fork_in_a_cell(runner: Runner, ns: str) -> None:
    code = "import os\npid = os.fork()\nside = 'child' if pid == 0 else 'parent'"
    result = await runner.execute(ns, code)
    assert result["ok"], result["error"]
    assert (await runner.evaluate(ns, "side"))["value"] == "parent"
    await assert_sane(runner, ns)
    await runner.execute(ns, "os.waitpid(pid, 0)")


async def test_forged_frames_on_the_worker_socket(runner: Runner, ns: str) -> None:
    await runner.execute(ns, FORGE)
    for _ in range(3):
        forged = await runner.execute(ns, "forge(fake_ok + fake_err)\nforge(fake_err)")
        assert forged["ok"], forged["error"]
    await assert_sane(runner, ns)
    guessed = "\n".join(f"forge(frame({{'id': '{n}-0', 'ok': True}}))" for n in range(50))
    await runner.execute(ns, guessed)
    await assert_sane(runner, ns)


async def test_code_answer_writing_to_inherited_channels(runner: Runner, ns: str) -> None:
    await runner.execute(ns, FORGE + "\nanswer = 41 + 1")
    spam = "(forge(fake_err), [__import__('os').write(fd, fake_err) for fd in range(3, 64)], 7)"
    attacks = [
        f"[{spam} for _ in range(1)][0][-1]",
        "__import__('os').write(3, b'garbage') and 5",
    ]
    for attack in attacks:
        await runner.evaluate(ns, attack, fresh_copy=True)  # any verdict: it is the learner's
        assert (await runner.evaluate(ns, "answer"))["value"] == 42
    await assert_sane(runner, ns)


async def test_cancelled_request_leaves_nothing_stale(runner: Runner, ns: str) -> None:
    await runner.execute(ns, "before = 1")
    task = asyncio.ensure_future(
        runner.execute(ns, "import time\ntime.sleep(0.5)\nlate = 'late'"))
    while runner.state != RunnerState.BUSY:
        await asyncio.sleep(0.005)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await assert_sane(runner, ns)
    assert (await runner.evaluate(ns, "'late' in globals()"))["value"] is False


async def test_oversized_and_garbage_frames_are_protocol_errors(runner: Runner, ns: str) -> None:
    await runner.execute(ns, FORGE)
    cases = [
        f"forge(struct.pack('!I', {MAX_FRAME + 1}) + b'x' * 100)",
        "forge(struct.pack('!I', 5) + b'abcde')",
        "forge(struct.pack('!I', 4) + b'[1] ')",
    ]
    for code in cases:
        result = await runner.execute(ns, code, timeout=30)
        assert result["error"] is not None and result["error"]["kind"] == "crash", result
        assert "protocol" in result["error"]["message"]
        await runner.execute(ns, FORGE)
    await assert_sane(runner, ns)


async def test_unknown_op_is_a_protocol_error_reply(runner: Runner, ns: str) -> None:
    await runner.execute(ns, "kept = 3")
    pid = (await runner.evaluate(ns, "__import__('os').getpid()"))["value"]
    reply, _, _ = await runner._request(ns, {"op": "bogus"}, None, None)
    assert reply["error"]["kind"] == "protocol" and "bogus" in reply["error"]["message"]
    assert (await runner.evaluate(ns, "(kept, __import__('os').getpid())"))["repr"] == \
        f"(3, {pid})"


async def test_large_values_names_and_snapshots_are_bounded(runner: Runner, ns: str) -> None:
    value = await runner.evaluate(ns, "__import__('torch').zeros(3 * 10**7)")
    assert value["ok"] and value["value"]["kind"] == "summary"
    assert value["value"]["numel"] == 3 * 10**7 and value["value"]["mean"] == 0.0
    # More tensors than a snapshot lists, each named far past the name cap (200 of 1 MB names are
    # the UI-memory attack below; here the caps are what is checked, at a size a busy CI can run).
    code = "import torch\nfor i in range(210):\n    globals()['n' * 10**5 + str(i)] = torch.ones(1)"
    result = await runner.execute(ns, code, timeout=60)
    assert result["ok"], result["error"]
    names = [entry["name"] for entry in result["snapshot"]["tensors"]]
    assert 0 < len(names) <= 200 and all(len(name) <= MAX_NAME for name in names)
    await assert_sane(runner, ns)


UI_MEMORY = """
import asyncio, json
from tutor.runner import sandbox
from tutor.runner.client import Runner

async def main():
    runner = Runner("cpu", preload=False)
    await runner.start()
    await runner.evaluate("a", "__import__('torch').zeros(3 * 10**7)")
    await runner.execute("a", "import torch\\nbig = torch.zeros(3 * 10**7)\\nbig")
    await runner.execute("b", "import gc, socket, struct\\n[s.sendall(struct.pack('!I', 200 << 20)"
                         " + b'[' * (1 << 20)) for s in gc.get_objects()"
                         " if isinstance(s, socket.socket)]")
    await runner.execute("c", "import torch\\nfor i in range(200):\\n"
                         "    globals()['n' * 10**6 + str(i)] = torch.ones(1)")
    await runner.close()
    with open("/proc/self/status") as status:  # VmHWM: peak RSS since exec (ru_maxrss is not)
        print(next(int(line.split()[1]) // 1024 for line in status if line.startswith("VmHWM")))

asyncio.run(main())
"""


def test_ui_process_memory_stays_bounded() -> None:
    done = subprocess.run([sys.executable, "-c", UI_MEMORY], capture_output=True, text=True,
                          timeout=120, check=False, cwd=Path(__file__).parents[2])
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) < 80  # MiB, peak; a full tensor alone would be > 500


async def test_forked_child_holding_the_socket(runner: Runner, ns: str) -> None:
    code = ("import ctypes, os, time\npid = ctypes.CDLL(None).fork()\n"
            "if pid == 0:\n    time.sleep(60)\n    os._exit(0)\nos._exit(3)")
    result = await runner.execute(ns, code, timeout=30)
    assert result["error"]["kind"] == "crash" and "status 3" in result["error"]["message"]
    await assert_sane(runner, ns)


async def test_alarms_are_not_blamed_on_the_next_cell(runner: Runner, ns: str) -> None:
    set_alarm = await runner.execute(
        ns, "import signal\nsignal.alarm(1)\nsignal.setitimer(signal.ITIMER_REAL, 1.2)")
    assert set_alarm["ok"], set_alarm["error"]
    later = await runner.execute(ns, "import time\ntime.sleep(1.5)\nstill = True")
    assert later["ok"], later["error"]


async def test_thread_printing_between_cells_does_not_flood(runner: Runner, ns: str) -> None:
    code = ("import itertools, threading, time\n"
            "def chatter():\n    for i in itertools.count():\n        print('spam', i)\n"
            "        time.sleep(0.001)\n"
            "threading.Thread(target=chatter, daemon=True).start()")
    assert (await runner.execute(ns, code))["ok"]
    # Idle, the UI does not listen to the output pipe at all (it kept the app at 61 % CPU).
    worker = runner._workers[ns]
    selector = asyncio.get_running_loop()._selector  # type: ignore[attr-defined]
    assert worker.out_fd not in {key.fd for key in selector.get_map().values()}
    await asyncio.sleep(0.5)  # idle: the thread prints into the pipe meanwhile
    result = await runner.execute(ns, "print('mine')")
    assert "mine" in result["output"]
    assert result["output"].count("spam") < 100
    await assert_sane(runner, ns)


async def test_dup2_onto_the_output_backup(runner: Runner, ns: str) -> None:
    clobber = ("import os\nnull = os.open(os.devnull, os.O_WRONLY)\nos.dup2(null, 250)\n"
               "kept = 1")
    assert (await runner.execute(ns, clobber))["ok"]
    heard = await runner.execute(ns, "print('still heard')\nos.write(1, b'raw\\n')\nNone")
    assert "still heard" in heard["output"] and "raw" in heard["output"]
    everything = await runner.execute(ns, "for fd in (1, 2, 250):\n    os.dup2(null, fd)")
    assert everything["error"] is not None and "output channel" in everything["error"]["message"]
    again = await runner.execute(ns, "print('back')")
    assert again["output"] == "back\n"


async def test_objects_that_break_inspection(runner: Runner, ns: str) -> None:
    code = ("import torch\nclass Evil(torch.Tensor):\n    @classmethod\n"
            "    def __torch_function__(cls, func, types, args=(), kwargs=None):\n"
            "        raise RuntimeError('no inspection')\n"
            "evil = torch.ones(2).as_subclass(Evil)\ngood = torch.ones(3)\n"
            "globals()[7] = torch.ones(1)")
    result = await runner.execute(ns, code)
    assert result["ok"], result["error"]
    assert [e["name"] for e in result["snapshot"]["tensors"]] == ["good"]
    await assert_sane(runner, ns)


async def test_early_interrupt_is_delivered_not_fatal(runner: Runner, ns: str) -> None:
    await runner.execute(ns, "before = 1")
    pid = (await runner.evaluate(ns, "__import__('os').getpid()"))["value"]
    for _ in range(5):
        task = asyncio.ensure_future(runner.execute(ns, "import time\ntime.sleep(20)"))
        while runner.state != RunnerState.BUSY:
            await asyncio.sleep(0)
        await runner.interrupt(ns)
        result = await task
        assert result["error"]["kind"] == "exception"
        assert "interrupted" in result["error"]["message"]
    assert (await runner.evaluate(ns, "(before, __import__('os').getpid())"))["repr"] == \
        f"(1, {pid})"


async def test_cancelled_code_answer_leaves_nothing_stale(runner: Runner, ns: str) -> None:
    """A quiz check cancelled by a newer one (the app's exclusive worker group): the copy that
    evaluates the older answer may still be running, and its reply must not answer the next."""
    await runner.execute(ns, "import time\nanswer = 42")
    for expression in ("time.sleep(0.5) or 1", "[time.sleep(0.5), __import__('os').fork()][0]"):
        task = asyncio.ensure_future(runner.evaluate(ns, expression, fresh_copy=True))
        while runner.state != RunnerState.BUSY:
            await asyncio.sleep(0.005)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        # The older answer's value (1, or a fork's) never answers this one.
        assert (await runner.evaluate(ns, "6 * 7", fresh_copy=True))["value"] == 42
        assert (await runner.evaluate(ns, "'answer' in globals()"))["value"] is False  # reset
        await runner.execute(ns, "import time\nanswer = 42")
        assert (await runner.evaluate(ns, "answer + 1", fresh_copy=True))["value"] == 43
    await assert_sane(runner, ns)


@pytest.mark.parametrize("code", [
    "import json\n_d = json.dumps\njson.dumps = lambda m, **k: _d({**m, 'ok': True, 'error': None}"
    ", **k) if isinstance(m, dict) else _d(m, **k)",
    "import json\njson.dumps = json.loads = None",
    "import time\ntime.perf_counter = None",
    "import traceback\ntraceback.extract_tb = traceback.format_list = None",
], ids=["json.dumps forging ok", "json gone", "perf_counter gone", "traceback gone"])
async def test_modules_the_worker_uses_patched_by_a_cell(runner: Runner, ns: str,
                                                         code: str) -> None:
    """The worker binds what it needs before any cell runs: `1/0` is still an error after a
    cell patches json.dumps to say ok (it did), and nothing becomes 'the runner failed'."""
    await runner.execute(ns, code)
    await assert_sane(runner, ns)


@pytest.mark.skipif(sandbox.landlock_abi() < 1, reason="the kernel has no Landlock")
async def test_a_code_answer_cannot_write_the_reference_namespace_memory(runner: Runner,
                                                                         ns: str) -> None:
    """The throwaway copy that evaluates a code answer is the reference worker's child: through
    /proc/PPID/mem it rewrote the parent's tensor (later quizzes were then graded against 100,
    not 6), root or not. The copy is in a Landlock domain of its own, which cannot reach it."""
    await runner.execute(ns, "import torch\nw = torch.tensor([1., 2., 3.])")
    attack = ("(lambda os, f: (f.seek(w.data_ptr()), f.write(__import__('struct').pack("
              "'3f', 100., 0., 0.)), f.flush(), w.sum())[-1])(__import__('os'), open("
              "'/proc/%d/mem' % __import__('os').getppid(), 'r+b', buffering=0))")
    result = await runner.evaluate(ns, attack, fresh_copy=True)
    assert result["error"] is not None and "Permission denied" in result["error"]["message"]
    assert (await runner.evaluate(ns, "w.sum().item()"))["value"] == 6.0
    honest = await runner.evaluate(ns, "w.sum() * 2", fresh_copy=True)
    assert honest["ok"] and honest["value"]["values"] == 12.0


async def test_a_namespace_without_free_file_descriptors_is_replaced_for_a_code_answer(
        runner: Runner, ns: str) -> None:
    """A cell that lowers RLIMIT_NOFILE leaves the worker unable to make a copy for code
    answers: every later answer failed with "Too many open files". The worker asks to be
    replaced, once, and the next answer works."""
    await runner.execute(ns, "import resource\nresource.setrlimit(resource.RLIMIT_NOFILE, (3, 3))")
    failed = await runner.evaluate(ns, "6 * 7", fresh_copy=True)
    assert failed["error"] is not None and failed["error"]["kind"] == "crash"
    assert "replaced" in failed["error"]["message"]
    again = await runner.evaluate(ns, "6 * 7", fresh_copy=True)
    assert again["ok"] and again["value"] == 42
    await assert_sane(runner, ns)
