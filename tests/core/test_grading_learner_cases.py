"""Every answer from issue #11 that a learner typed and the tutor judged wrongly, with the
verdict and whether it counts as an attempt. Expected values are computed with torch and sent
through the runner's own encoding, as the app would see them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from tutor.grading import QuizAttempts, Verdict, grade, grade_code, grade_task
from tutor.grading.shown import numbers_in
from tutor.runner.values import encode


def autograd_example() -> dict[str, torch.Tensor]:
    """Lesson 5's neuron: x = 1.1, y = 1, w = 2.2, b = 0, BCE loss, one backward()."""
    x, y = torch.tensor(1.1), torch.tensor(1.0)
    w = torch.tensor(2.2, requires_grad=True)
    b = torch.tensor(0.0, requires_grad=True)
    a = torch.sigmoid(x * w + b)
    F.binary_cross_entropy(a, y).backward()
    return {"x": x, "y": y, "w": w, "b": b, "a": a.detach()}


def two_layer_grad() -> torch.Tensor:
    """Lesson 6's network (10 -> 5 -> 1, BCE) after one backward(): fc1.weight.grad."""
    torch.manual_seed(123)
    net = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 1), nn.Sigmoid())
    inputs, targets = torch.randn(8, 10), torch.randint(0, 2, (8, 1)).float()
    F.binary_cross_entropy(net(inputs), targets).backward()
    grad = net[0].weight.grad
    assert grad is not None
    return grad


EX = autograd_example()
B_GRAD = EX["a"] - EX["y"]
UPDATE_GRAD = two_layer_grad()
LR = 0.01


def run(value: Any) -> dict[str, Any]:
    """The runner's reply to evaluating an expression whose value is `value`."""
    return {"ok": True, "value": encode(value), "error": None}


def failed(kind: str, message: str) -> dict[str, Any]:
    return {"ok": False, "value": None, "error": {"kind": kind, "message": message}}


@dataclass
class Case:
    """One answer: how the quiz grades it, and what the learner must see."""

    quiz: str
    answer: str
    judge: Callable[[str], Verdict]
    verdict: str
    counted: bool
    words: str = ""
    notes: list[str] = field(default_factory=list)


def number(expected: Any, hint_text: str = "", **options: Any) -> Callable[[str], Verdict]:
    return lambda answer: grade("number", answer, expected, shown=numbers_in(hint_text),
                                **options)


def code(value_of_answer: Any, expected: Any, **options: Any) -> Callable[[str], Verdict]:
    return lambda answer: grade_code(answer, run(value_of_answer), encode(expected), **options)


R, W, U = "correct", "wrong", "unparseable"
CHAIN_SIN = (torch.cos(torch.tensor(1.5) ** 2) * 2 * 1.5).item()
ACCUMULATED = 3 * ((EX["a"] - EX["y"]) * EX["x"]).item()
HALF_BYTES = torch.empty(50257, 768, dtype=torch.float16, device="meta").nbytes
MUL_GRAD_FN = (EX["x"] * EX["w"]).grad_fn
assert MUL_GRAD_FN is not None
CONTEXT_NAMES = ["context length", "context_length"]

