"""Every answer from issues #11 and #14 that a learner typed and the tutor judged wrongly, with
the verdict and whether it counts as an attempt. Expected values are computed with torch and sent
through the runner's own encoding, as the app would see them."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from tutor.course import Quiz, load_course, parse_lesson
from tutor.grading import QuizAttempts, Verdict, grade, grade_code, grade_quiz, grade_task
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


def varied(values_of_answer: list[Any], expected: list[Any], **options: Any
           ) -> Callable[[str], Verdict]:
    """A code quiz with `vary`: one value per setting on both sides."""
    return lambda answer: grade_code(
        answer, {"ok": True, "value": [encode(v) for v in values_of_answer], "error": None},
        [encode(v) for v in expected], **options)


def choice(expected: str, choices: list[str]) -> Callable[[str], Verdict]:
    return lambda answer: grade("choice", answer, expected, choices=choices)


COURSE = load_course(use_cache=False)
SW_COURSE = load_course(None, "sw", use_cache=False)


def quiz(lesson_id: str, quiz_id: str, lang: str = "en") -> Quiz:
    """A quiz of the shipped course, with its tolerance, shown numbers, choices and
    constraints as a learner meets them."""
    lesson = (SW_COURSE if lang == "sw" else COURSE).lesson(lesson_id)
    assert lesson is not None, lesson_id
    return lesson.quiz(quiz_id)


def typed(lesson_id: str, quiz_id: str, expected: Any, lang: str = "en"
          ) -> Callable[[str], Verdict]:
    """A typed answer to a shipped quiz; `expected` computed here with torch."""
    return lambda answer: grade_quiz(quiz(lesson_id, quiz_id, lang), answer, encode(expected))


def coded(lesson_id: str, quiz_id: str, value_of_answer: Any, expected: Any
          ) -> Callable[[str], Verdict]:
    """A code answer to a shipped quiz, under its tolerance and constraints."""
    shipped = quiz(lesson_id, quiz_id)
    return lambda answer: grade_code(answer, run(value_of_answer), encode(expected),
                                     tolerance=shipped.tolerance, shown=shipped.shown,
                                     constraints=shipped.constraints)


def loss_at_b(b: float) -> float:
    """Lesson 5's loss_at(w, b) with w = 2.2, in float64 on the CPU."""
    z = torch.tensor(1.1, dtype=torch.float64) * 2.2 + b
    return F.binary_cross_entropy(torch.sigmoid(z), torch.tensor(1.0, dtype=torch.float64)).item()


R, W, U = "correct", "wrong", "unparseable"
CHAIN_SIN = (torch.cos(torch.tensor(1.5) ** 2) * 2 * 1.5).item()
ACCUMULATED = 3 * ((EX["a"] - EX["y"]) * EX["x"]).item()
HALF_BYTES = torch.empty(50257, 768, dtype=torch.float16, device="meta").nbytes
MUL_GRAD_FN = (EX["x"] * EX["w"]).grad_fn
assert MUL_GRAD_FN is not None
CONTEXT_NAMES = ["context length", "context_length"]

# Issue #14: lessons 7-12.
SEVEN_BILLION_ASK = ("At that rate, how many gigabytes (10⁹ bytes) does training a "
                     "7-billion-parameter model need?")
#: float32 weights and gradients, and AdamW's two float32 averages: bytes per parameter.
BYTES_PER_PARAM = 4 * torch.empty(0).element_size()
SEVEN_BILLION = 7e9 * BYTES_PER_PARAM / 1e9
SCALE_NEEDED = next(2 ** n for n in range(40)
                    if (torch.tensor(1e-8) * 2 ** n).to(torch.float16).item() > 0)
