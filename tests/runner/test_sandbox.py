"""A served learner's worker is sandboxed: the class, the teacher and the other students are out
of reach, the learner's own work (torch, files in scratch) is not (issue 12).

The sandboxed namespaces live in the shared runner, beside unsandboxed ones, as a served class's
do in `tutor serve`'s runner. Root bypasses rlimits on processes and file permissions, not
Landlock, so these hold when the tests run as root too.
"""

from __future__ import annotations

import secrets
import socket
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from checks import assert_sane

from tutor.runner import sandbox
from tutor.runner.client import Runner

ABI = sandbox.landlock_abi()
needs_landlock = pytest.mark.skipif(
    not sys.platform.startswith("linux") or ABI < 1,
    reason="this kernel has no Landlock (Linux 5.13+ with landlock in the LSM list)")
needs_scopes = pytest.mark.skipif(
    ABI < 6, reason=f"Landlock ABI {ABI} < 6: signals and abstract sockets cannot be scoped")
pytestmark = needs_landlock


@dataclass
class Class:
    """A class directory as `tutor serve` lays it out, a teacher's home, two students."""

    root: Path
    home: Path
    alice: str
    bob: str
    alice_scratch: Path
    bob_progress: Path

    def policy(self, **extra: Any) -> dict[str, Any]:
        """Alice's policy: the class, the teacher's home and Bob's files denied."""
        return {"student": "alice", "scratch": str(self.alice_scratch),
                "deny": [str(self.root), str(self.home), str(self.bob_progress.parent)], **extra}


@pytest_asyncio.fixture(loop_scope="session")
async def klass(runner: Runner, ns: str, tmp_path: Path) -> AsyncIterator[Class]:
    """Alice (sandboxed) in namespace `ns`, Bob (sandboxed) in `ns`-bob, in the shared runner."""
    root = tmp_path / "class"
    (root / "students").mkdir(parents=True)
    (root / "students.txt").write_text("alice ssh-ed25519 AAAA\nbob ssh-ed25519 BBBB\n")
    bob_progress = root / "students" / "bob" / "progress.sqlite3"
    bob_progress.parent.mkdir()
    bob_progress.write_text("bob's answers")
    home = tmp_path / "teacher-home"
    home.mkdir()
    (home / ".bashrc").write_text("# the teacher's\n")
    alice_scratch = root / "scratch" / "alice"
    alice_scratch.mkdir(parents=True)
    made = Class(root, home, ns, f"{ns}-bob", alice_scratch, bob_progress)
    runner.set_sandbox(made.alice, made.policy())
    runner.set_sandbox(made.bob, {"student": "bob", "scratch": str(root / "scratch" / "bob"),
                                  "deny": [str(root), str(home)]})
    yield made
    for namespace in (made.alice, made.bob):
        await runner.drop(namespace)
        runner.set_sandbox(namespace, None)


async def _error(runner: Runner, ns: str, code: str) -> str:
    """The error message of a cell that must fail."""
    result = await runner.execute(ns, code)
    assert result["error"] is not None, f"{code!r} ran: {result['output']!r}"
    return str(result["error"]["message"])


async def test_the_class_and_other_students_cannot_be_read(runner: Runner, klass: Class) -> None:
    for code in (f"open({str(klass.root / 'students.txt')!r}).read()",
                 f"open({str(klass.bob_progress)!r}).read()",
                 f"import os\nos.listdir({str(klass.root)!r})",
                 f"open({str(klass.home / '.bashrc')!r}).read()"):
        assert (await _error(runner, klass.alice, code)).startswith("PermissionError"), code
    await assert_sane(runner, klass.alice)
    # The same cells in an unsandboxed namespace of the same runner read them.
    plain = await runner.execute(f"{klass.alice}-plain",
                                 f"print(open({str(klass.bob_progress)!r}).read())")
    assert plain["output"] == "bob's answers\n"
    await runner.drop(f"{klass.alice}-plain")