CASES = [
    # Right answers marked wrong
    Case("hand-db", "(a - y).item()", code(B_GRAD.item(), B_GRAD), R, True),
    Case("hand-db", "-0.0817", code(None, B_GRAD), R, True),
    Case("hand-db", "a - y", code(B_GRAD, B_GRAD.item()), R, True),
    Case("hand-db", "[-0.0817]",
         lambda answer: grade("tensor", answer, encode(B_GRAD)), R, True),
    Case("one-element", "0.5",
         lambda answer: grade("tensor", answer, encode(torch.tensor([0.5]))), R, True),
    Case("gram", "(grid @ grid.T).tolist()",
         code((torch.arange(6.0).reshape(2, 3) @ torch.arange(6.0).reshape(2, 3).T).tolist(),
              torch.arange(6.0).reshape(2, 3) @ torch.arange(6.0).reshape(2, 3).T), R, True),
    Case("accumulated", "-0.2694",
         number(ACCUMULATED, "Each pass adds the same gradient, about −0.0898"), R, True,
         "precision the lesson shows"),
    Case("accumulated", "-0.26946",
         number(ACCUMULATED, "Each pass adds the same gradient, about −0.0898"), R, True),
    Case("accumulated", "-0.2690",
         number(ACCUMULATED, "Each pass adds the same gradient, about −0.0898"), W, True,
         "right to 3 significant digits; digit 4 is off"),
    Case("chain-sin", "-1.89",
         number(CHAIN_SIN, "cos(2.25) · 3 ≈ −1.885", tolerance={"digits": 3}), R, True),
    Case("chain-sin", "-1.87",
         number(CHAIN_SIN, "cos(2.25) · 3 ≈ −1.885", tolerance={"digits": 3}), W, True),
    Case("half-bytes", "7.7e7",
         number(HALF_BYTES, "bytes (about 77 MB)", tolerance={"rel": 0.001}), R, True),
    Case("half-bytes", "77 MB",
         number(HALF_BYTES, "bytes (about 77 MB)", tolerance={"rel": 0.001}), R, True),
    Case("half-bytes", "73.62 MiB", number(HALF_BYTES, tolerance={"rel": 0.001}), R, True),
    Case("half-bytes", "78 MB",
         number(HALF_BYTES, "bytes (about 77 MB)", tolerance={"rel": 0.001}), W, True),
    Case("number", "tensor(52.)", number(torch.tensor(52.0).item()), R, True),
    Case("number", "52 B", number(52), R, True),
    Case("mul-grad-fn", "grad_fn=<MulBackward0>",
         lambda answer: grade("text", answer, MUL_GRAD_FN.name()), R, True),
    Case("mul-grad-fn", f"<{MUL_GRAD_FN.name()} object at 0x7f3a2c1d>",
         lambda answer: grade("text", answer, MUL_GRAD_FN.name()), R, True),
    Case("context-name", "context length (1024)",
         lambda answer: grade("text", answer, None, accept=CONTEXT_NAMES), R, True),
    Case("dropout-scale", "10/9", number(1 / (1 - 0.1), tolerance={"digits": 3}), R, True),
    Case("dropout-scale", "11/10", number(1 / (1 - 0.1), tolerance={"digits": 3}), W, True),
    Case("logits-shape", "2x4x50,257",
         lambda answer: grade("shape", answer, encode(torch.empty(2, 4, 50257).shape)), R, True),
    Case("zeros-batch", "torch.zeros(16, 3, 4, 5, dtype=torch.long)",
         code(torch.zeros(16, 3, 4, 5, dtype=torch.long), torch.zeros(16, 3, 4, 5)), W, True,
         "torch.int64"),
    # Wrong answers marked right
    Case("next-update", "-0.0099 * net.fc1.weight.grad",
         code(-0.0099 * UPDATE_GRAD, -LR * UPDATE_GRAD), W, True, "values differ"),
    Case("next-update", "torch.zeros(5, 10)", code(torch.zeros(5, 10), -LR * UPDATE_GRAD), W,
         True, "values differ"),
    Case("next-update", "-0.01 * net.fc1.weight.grad", code(-0.01 * UPDATE_GRAD, -LR * UPDATE_GRAD),
         R, True),
    # Messages
    Case("next-update", "0.01 * net.fc1.weight.grad", code(0.01 * UPDATE_GRAD, -LR * UPDATE_GRAD),
         W, True, "off by a sign"),
    Case("next-update", "-net.fc1.weight.grad", code(-UPDATE_GRAD, -LR * UPDATE_GRAD), W, True,
         "off by a power of ten"),
    Case("bytes", "x.element_size() * x.numel()",
         code(torch.ones(10).nbytes, torch.ones(10, dtype=torch.float16).nbytes), W, True,
         "exactly twice"),
    Case("bytes", "-0.0817", code(None, B_GRAD.item() * 10), W, True, "power of ten"),
    Case("shape-as-tensor", "(3, 2)", code((3, 2), torch.ones(3, 2)), W, True, "Your tuple"),
    Case("huge", "torch.ones(10**6, 10**6)",
         lambda answer: grade_code(answer, failed("out_of_memory", "RuntimeError: DefaultCPU"
                                                  "Allocator: can't allocate memory"),
                                   encode(B_GRAD), memory_limit_mib=2048),
         W, True, "out of memory (the limit is 2 GiB)"),
    # Not attempts
    Case("w-grad", "w.grad", number(ACCUMULATED), U, False),
    Case("w-grad", "-0.3", number(ACCUMULATED), W, False, "at least 2 significant digits"),
    Case("count-tied", "124M", number(124_412_160), W, False, "type every digit"),
    Case("hand-db", "a - ", code(None, B_GRAD), W, False, "not a Python expression"),
    Case("hand-db", "a - yy",
         lambda answer: grade_code(answer, failed("exception", "NameError: name 'yy' is not "
                                                  "defined"), encode(B_GRAD)), W, False,
         "NameError"),
    Case("hand-db", "a.gradd",
         lambda answer: grade_code(answer, failed("exception", "AttributeError: 'Tensor' object "
                                                  "has no attribute 'gradd'"), encode(B_GRAD)),
         W, False, "AttributeError"),
    Case("hand-db", "a / 0 + None",
         lambda answer: grade_code(answer, failed("exception", "TypeError: unsupported operand"),
                                   encode(B_GRAD)), W, True, "TypeError"),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.quiz}:{c.answer}" for c in CASES])
