"""Facts taught by lessons 10-12 (training loop, next-token prediction, precision and saving).

Each lesson runs as the tutor's reference namespace does (cells in file order, every quiz answer
evaluated where the lesson places it); the expectations are recomputed here by other means:
plain Python arithmetic and counting, fresh modules, float64 on the CPU, and PyTorch's own limits.
"""

from __future__ import annotations

import ast
import collections
import contextlib
import fractions
import io
import math
import pickle
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import torch
from lesson_running import default_device
from torch import nn

from tutor.course.catalog import load_course
from tutor.course.model import Lesson

LESSONS_DIR = Path(__file__).resolve().parents[2] / "lessons"
NEW_LESSONS = {"training-loop": 10, "next-token": 11, "precision-memory": 12}


def _plot(*series: Any, x: Any = None, title: str = "", labels: Any = None) -> None:
    """Stands in for the runner's plot(): records nothing, like a headless run."""


@cache
def lessons() -> dict[str, Lesson]:
    course = load_course(LESSONS_DIR)
    assert course.errors == [], [str(e) for e in course.errors]
    return {lesson.id: lesson for lesson in course.lessons if lesson.id in NEW_LESSONS}


def fresh_namespace() -> dict[str, Any]:
    return {"__name__": "__lesson__", "plot": _plot}


def run_cells(lesson: Lesson, sources: list[str], namespace: dict[str, Any]) -> None:
    with contextlib.redirect_stdout(io.StringIO()):
        for source in sources:
            exec(compile(source, str(lesson.path), "exec"), namespace)


def run_lesson(lesson: Lesson) -> tuple[dict[str, Any], dict[str, Any]]:
    """Run every cell in order; return the final namespace and each quiz's answer value."""
    namespace = fresh_namespace()
    answers: dict[str, Any] = {}
    ran = 0
    for quiz in lesson.quizzes:
        run_cells(lesson, [c.source for c in lesson.cells[ran:quiz.cells_before]], namespace)
        ran = max(ran, quiz.cells_before)
        if quiz.answer is not None:
            answers[quiz.id] = eval(quiz.answer, dict(namespace))
    run_cells(lesson, [c.source for c in lesson.cells[ran:]], namespace)
    return namespace, answers