ONE_HOT_COST = nn.Linear(50257, 768, bias=False, device="meta").weight.numel()
PROB_U = torch.softmax(torch.tensor([5.0, 0.2, 0.1]), dim=0)[0].item()
TOP3 = torch.softmax(torch.tensor([1.2, 1.0, 0.9, 0.3, 0.1]), dim=0).topk(3).values
TOP3_MASS = TOP3.sum().item()
INITIAL_LOSS = math.log(25)
#: A probability near one, as softmax gives after training (lesson 11's u after q).
NEAR_ONE = torch.softmax(torch.tensor([5.0, 0.0, 0.0]), dim=0)[0].item()
P_CAT = torch.softmax(torch.tensor([2.0, 1.0, 0.1]), dim=0)[0].item()
TEMPERATURES = ["0.5", "1", "2"]
EMBEDDING = torch.arange(24.0).reshape(6, 4)
NO_CALL = {"constraints": {"forbid": ["tok_emb()"]}}
FROM_DATA = {"constraints": {"require": ["data", "stride", "context_length"],
                             "forbid": ["targets", "inputs"]}}
DS = [24, 8, 100]
ATTENTION = [4 * d * d + d for d in DS]
VARY_D = {"constraints": {"vary": {"D": DS}}}
PREDICTIONS = torch.linspace(0, 1, 30).reshape(30, 1)
VAL_MSE = F.mse_loss(PREDICTIONS, PREDICTIONS * 0.9)
A_FLOAT = {"constraints": {"value": "float"}, "tolerance": {"rel": 0.0001}}
ONE_STEP = (torch.tensor(0.0) - 0.1 * torch.tensor(-6.0)).item()
Q_K = torch.arange(16.0).reshape(4, 4) / 10
SCALED = Q_K @ Q_K.T / math.sqrt(8)
CENTRAL = (loss_at_b(0.1) - loss_at_b(-0.1)) / 0.2
FORWARD = (loss_at_b(0.1) - loss_at_b(0.0)) / 0.1
BATCH_LOSS = F.cross_entropy(torch.randn(2, 4, 6).transpose(1, 2), torch.zeros(2, 4).long())
UNIFORM_PERPLEXITY = F.cross_entropy(torch.zeros(50257), torch.tensor(0)).exp().item()
EXP_LIMIT = math.log(torch.finfo(torch.float32).max)
PROB_MAT = torch.softmax(torch.tensor([0.5, 2.0, -1.0, 0.1, 1.5, -0.5]), dim=0)[4].item()
COLUMN_SUMS = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]).sum(dim=0)
FLAT = list(torch.empty(8, 1024, 50257, device="meta").flatten(0, 1).shape)

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
    # Issue #14, right answers refused: the unit the question asks in, arithmetic, percentages,
    # functions, numeric choices.
    Case("seven-billion", "112 GB", number(SEVEN_BILLION, ask=SEVEN_BILLION_ASK), R, True),
    Case("seven-billion", "112 gigabytes", number(SEVEN_BILLION, ask=SEVEN_BILLION_ASK), R, True),
    Case("seven-billion", "104.3 GiB", number(SEVEN_BILLION, ask=SEVEN_BILLION_ASK), R, True),
    Case("seven-billion", "112e9 bytes", number(SEVEN_BILLION, ask=SEVEN_BILLION_ASK), R, True),
    Case("seven-billion", "113 GB", number(SEVEN_BILLION, ask=SEVEN_BILLION_ASK), W, True),
    Case("seven-billion", "7*16", number(SEVEN_BILLION, ask=SEVEN_BILLION_ASK), R, True),
    Case("scale-needed", "2**2", number(SCALE_NEEDED), R, True),
    Case("scale-needed", "2^2", number(SCALE_NEEDED), R, True),
    Case("scale-needed", "2²", number(SCALE_NEEDED), R, True),
    Case("scale-needed", "2^3", number(SCALE_NEEDED), W, True, "twice"),
    Case("scale-needed", "2**10**10", number(SCALE_NEEDED), U, False),
    Case("scale-needed", "__import__('os').getpid()", number(SCALE_NEEDED), U, False),
    Case("one-hot-cost", "50257*768", number(ONE_HOT_COST), R, True),
    Case("one-hot-cost", "50,257 × 768", number(ONE_HOT_COST), R, True),
    Case("one-hot-cost", "(50257 + 1) * 768", number(ONE_HOT_COST), W, True, "768 more"),
    Case("prob-u", f"{PROB_U:.0%}", number(PROB_U), R, True),
    Case("prob-u", f"{PROB_U:.1%}", number(PROB_U), R, True),
    Case("prob-u", f"{PROB_U + 0.05:.0%}", number(PROB_U), W, True),
    Case("top3-mass", f"{TOP3_MASS:.0%}", number(TOP3_MASS), R, True),
    Case("top3-mass", f"about {TOP3_MASS:.2f}", number(TOP3_MASS), R, True),
    Case("initial-loss", "ln(25)", number(INITIAL_LOSS, tolerance={"digits": 3}), R, True),
    Case("initial-loss", "log(25)", number(INITIAL_LOSS, tolerance={"digits": 3}), R, True),
    Case("initial-loss", "-ln(1/25)", number(INITIAL_LOSS, tolerance={"digits": 3}), R, True),
    Case("initial-loss", "ln 25", number(INITIAL_LOSS, tolerance={"digits": 3}), R, True),
    Case("initial-loss", "ln(24)", number(INITIAL_LOSS, tolerance={"digits": 3}), W, True),
    Case("initial-loss", "3,22", number(INITIAL_LOSS, tolerance={"digits": 3}), U, False,
         "a point"),
    Case("cat-grad", f"{P_CAT:.3f} - 1", number(P_CAT - 1), R, True),
    Case("cat-grad", f"1 - {P_CAT:.3f}", number(P_CAT - 1), W, True, "sign"),
    Case("hot-or-cold", "2.0", choice("2", TEMPERATURES), R, True),
    Case("hot-or-cold", "2.00", choice("2", TEMPERATURES), R, True),
    Case("hot-or-cold", "0.50", choice("2", TEMPERATURES), W, True, "(a) 0.5"),
    Case("hot-or-cold", "1/2", choice("2", TEMPERATURES), W, True, "(a) 0.5"),
    Case("flat-shape", "(8*1024, 50257)",
         lambda answer: grade("shape", answer, encode(torch.empty(8 * 1024, 50257,
                                                                    device="meta").shape)),
         R, True),
    Case("flat-shape", "(8*1024*50257)",
         lambda answer: grade("shape", answer, encode(torch.empty(8 * 1024, 50257,
                                                                    device="meta").shape)),
         W, True),
    # Issue #14, code answers that ignore the question's constraint.
    Case("row-of-mat", "tok_emb(torch.tensor(4))", code(EMBEDDING[4], EMBEDDING[4], **NO_CALL),
         W, False, "calls `tok_emb`"),
    Case("row-of-mat", "tok_emb.forward(torch.tensor(4))",
         code(EMBEDDING[4], EMBEDDING[4], **NO_CALL), W, False, "calls `tok_emb`"),
    Case("row-of-mat", "tok_emb.weight[4]", code(EMBEDDING[4], EMBEDDING[4], **NO_CALL), R, True),
    Case("targets-of-window", "targets[5]", code(EMBEDDING[4], EMBEDDING[4], **FROM_DATA), W,
         False, "uses `targets`"),
    Case("targets-of-window", "data[21:29]", code(EMBEDDING[4], EMBEDDING[4], **FROM_DATA), W,
         False, "does not use `stride`"),
    Case("targets-of-window", "data[5 * stride + 1:5 * stride + context_length + 1]",
         code(EMBEDDING[4], EMBEDDING[4], **FROM_DATA), R, True),
    Case("attention-formula", str(ATTENTION[0]), varied([ATTENTION[0]] * 3, ATTENTION, **VARY_D),
         W, True, "With D = 8"),
    Case("attention-formula", "4*D*D", varied([4 * d * d for d in DS], ATTENTION, **VARY_D),
         W, True, "24 less"),
    Case("attention-formula", "4*D**2 + D", varied(ATTENTION, ATTENTION, **VARY_D), R, True),
    Case("attention-formula", "4*D^2 + D", varied([4 * d ^ 2 + d for d in DS], ATTENTION,
                                                  **VARY_D), W, False, "^ is XOR"),
    Case("val-mse", "loss_fn(model(x_val), y_val)", code(VAL_MSE, VAL_MSE.item(), **A_FLOAT), W,
         True, "the question asks for a float. .item()"),
    Case("val-mse", "loss_fn(model(x_val), y_val).item()",
         code(VAL_MSE.item(), VAL_MSE.item(), **A_FLOAT), R, True),
    Case("val-mse", "model(x_val)", code(PREDICTIONS, VAL_MSE.item()), W, True,
         "Your value is a tensor of shape (30, 1); the expected value is a single number."),
    # Issue #14, messages.
    Case("one-step", "0.6", number(ONE_STEP), R, True, "Correct: 0.6."),
    Case("one-step", "0.61", number(ONE_STEP), W, True),
    Case("one-step", "0.6000000001", number(ONE_STEP), R, True, "Correct: 0.6."),
    Case("vocab-size", "24", number(25), W, True, "Off by 1: yours is 1 less"),
    Case("vocab-size", "26", number(25), W, True, "Off by 1: yours is 1 more"),
    Case("tied-saving", "38597375", code(None, ONE_HOT_COST), W, True, "Off by 1"),
    Case("total-norm", "sum(p.grad.norm() for p in net.parameters())",
         code(torch.tensor(1.5), torch.tensor(1.0)), W, True, "Your tensor holds 1.5"),
    Case("mat-prob", "0.48730001", number(PROB_U), W, True, "(±5e-9)"),
    Case("scaled-scores", "q[0, 0] @ k[0, 0].T", code(Q_K @ Q_K.T, SCALED), W, True,
         f"times {math.sqrt(8):.3g} throughout"),
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
    # Against the shipped lessons (their tolerance, shown numbers, choices and constraints).
    Case("context-name", "n_positions", typed("llm-basics", "context-name", None), R, True),
    *[Case("context-name", name, typed("llm-basics", "context-name", None), R, True)
      for name in ("n_ctx", "block_size", "sequence length", "context len",
                   "context length (1024)")],
    Case("accumulated", "-0.2694", typed("autograd", "accumulated", ACCUMULATED), R, True),
    Case("accumulated", "-0.26946", typed("autograd", "accumulated", ACCUMULATED), R, True),
    Case("accumulated", "-0.2690", typed("autograd", "accumulated", ACCUMULATED), W, True,
         "digit 4 is off"),
    Case("chain-sin", "-1.89", typed("autograd", "chain-sin", CHAIN_SIN), R, True),
    Case("chain-sin", "cos(2.25)*3", typed("autograd", "chain-sin", CHAIN_SIN), R, True),
    Case("half-bytes", "7.7e7", typed("dtypes", "half-bytes", HALF_BYTES), R, True),
    Case("half-bytes", "77 MB", typed("dtypes", "half-bytes", HALF_BYTES), R, True),
    Case("half-bytes", "78 MB", typed("dtypes", "half-bytes", HALF_BYTES), W, True),
    Case("dropout-scale", "10/9", typed("llm-basics", "dropout-scale", 1 / (1 - 0.1)), R, True),
    Case("numeric-db", "b.grad.item()", coded("autograd", "numeric-db", B_GRAD.item(), CENTRAL),
         W, False, "does not use `loss_at`"),
    Case("numeric-db", "(loss_at(w.item(), b.item() + 0.1) - loss_at(w.item(), b.item())) / 0.1",
         coded("autograd", "numeric-db", FORWARD, CENTRAL), W, True),
    Case("numeric-db", "(loss_at(w.item(), b.item() + 0.1) - loss_at(w.item(), b.item() - 0.1))"
         " / 0.2", coded("autograd", "numeric-db", CENTRAL, CENTRAL), R, True),
    Case("w2-grad", "net.fc2.weight.grad", coded("backprop", "w2-grad", Q_K, Q_K), W, False,
         "uses `net`"),
    Case("transpose-loss", "batch_loss",
         coded("logits", "transpose-loss", BATCH_LOSS, BATCH_LOSS), W, False, "`batch_loss`"),
    Case("transpose-loss", "F.cross_entropy(batch_logits.flatten(0, 1), batch_targets.flatten())",
         coded("logits", "transpose-loss", BATCH_LOSS, BATCH_LOSS), W, False, "`flatten`"),
    Case("transpose-loss", "F.cross_entropy(batch_logits.transpose(1, 2), batch_targets)",
         coded("logits", "transpose-loss", BATCH_LOSS, BATCH_LOSS), R, True),
    Case("scaled-scores", "scores[0, 0]", coded("attention-shapes", "scaled-scores", SCALED,
                                                SCALED), W, False, "`scores`"),
    Case("loss-if-mat", "-math.log(0.287)", coded("logits", "loss-if-mat", 1.2483, 1.2472), W,
         False, "`probs`"),
    Case("uniform-perplexity", "exp(ln(50257))",
         typed("logits", "uniform-perplexity", UNIFORM_PERPLEXITY), R, True),
    Case("exp-limit", "math.log(3.4028e38)", typed("logits", "exp-limit", EXP_LIMIT), R, True),
    Case("initial-loss", "math.log(25)", typed("next-token", "initial-loss", INITIAL_LOSS), R,
         True),
    Case("initial-loss", "math.log(24)", typed("next-token", "initial-loss", INITIAL_LOSS), W,
         True),
    Case("val-mse", "val_losses[-1]", coded("training-loop", "val-mse", VAL_MSE.item(),
                                            VAL_MSE.item()), W, False, "does not use `model`"),
    # found by a learner: after clipping the norm is about 1, so the constant passed
    Case("total-norm", "1.0", coded("precision-memory", "total-norm", 1.0, 1.0), W, False,
         "does not use `net`"),
    # a probability close to one, which softmax never reaches: "1.0" passed to 2 digits
    Case("prob-u", "1.0", typed("next-token", "prob-u", NEAR_ONE), W, False,
         "at least 3 significant digits"),
    Case("prob-u", "1.00", typed("next-token", "prob-u", NEAR_ONE), W, True),
    Case("prob-u", f"{NEAR_ONE:.3g}", typed("next-token", "prob-u", NEAR_ONE), R, True),
    # numbers as choices: a typed number is that value, never a position (a learner typed 2
    # for the second choice, "1", and was told "Correct: (c) 2")
    Case("hot-or-cold", "2", typed("next-token", "hot-or-cold", "2"), R, True),
    Case("hot-or-cold", "c", typed("next-token", "hot-or-cold", "2"), R, True),
    Case("hot-or-cold", "1", typed("next-token", "hot-or-cold", "2"), W, True, "(b) 1"),
    Case("hot-or-cold", "3", typed("next-token", "hot-or-cold", "2"), U, False,
         "choices are numbers"),
    Case("underflow", "torch.float16", typed("dtypes", "underflow", "float16"), R, True),
    Case("underflow", "half", typed("dtypes", "underflow", "float16"), R, True),
    Case("underflow", "torch.bfloat16", typed("dtypes", "underflow", "float16"), W, True),
    Case("bytes-per-param", "12", typed("precision-memory", "bytes-per-param", 16.0), W, True,
         "Not the computed value, compared to the 2 significant digits (±0.5) you typed."),
    Case("row-of-mat", "tok_emb.weight[3]", code(EMBEDDING[3], EMBEDDING[4], **NO_CALL), W,
         True, "the first at index (0,), compared"),
    Case("val-grad", "no", typed("training-loop", "val-grad", "False"), R, True),
    Case("val-grad", "yes", typed("training-loop", "val-grad", "False"), W, True),
    Case("same-token-two-places", "no", typed("embeddings", "same-token-two-places", "No"), R,
         True),
    Case("rows-touched", "4 rows", typed("embeddings", "rows-touched", 4), R, True),
    Case("rows-touched", "4 tensors", typed("embeddings", "rows-touched", 4), U, False),
    Case("optimizer-tensors", "2 tensors", typed("training-loop", "optimizer-tensors", 2), R,
         True),
    Case("column-sums", "5 7 9", typed("attention-shapes", "column-sums", COLUMN_SUMS), R, True),
    Case("flat-shape", "(8 * 1024, 50_257)", typed("logits", "flat-shape", FLAT), R, True),
    Case("flat-shape", "(8192, 50,257)", typed("logits", "flat-shape", FLAT), R, True),
    Case("flat-shape", "(8192, 50, 257)", typed("logits", "flat-shape", FLAT), W, True),
    # In Kiswahili: "takriban"/"karibu" say a number is approximate, typed or in the lesson.
    Case("mat-prob", "takriban 0.29", typed("logits", "mat-prob", PROB_MAT, "sw"), R, True),
    Case("mat-prob", "karibu na 0.287", typed("logits", "mat-prob", PROB_MAT, "sw"), R, True),
    Case("accumulated", "-0.26946", typed("autograd", "accumulated", ACCUMULATED, "sw"), R, True,
         "-0.0898"),
    Case("val-grad", "hapana", typed("training-loop", "val-grad", "False", "sw"), R, True),
    Case("rows-touched", "safu 4", typed("embeddings", "rows-touched", 4, "sw"), R, True),
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
    Case("hand-db", "__import__('os')._exit(1)",
         lambda answer: grade_code(answer, failed("crash", "The copy evaluating the expression "
                                                  "exited with status 1 (os._exit or a C-level "
                                                  "exit)."), encode(B_GRAD)),
         W, True, "crashed the worker that ran it"),
    Case("hand-db", "a / 0 + None",
         lambda answer: grade_code(answer, failed("exception", "TypeError: unsupported operand"),
                                   encode(B_GRAD)), W, True, "TypeError"),
]