async def test_writes_outside_scratch_fail_and_inside_work(runner: Runner, klass: Class,
                                                           tmp_path: Path) -> None:
    for target in (klass.home / "planted", tmp_path / "beside-the-class",
                   klass.root / "students" / "bob" / "progress.sqlite3"):
        message = await _error(runner, klass.alice, f"open({str(target)!r}, 'w').write('x')")
        assert message.startswith("PermissionError"), message
    assert not (klass.home / "planted").exists()
    assert klass.bob_progress.read_text() == "bob's answers"
    result = await runner.execute(klass.alice, (
        "import os, tempfile\n"
        "open('notes.txt', 'w').write('mine')\n"
        "handle, name = tempfile.mkstemp()\n"
        "os.makedirs(os.path.expanduser('~/sub'))\n"
        "print(os.getcwd(), os.path.dirname(name), os.environ['HOME'])"))
    assert result["ok"], result["error"]
    scratch = str(klass.alice_scratch)
    assert result["output"].split() == [scratch, scratch, scratch]
    assert (klass.alice_scratch / "notes.txt").read_text() == "mine"
    assert (klass.alice_scratch / "sub").is_dir()


async def test_torch_works_in_the_sandbox(runner: Runner, klass: Class) -> None:
    result = await runner.execute(klass.alice, (
        "import torch\n"
        "a = torch.arange(6.0).reshape(2, 3)\n"
        "m = a @ a.T\n"
        "w = torch.tensor(2.2, requires_grad=True)\n"
        "loss = torch.nn.functional.binary_cross_entropy(torch.sigmoid(w * 1.1), "
        "torch.tensor(1.0))\n"
        "loss.backward()\n"
        "layer = torch.nn.Linear(10, 5)\n"
        "out = layer(torch.ones(4, 10))\n"
        "torch.save(layer.state_dict(), 'layer.pt')\n"
        "back = torch.load('layer.pt')\n"
        "print(m.tolist(), round(w.grad.item(), 4), tuple(out.shape), "
        "torch.equal(back['weight'], layer.weight))"))
    assert result["ok"], result["error"]
    assert result["output"] == "[[5.0, 14.0], [14.0, 50.0]] -0.0898 (4, 5) True\n"
    assert (klass.alice_scratch / "layer.pt").stat().st_size > 0


@needs_scopes
async def test_other_workers_and_the_zygote_cannot_be_signalled(runner: Runner,
                                                                klass: Class) -> None:
    bob = await runner.execute(klass.bob, "import os\npid = os.getpid()\nanswer = 41")
    assert bob["ok"], bob["error"]
    bob_pid = (await runner.evaluate(klass.bob, "pid"))["value"]
    generation = runner.generation(klass.bob)
    for pid in (bob_pid, runner.zygote_pid):
        message = await _error(runner, klass.alice, f"import os\nos.kill({pid}, 9)")
        assert message.startswith("PermissionError"), message
    # Alice's own processes are hers to signal.
    own = await runner.execute(klass.alice, (
        "import os, signal, time\npid = os.fork()\nif pid == 0:\n    time.sleep(100)\n"
        "os.kill(pid, signal.SIGKILL)\nprint(os.waitpid(pid, 0)[1] & 0x7f)"))
    assert own["ok"], own["error"]
    assert own["output"] == "9\n"  # SIGKILL
    assert (await runner.evaluate(klass.bob, "answer"))["value"] == 41
    assert runner.generation(klass.bob) == generation


@needs_scopes
async def test_abstract_sockets_outside_the_sandbox_cannot_be_reached(runner: Runner,
                                                                      klass: Class) -> None:
    name = f"\0tutor-test-{secrets.token_hex(6)}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(name)
        server.listen(4)
        code = (f"import socket\ns = socket.socket(socket.AF_UNIX)\ns.connect({name!r})\n"
                "s.close()")
        message = await _error(runner, klass.alice, code)
        assert message.startswith("PermissionError"), message
        plain = await runner.execute(f"{klass.alice}-plain", code)  # unsandboxed: it connects
        assert plain["ok"], plain["error"]
        await runner.drop(f"{klass.alice}-plain")
    await assert_sane(runner, klass.alice)