@cache
def lesson_run(lesson_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    return run_lesson(lessons()[lesson_id])


def namespace_at(lesson_id: str, quiz_id: str, solved: bool = False) -> dict[str, Any]:
    """What the lesson has run when it asks `quiz_id`; with `solved`, the task's solution
    replaces the last cell above the quiz, as a learner's edit would."""
    lesson = lessons()[lesson_id]
    quiz = lesson.quiz(quiz_id)
    sources = [c.source for c in lesson.cells[:quiz.cells_before]]
    if solved:
        assert quiz.solution is not None
        sources[-1] = quiz.solution
    namespace = fresh_namespace()
    run_cells(lesson, sources, namespace)
    return namespace


def text_of(lesson_id: str) -> str:
    return lessons()[lesson_id].path.read_text(encoding="utf-8")


# --- the three lessons as lessons -------------------------------------------------------------

def test_lessons_follow_lesson_nine_in_order() -> None:
    assert {lesson.id: lesson.order for lesson in lessons().values()} == NEW_LESSONS


@pytest.mark.parametrize("lesson_id", list(NEW_LESSONS))
def test_shape_of_steps_and_quizzes(lesson_id: str) -> None:
    lesson = lessons()[lesson_id]
    assert 5 <= len(lesson.steps) <= 8
    assert len(lesson.quizzes) >= 5
    assert len({q.type for q in lesson.quizzes}) >= 3
    assert all(len(q.hints) >= 2 for q in lesson.quizzes), "hints go from a nudge to the method"
    assert any(q.ask.lower().startswith(("predict", '"predict')) for q in lesson.quizzes)
    assert "learned" in lesson.steps[-1].title.lower()
    for quiz in lesson.quizzes:
        if quiz.answer is None:
            continue
        node = ast.parse(quiz.answer, mode="eval").body
        if isinstance(node, ast.UnaryOp):
            node = node.operand
        assert not isinstance(node, ast.Constant), f"{quiz.id}: a typed answer"


@pytest.mark.parametrize("lesson_id", ["training-loop", "next-token"])
def test_tasks_fail_unedited_and_pass_with_their_solution(lesson_id: str) -> None:
    tasks = [q for q in lessons()[lesson_id].quizzes if q.type == "task"]
    assert tasks
    for quiz in tasks:
        assert quiz.check is not None
        assert not eval(quiz.check, namespace_at(lesson_id, quiz.id)), quiz.id
        assert eval(quiz.check, namespace_at(lesson_id, quiz.id, solved=True)), quiz.id


@pytest.mark.parametrize("lesson_id", ["training-loop", "next-token"])
def test_training_lessons_plot_their_loss_curves(lesson_id: str) -> None:
    drawn: list[tuple[str, list[int]]] = []

    def recording_plot(*series: Any, x: Any = None, title: str = "", labels: Any = None) -> None:
        drawn.append((title, [len(s) for s in series]))

    namespace = fresh_namespace() | {"plot": recording_plot}
    lesson = lessons()[lesson_id]
    run_cells(lesson, [c.source for c in lesson.cells], namespace)
    assert any("loss" in title and max(lengths) >= 10 for title, lengths in drawn), drawn


# --- lesson 10: gradient descent to a training loop --------------------------------------------

def test_one_parameter_descent_matches_the_closed_form() -> None:
    namespace, answers = lesson_run("training-loop")
    # L = (w - 3)^2 from w = 0: one step gives 0 - 0.1 * 2 * (0 - 3); twenty give 3 - 3 * 0.8^20
    assert answers["one-step"] == pytest.approx(0.6, rel=1e-6)
    assert namespace["w"].item() == pytest.approx(3 - 3 * 0.8**20, rel=1e-5)
    assert namespace["w2"].item() == pytest.approx(namespace["w"].item(), rel=1e-6)
    assert answers["factor"] == pytest.approx(1 - 2 * 0.9, rel=1e-5)
    # the closing claims of the learning-rate step, by plain arithmetic
    def descend(lr: float, steps: int) -> float:
        w = 0.0
        for _ in range(steps):
            w -= lr * 2 * (w - 3)
        return w
    assert abs(descend(0.9, 10) - 3) < abs(descend(0.9, 1) - 3)
    assert descend(1.0, 10) == 0.0
    assert abs(descend(1.1, 10) - 3) > 3
    assert namespace["descend"](1.1, 10) == pytest.approx(descend(1.1, 10), rel=1e-5)


def test_update_outside_no_grad() -> None:
    _, answers = lesson_run("training-loop")
    w = torch.tensor(0.0, requires_grad=True)
    ((w - 3) ** 2).backward()
    assert w.grad is not None
    with pytest.raises(RuntimeError, match="leaf Variable"):
        w -= 0.1 * w.grad
    rebound = w - 0.1 * w.grad
    assert not rebound.is_leaf and rebound.grad_fn is not None
    ((rebound - 3) ** 2).backward()
    with pytest.warns(UserWarning):
        assert rebound.grad is None
    assert answers["rebind"].startswith("w becomes a new tensor")


def test_batches_and_validation() -> None:
    namespace, answers = lesson_run("training-loop")
    assert answers["optimizer-tensors"] == len(list(nn.Linear(2, 1).parameters()))
    assert len(namespace["train_set"]) == 90
    assert answers["batches-per-epoch"] == math.ceil(90 / 16)
    assert tuple(answers["last-batch"]) == (90 % 16, 2)
    assert answers["val-grad"] == "False"
    # recompute the validation error by hand from the trained line
    after_fit = namespace_at("training-loop", "val-mse")
    model, x_val, y_val = after_fit["model"], after_fit["x_val"], after_fit["y_val"]
    with torch.no_grad():
        by_hand = ((x_val @ model.weight.T + model.bias - y_val) ** 2).mean().item()
    assert answers["val-mse"] == pytest.approx(by_hand, rel=1e-4)
    assert 0.005 < by_hand < 0.05  # near the noise variance, 0.1²
    assert model.weight.tolist()[0] == pytest.approx([2.0, -3.0], abs=0.1)
    assert model.bias.item() == pytest.approx(1.0, abs=0.1)


def test_learning_rate_limit_of_the_line_model() -> None:
    """Full-batch gradient descent on a mean squared error is stable only below 2 / λ_max of its
    Hessian 2·XᵀX/n: the lesson's converging rates lie below it, its diverging 1.2 above."""
    gen = torch.Generator(device="cpu").manual_seed(0)
    x = torch.randn(120, 2, generator=gen, device="cpu")[:90].double()
    design = torch.cat([x, torch.ones(90, 1, dtype=torch.float64)], dim=1)
    limit = 2 / torch.linalg.eigvalsh(2 * design.T @ design / 90).max().item()
    assert 0.8 < limit < 1.2
    fit = lesson_run("training-loop")[0]["fit"]
    assert fit(1.2)[2][-1] > 1e6                        # diverges
    for lr in (0.05, 0.1, 0.8):                         # "about 0.05 to 0.8" in 15 epochs
        assert fit(lr)[2][-1] < 0.05, lr
    assert fit(0.01)[2][-1] > 0.5                       # "0.01 would still be near 0.7"
    assert lessons()["training-loop"].quiz("tame-lr").choices[0] == lesson_run(
        "training-loop")[1]["tame-lr"]


# --- lesson 11: next-token prediction ---------------------------------------------------------

def test_tokenizer_round_trip_and_ids() -> None:
    namespace, answers = lesson_run("next-token")
    text = namespace["text"]
    vocabulary = "".join(sorted(set(text)))
    assert answers["vocab-size"] == len(vocabulary)
    assert namespace["decode"](namespace["encode"](text)) == text
    assert answers["encode-word"].tolist() == [vocabulary.index(ch) for ch in "quite"]
    letters = sum(ch.isalpha() for ch in vocabulary)
    prose = text_of("next-token")
    assert f"we use {len(vocabulary)}\ncharacters" in prose
    assert f"{len(vocabulary)}, the space, the comma, the full stop and {letters} letters" in prose
    assert f"{len(text)}-character" in prose


def test_windows_and_shifted_targets() -> None:
    namespace, answers = lesson_run("next-token")
    size, stride, text = 8, 4, namespace["text"]
    windows = (len(text) - size - 1) // stride + 1       # the last start s needs s + size < len
    inputs, targets = namespace["inputs"], namespace["targets"]
    assert tuple(inputs.shape) == tuple(targets.shape) == (windows, size)
    assert torch.equal(inputs[:, 1:], targets[:, :-1])
    ids = namespace["encode"](text)
    assert targets[-1].tolist() == ids[(windows - 1) * stride + 1:(windows - 1) * stride + size + 1]
    assert answers["window-count"] == (100 - size - 1) // stride + 1
    assert torch.equal(answers["targets-of-window"], targets[5])
    assert f"all {windows} windows" in text_of("next-token")


def pair_counts(namespace: dict[str, Any]) -> collections.Counter[tuple[int, int]]:
    return collections.Counter(zip(namespace["inputs"].flatten().tolist(),
                                   namespace["targets"].flatten().tolist(), strict=True))


def test_bigram_loss_starts_near_ln_v_and_ends_near_the_counts() -> None:
    namespace, answers = lesson_run("next-token")
    vocab = len(namespace["chars"])
    assert answers["initial-loss"] == pytest.approx(-math.log(1 / vocab))
    assert answers["table-params"] == vocab * vocab
    assert f"ln {vocab} ≈ {math.log(vocab):.3f}" in text_of("next-token")
    before = namespace_at("next-token", "table-params")
    assert before["loss"].item() == pytest.approx(math.log(vocab), abs=0.01)
    # the lowest loss any bigram table can reach: the conditional entropy of the pair counts
    pairs = pair_counts(namespace)
    firsts = collections.Counter(namespace["inputs"].flatten().tolist())
    total = sum(pairs.values())
    entropy = -sum(n / total * math.log(n / firsts[a]) for (a, _), n in pairs.items())
    assert namespace["best_loss"].item() == pytest.approx(entropy, rel=1e-5)
    losses = namespace["losses"]
    assert losses[0] == pytest.approx(math.log(vocab), abs=0.01)
    assert entropy - 1e-4 < losses[-1] < entropy + 0.02


def test_trained_bigram_follows_the_text() -> None:
    namespace, answers = lesson_run("next-token")
    text, itos = namespace["text"], namespace["itos"]
    assert re.findall("q.", text) == ["qu"] * text.count("q")
    assert 0.9 < answers["prob-u"] < 1.0
    after_h = collections.Counter({b: n for (a, b), n in pair_counts(namespace).items()
                                   if itos[a] == "h"})
    (top, top_count), (_, runner_up) = after_h.most_common(2)
    assert top_count > runner_up  # no tie, so greedy decoding has one right answer
    assert itos[top] == answers["greedy-after-h"]


def test_temperature_and_top_k() -> None:
    namespace, answers = lesson_run("next-token")
    row = namespace["row"].double().cpu()

    def entropy(temperature: float) -> float:
        p = torch.softmax(row / temperature, dim=0)
        return -(p * p.log()).sum().item()

    assert entropy(0.5) < entropy(1.0) < entropy(2.0)
    assert answers["hot-or-cold"] == "2"
    largest_three = sorted(torch.softmax(row, dim=0).tolist())[-3:]
    assert answers["top3-mass"] == pytest.approx(sum(largest_three), rel=1e-5)
    # with the task solved, top_k=3 never draws a token outside the three likeliest
    solved = namespace_at("next-token", "top-k", solved=True)
    allowed = {solved["itos"][i] for i in torch.topk(row, 3).indices.tolist()}
    torch.manual_seed(0)
    drawn = {solved["generate"]("t", 1, top_k=3)[-1] for _ in range(200)}
    assert drawn <= allowed and len(drawn) > 1


# --- lesson 12: precision, memory and saving --------------------------------------------------

def test_adamw_costs_sixteen_bytes_per_float32_parameter() -> None:
    _, answers = lesson_run("precision-memory")
    layer = nn.Linear(5, 7)
    optimizer = torch.optim.AdamW(layer.parameters())
    layer(torch.ones(2, 5)).sum().backward()
    optimizer.step()
    per_param = 0
    for p in layer.parameters():
        state = optimizer.state[p]
        moments = [state["exp_avg"], state["exp_avg_sq"]]
        assert all(m.shape == p.shape and m.dtype == torch.float32 for m in moments)
        assert p.grad is not None
        per_param += (p.nbytes + p.grad.nbytes + sum(m.nbytes for m in moments)) // p.numel()
    per_param //= 2
    assert per_param == 4 * torch.finfo(torch.float32).bits // 8 == 16
    assert answers["bytes-per-param"] == per_param
    assert answers["seven-billion"] == pytest.approx(7e9 * per_param / 1e9)


def test_bfloat16_autocast_keeps_float32_weights_and_gradients() -> None:
    _, answers = lesson_run("precision-memory")
    layer = nn.Linear(4, 3)
    with torch.autocast(device_type="cpu", dtype=torch.bfloat16):
        out = layer(torch.ones(2, 4))
    out.float().sum().backward()
    assert layer.weight.grad is not None
    assert (out.dtype, layer.weight.dtype, layer.weight.grad.dtype) == (
        answers["autocast-dtype"], torch.float32, answers["grad-dtype"])
    assert answers["autocast-dtype"] == torch.bfloat16


def test_float16_overflow_and_underflow_thresholds() -> None:
    _, answers = lesson_run("precision-memory")
    half = torch.finfo(torch.float16)
    # 5 exponent bits and 10 mantissa bits: max (2 - 2^-10)·2^15, normals from 2^-14,
    # subnormals down to 2^-24
    assert half.max == (2 - 2**-10) * 2**15 == 65504
    assert half.smallest_normal == 2**-14
    def as_half(value: float) -> float:
        return torch.tensor(value, dtype=torch.float32).to(torch.float16).item()
    assert as_half(2**-24) == 2**-24
    assert as_half(2**-25) == 0.0                       # exactly half: ties to even, 0
    assert as_half(2**-25 * 1.01) == 2**-24
    assert as_half(65519.0) == 65504.0 and math.isinf(as_half(65520.0))
    assert as_half(1e-8) == 0.0 == answers["tiny-half"]
    assert torch.tensor(1e-8).to(torch.bfloat16).item() != 0.0
    smallest_scale = 2 ** math.ceil(math.log2(2**-25 / 1e-8) + 1e-12)
    assert answers["scale-needed"] == smallest_scale
    prose = text_of("precision-memory")
    assert f"{half.max:.0f}" in prose and f"{half.smallest_normal * 1e5:.1f} × 10⁻⁵" in prose


def test_clipping_rescales_to_max_norm_and_returns_the_old_norm() -> None:
    _, answers = lesson_run("precision-memory")
    layer = nn.Linear(3, 2)
    layer.weight.grad = torch.full((2, 3), 4.0)
    layer.bias.grad = torch.full((2,), 4.0)
    expected_before = math.sqrt(8 * 16)
    before = nn.utils.clip_grad_norm_(layer.parameters(), max_norm=1.0)
    assert before.item() == pytest.approx(expected_before, rel=1e-6)
    after = math.sqrt(sum((p.grad.double() ** 2).sum().item() for p in layer.parameters()))
    assert after == pytest.approx(1.0, rel=1e-5)
    assert answers["norm-after"] == pytest.approx(1.0, rel=1e-5)
    assert answers["total-norm"].item() == pytest.approx(1.0, rel=1e-5)


def test_state_dict_round_trip_with_weights_only() -> None:
    namespace, answers = lesson_run("precision-memory")
    model = nn.Sequential(nn.Linear(2, 3), nn.GELU(), nn.Linear(3, 1))
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    buffer.seek(0)
    loaded = torch.load(buffer, weights_only=True)
    assert list(loaded) == [name for name, _ in model.named_parameters()]
    assert all(torch.equal(loaded[k], v) for k, v in model.state_dict().items())
    assert answers["key-name"] == list(loaded)[3] == "2.bias"
    other = io.BytesIO()
    torch.save({"note": fractions.Fraction(1, 3)}, other)
    other.seek(0)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(other, weights_only=True)
    net = namespace["net"]
    assert answers["saved-bytes"] == 4 * sum(p.numel() for p in net.parameters())


def test_frozen_parameters_get_no_gradient_and_no_optimizer_state() -> None:
    namespace, answers = lesson_run("precision-memory")
    body, head = nn.Linear(4, 4), nn.Linear(4, 3)
    body.requires_grad_(False)
    optimizer = torch.optim.AdamW([p for p in head.parameters() if p.requires_grad])
    head(body(torch.ones(2, 4))).sum().backward()
    optimizer.step()
    assert body.weight.grad is None and head.weight.grad is not None
    assert set(optimizer.state) == set(head.parameters())
    assert answers["trainable-count"] == 64 * 3 + 3
    assert answers["frozen-grad"] == "None"
    assert all(p.grad is None for p in namespace["net"].parameters())


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("lesson_id", list(NEW_LESSONS))
def test_lessons_run_on_cuda(lesson_id: str) -> None:
    with default_device("cuda"):
        _, answers = run_lesson(lessons()[lesson_id])
    assert answers
