"""A cell that answers its own request with a reply of the wrong shape (issue #10: the UI and
`tutor check` bounded whatever a worker sends): the reply is a protocol fault, the worker is
replaced, and the next cells work. Before, `"error": 42` raised in `tutor check` and left the
app's cell "running"."""

from __future__ import annotations

import json

import pytest
from checks import assert_sane

from tutor.runner.client import Runner

#: Defines `answer_now(fields)`: send a reply carrying the running request's id (the worker is
#: found through gc), as a cell can.
ANSWER_NOW = """
import gc, json, struct
_worker = next(o for o in gc.get_objects()
               if type(o).__name__ == "Worker" and hasattr(o, "request_id"))

def answer_now(fields):
    body = json.dumps({"id": _worker.request_id, **fields}).encode()
    _worker.sock.sendall(struct.pack("!I", len(body)) + body)
"""

MALFORMED_EXEC = [
    {"ok": True, "error": None, "duration_s": "x"},
    {"ok": False, "error": 42},
    {"ok": False, "error": {"kind": "no such kind", "message": "m", "traceback": ""}},
    {"ok": True, "error": None, "snapshot": {"tensors": [{"name": 5, "shape": "x"}],
                                             "graph": None}},
    {"ok": True, "error": None, "snapshot": {"tensors": [], "graph": {"children": "zz"}}},
    {"ok": True, "error": None, "snapshot": {"tensors": [], "graph": None},
     "plots": [{"series": "zz"}]},
]


@pytest.mark.parametrize("fields", MALFORMED_EXEC, ids=lambda f: json.dumps(f)[:40])
async def test_a_malformed_reply_to_a_cell_replaces_the_worker(runner: Runner, ns: str,
                                                               fields: dict) -> None:
    await runner.execute(ns, ANSWER_NOW)
    result = await runner.execute(ns, f"answer_now({fields!r})")
    assert result["error"] is not None and result["error"]["kind"] == "crash", result
    assert "protocol" in result["error"]["message"]
    await assert_sane(runner, ns)


async def test_a_malformed_value_from_an_expression_replaces_the_worker(runner: Runner,
                                                                        ns: str) -> None:
    await runner.execute(ns, ANSWER_NOW)
    forged = {"ok": True, "error": None, "value": {"kind": "tensor", "shape": "x"}, "repr": ""}
    result = await runner.evaluate(ns, f"answer_now({forged!r})")
    assert result["error"] is not None and result["error"]["kind"] == "crash", result
    await assert_sane(runner, ns)


async def test_a_well_formed_reply_is_still_read(runner: Runner, ns: str) -> None:
    """The check refuses shapes, not the contract: a real cell with tensors, a graph and a
    plot reads as before."""
    code = ("import torch\nw = torch.ones(2, requires_grad=True)\nloss = (w * 3).sum()\n"
            "loss.backward()\nplot([1.0, 0.5, 0.25], title='loss')")
    result = await runner.execute(ns, code)
    assert result["ok"], result["error"]
    assert result["snapshot"]["graph"] is not None and result["plots"]
    assert [entry["name"] for entry in result["snapshot"]["tensors"]][:2] == ["w", "loss"]