async def test_a_fork_bomb_meets_the_process_limit(runner: Runner, klass: Class,
                                                   tmp_path: Path) -> None:
    await runner.execute(klass.bob, "answer = 41")
    code = ("import os, time\nfor _ in range(500):\n    if os.fork() == 0:\n"
            "        time.sleep(1000)\n        os._exit(0)\ntime.sleep(30)")
    result = await runner.execute(klass.alice, code, timeout=60)
    assert result["error"]["kind"] == "crash", result["error"]
    assert f"more than {runner.process_limit} processes" in result["error"]["message"]
    # The replacement worker is sandboxed as the first was; Bob never noticed.
    message = await _error(runner, klass.alice, f"open({str(klass.bob_progress)!r}).read()")
    assert message.startswith("PermissionError"), message
    assert (await runner.evaluate(klass.bob, "answer"))["value"] == 41


async def test_files_past_the_size_limit_fail_cleanly(runner: Runner, klass: Class) -> None:
    runner.set_sandbox(klass.alice, klass.policy(file_size_mib=1))
    message = await _error(runner, klass.alice,
                           "open('big', 'wb').write(b'x' * (2 * 1024 * 1024))")
    assert message.startswith("OSError") and "File too large" in message, message
    assert (klass.alice_scratch / "big").stat().st_size <= 1024 * 1024
    await assert_sane(runner, klass.alice)


async def test_a_policy_that_cannot_be_applied_starts_no_worker(runner: Runner, ns: str,
                                                                tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    runner.set_sandbox(ns, {"student": "x", "scratch": str(blocker / "scratch"), "deny": []})
    try:
        result = await runner.execute(ns, "print('ran')")
        assert result["error"] is not None and result["output"] == ""
        assert "died while starting" in result["error"]["message"]
    finally:
        await runner.drop(ns)
        runner.set_sandbox(ns, None)


def test_the_plan_allows_all_but_the_denied_and_keeps_python(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    teacher = tmp_path / "teacher"
    (teacher / "venv" / "lib").mkdir(parents=True)
    (teacher / "secrets").mkdir()
    (tmp_path / "other").mkdir()
    (tmp_path / "file").write_text("")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(sandbox, "python_paths", lambda: [str(teacher / "venv")])
    rules = dict(sandbox.plan({"scratch": str(scratch), "deny": [str(teacher)]}, ABI))
    for allowed in (tmp_path / "other", tmp_path / "file", teacher / "venv", Path("/usr")):
        assert str(allowed) in rules, allowed
    for covered_by_nothing in (teacher, teacher / "secrets", tmp_path, Path("/")):
        assert str(covered_by_nothing) not in rules, covered_by_nothing
    assert rules[str(scratch)] == sandbox.fs_rights(ABI)
    assert not rules[str(tmp_path / "other")] & sandbox.WRITE_FILE


def test_capabilities_say_what_is_missing() -> None:
    found = sandbox.capabilities()
    assert found["landlock_abi"] == ABI and found["files"]
    assert found["signals"] == found["abstract_unix_sockets"] == (ABI >= 6)
    assert found["tcp"] == (ABI >= 4)
    assert bool(found["missing"]) == (ABI < 6)



def test_the_environment_loses_agents_and_secrets() -> None:
    kept = sandbox.clean_environment({"PATH": "/usr/bin", "SSH_AUTH_SOCK": "/tmp/agent",
                                      "GITHUB_TOKEN": "t", "db_password": "p", "LANG": "C"})
    assert kept == {"PATH": "/usr/bin", "LANG": "C"}