def bracket_depth(text: str) -> int:
    """How deep brackets nest in `text`: "(compared to 2 digits (±0.5))" is 2."""
    depth = deepest = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        deepest = max(deepest, depth)
    return deepest


@pytest.mark.parametrize("case", CASES, ids=[f"{c.quiz}:{c.answer}" for c in CASES])
def test_learner_case(case: Case) -> None:
    verdict = case.judge(case.answer)
    assert (verdict.kind, verdict.counted) == (case.verdict, case.counted), verdict.message
    assert case.words in verdict.message
    # One plain sentence: no nested brackets of tolerances, no runner jargon.
    assert bracket_depth(verdict.message) <= 1, verdict.message
    assert "exited with status" not in verdict.message
    assert "rtol" not in verdict.message and "atol" not in verdict.message
    # No float32 noise, no unreadable tolerances, no "1 of 1" for one value.
    assert "00000002" not in verdict.message and "0.00000000" not in verdict.message
    assert "1 of 1 " not in verdict.message


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


def test_answers_the_tutor_cannot_tell_apart_always_count() -> None:
    # Without the answer's text, two different wrong code answers are not "the same answer".
    state = QuizAttempts("code")
    wrong = grade_code("torch.ones(2)", run(torch.ones(2)), encode(B_GRAD))
    assert wrong.parsed is None and not wrong.correct
    assert [state.record(wrong), state.record(wrong)] == [True, True]
    assert [state.record(wrong, "torch.ones(2)"), state.record(wrong, "torch.ones( 2 )")] == [
        True, False]


def test_grade_quiz_uses_what_the_lesson_shows(tmp_path: Path) -> None:
    path = tmp_path / "bytes.md"
    path.write_text("---\nid: bytes\ntitle: Bytes\n---\n\n## One\n\n```quiz\nid: half\n"
                    "type: number\nask: How many bytes?\nanswer: n\ntolerance: {rel: 0.001}\n"
                    "explain: That is about 77 MB.\n```\n", encoding="utf-8")
    lesson, errors = parse_lesson(path)
    assert lesson is not None and not errors
    quiz = lesson.quiz("half")
    assert grade_quiz(quiz, "77 MB", HALF_BYTES).correct
    assert not grade("number", "77 MB", HALF_BYTES, tolerance=quiz.tolerance).correct