def test_learner_case(case: Case) -> None:
    verdict = case.judge(case.answer)
    assert (verdict.kind, verdict.counted) == (case.verdict, case.counted), verdict.message
    assert case.words in verdict.message
    # One plain sentence: no nested brackets of tolerances, no runner jargon.
    assert "((" not in verdict.message and "exited with status" not in verdict.message
    assert "rtol" not in verdict.message and "atol" not in verdict.message


def test_a_repeated_wrong_answer_counts_once() -> None:
    state = QuizAttempts("pick")
    choices = ["Pretraining", "Fine-tuning", "Tokenization"]
    counted = [state.record(grade("choice", answer, "Fine-tuning", choices=choices), answer)
               for answer in ("1", "a", "Pretraining", "c", "2")]
    assert counted == [True, False, False, True, True]
    assert (state.attempts, state.solved, state.first_attempt_correct) == (3, True, False)
    numbers = QuizAttempts("w-grad")
    for answer in ("-0.0897", "−0.0897", "-8.97e-2", "w.grad", "-0.09"):
        numbers.record(grade("number", answer, ACCUMULATED / 3), answer)
    assert numbers.attempts == 1 and not numbers.solved


def test_task_verdicts_report_show_and_do_not_count_errors() -> None:
    passed = grade_task("losses[-1] < 0.4", "losses[-1]", run(True), run(0.3125))
    assert passed.correct and passed.message == "Done: your `losses[-1]` is 0.3125."
    not_yet = grade_task("losses[-1] < 0.4", "losses[-1]", run(False), run(0.52))
    assert (not_yet.kind, not_yet.counted) == (W, True)
    assert not_yet.message == ("Your `losses[-1]` is 0.52; the check `losses[-1] < 0.4` is not "
                               "met yet.")
    missing = grade_task("losses[-1] < 0.4", None,
                         failed("exception", "NameError: name 'losses' is not defined"))
    assert (missing.kind, missing.counted) == (W, False)
    assert missing.message.startswith("Not yet:") and "NameError" in missing.message
