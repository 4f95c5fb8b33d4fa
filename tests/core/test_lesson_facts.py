"""Facts the shipped lessons teach, checked against PyTorch computed independently here.

Each lesson's cells run in one namespace, in file order, and every quiz answer is evaluated
where the lesson places it, as the tutor's reference namespace does. The expectations are
recomputed in this file by other means (formulas, fresh modules, autograd on float64).
"""

from __future__ import annotations

import ast
import contextlib
import io
import itertools
import math
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from torch import nn

from tutor.course.catalog import load_course
from tutor.course.model import QUIZ_TYPES, Lesson

LESSONS_DIR = Path(__file__).resolve().parents[2] / "lessons"
COURSE_IDS = ["llm-basics", "tensors", "dtypes", "tensor-ops", "autograd", "backprop"]

# The GPT-2 small configuration as design.md gives it (the input of the count, not its result).
GPT2_SMALL = {
    "vocab_size": 50257, "context_length": 1024, "emb_dim": 768,
    "n_heads": 12, "n_layers": 12, "drop_rate": 0.1, "qkv_bias": False,
}


@cache
def course_lessons() -> dict[str, Lesson]:
    course = load_course(LESSONS_DIR)
    assert course.errors == [], [str(e) for e in course.errors]
    return {lesson.id: lesson for lesson in course.lessons}


@contextlib.contextmanager
def default_device(device: str) -> Iterator[None]:
    torch.set_default_device(device)
    try:
        yield
    finally:
        torch.set_default_device(None)


def run_lesson(lesson: Lesson) -> tuple[dict[str, Any], dict[str, Any]]:
    """Run every cell in order; return the final namespace and each quiz's answer value."""
    namespace: dict[str, Any] = {"__name__": "__lesson__"}
    answers: dict[str, Any] = {}
    cells = lesson.cells
    ran = 0
    with contextlib.redirect_stdout(io.StringIO()):
        for quiz in lesson.quizzes:
            for cell in cells[ran:quiz.cells_before]:
                exec(compile(cell.source, f"{lesson.path}:{cell.line}", "exec"), namespace)
            ran = max(ran, quiz.cells_before)
            if quiz.answer is not None:
                answers[quiz.id] = eval(quiz.answer, dict(namespace))
        for cell in cells[ran:]:
            exec(compile(cell.source, f"{lesson.path}:{cell.line}", "exec"), namespace)
    return namespace, answers


def namespace_at(lesson_id: str, quiz_id: str) -> dict[str, Any]:
    """A fresh namespace holding exactly what the lesson has run when it asks `quiz_id`."""
    lesson = course_lessons()[lesson_id]
    namespace: dict[str, Any] = {"__name__": "__lesson__"}
    with contextlib.redirect_stdout(io.StringIO()):
        for cell in lesson.cells[:lesson.quiz(quiz_id).cells_before]:
            exec(compile(cell.source, f"{lesson.path}:{cell.line}", "exec"), namespace)
    return namespace


@cache
def lesson_run(lesson_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    return run_lesson(course_lessons()[lesson_id])


def lesson_text(lesson_id: str) -> str:
    return course_lessons()[lesson_id].path.read_text(encoding="utf-8")


def as_float(value: Any) -> float:
    return value.item() if isinstance(value, torch.Tensor) else float(value)


# --- the course as a whole -------------------------------------------------------------------

def test_six_lessons_in_course_order() -> None:
    lessons = sorted(course_lessons().values(), key=lambda lesson: lesson.order)
    assert [lesson.id for lesson in lessons] == COURSE_IDS
    assert [lesson.order for lesson in lessons] == list(range(1, 7))


@pytest.mark.parametrize("lesson_id", COURSE_IDS)
def test_lesson_shape_of_steps_and_quizzes(lesson_id: str) -> None:
    lesson = course_lessons()[lesson_id]
    assert 4 <= len(lesson.steps) <= 8
    assert len(lesson.quizzes) >= 4
    assert len({q.type for q in lesson.quizzes}) >= 3
    assert lesson.cells, "every lesson has runnable cells"
    assert "next" in lesson.steps[-1].title.lower() or "learned" in lesson.steps[-1].title.lower()


def test_course_uses_every_quiz_kind_and_several_code_quizzes() -> None:
    quizzes = [q for lesson in course_lessons().values() for q in lesson.quizzes]
    assert set(QUIZ_TYPES) - {"task"} <= {q.type for q in quizzes}
    assert sum(q.type == "code" for q in quizzes) >= 2


@pytest.mark.parametrize("lesson_id", COURSE_IDS)
def test_answers_are_expressions_not_typed_numbers(lesson_id: str) -> None:
    for quiz in course_lessons()[lesson_id].quizzes:
        if quiz.answer is None:
            continue
        node = ast.parse(quiz.answer, mode="eval").body
        if isinstance(node, ast.UnaryOp):
            node = node.operand
        assert not (isinstance(node, ast.Constant) and isinstance(node.value, int | float)), (
            f"{lesson_id}/{quiz.id}: answer {quiz.answer!r} is a typed number")


@pytest.mark.parametrize("lesson_id", COURSE_IDS)
def test_every_answer_computes_and_fits_its_kind(lesson_id: str) -> None:
    lesson = course_lessons()[lesson_id]
    _, answers = lesson_run(lesson_id)
    for quiz in lesson.quizzes:
        if quiz.answer is None:
            assert quiz.type == "text" and quiz.accept
            continue
        value = answers[quiz.id]
        if quiz.type == "choice":
            assert value in quiz.choices, (quiz.id, value, quiz.choices)
        elif quiz.type == "shape":
            assert isinstance(value, tuple | torch.Size), quiz.id
        elif quiz.type == "dtype":
            assert isinstance(value, torch.dtype), quiz.id
        elif quiz.type == "tensor":
            assert isinstance(value, torch.Tensor), quiz.id
        elif quiz.type == "number":
            assert math.isfinite(as_float(value)), quiz.id
        elif quiz.type == "code":
            assert isinstance(value, torch.Tensor | int | float), quiz.id
        elif quiz.type == "text" and quiz.accept:
            assert str(value) in quiz.accept, (quiz.id, value, quiz.accept)


# --- lesson 1: LLM basics ------------------------------------------------------------------

def gpt2_parameter_count(cfg: dict[str, Any]) -> int:
    """GPT-2's parameter count from its configuration, with a separate output head."""
    d, vocab = cfg["emb_dim"], cfg["vocab_size"]
    layer_norm = 2 * d
    attention = 3 * d * d + (3 * d if cfg["qkv_bias"] else 0) + d * d + d
    feed_forward = d * 4 * d + 4 * d + 4 * d * d + d
    block = 2 * layer_norm + attention + feed_forward
    return vocab * d + cfg["context_length"] * d + cfg["n_layers"] * block + layer_norm + d * vocab


def test_gpt2_configuration_is_the_124m_one() -> None:
    namespace, answers = lesson_run("llm-basics")
    assert namespace["GPT_CONFIG_124M"] == GPT2_SMALL
    assert answers["head-dim"] * GPT2_SMALL["n_heads"] == GPT2_SMALL["emb_dim"]


def test_gpt2_counts_untied_and_tied() -> None:
    namespace, answers = lesson_run("llm-basics")
    untied = gpt2_parameter_count(GPT2_SMALL)
    tied = untied - GPT2_SMALL["vocab_size"] * GPT2_SMALL["emb_dim"]
    assert answers["count-untied"] == untied
    assert answers["count-tied"] == tied
    assert answers["out-head-size"] == untied - tied
    assert all(p.is_meta for p in namespace["model"].parameters())
    text = lesson_text("llm-basics")
    assert f"{untied:,}" in text and f"{tied:,}" in text  # the prose quotes the computed counts


def test_gpt2_logits_and_dropout() -> None:
    _, answers = lesson_run("llm-basics")
    assert tuple(answers["logits-shape"]) == (2, 4, GPT2_SMALL["vocab_size"])
    torch.manual_seed(0)
    survivors = nn.Dropout(GPT2_SMALL["drop_rate"]).train()(torch.ones(10_000))
    assert survivors[survivors != 0].unique().tolist() == [pytest.approx(answers["dropout-scale"])]
    assert answers["dropout-eval"] == "It returns its input unchanged"


# --- lessons 2 to 4: tensors, dtypes, operations ---------------------------------------------

def test_tensor_facts() -> None:
    namespace, answers = lesson_run("tensors")
    assert tuple(answers["rows-shape"]) == np.array([[1, 2], [3, 4], [5, 6]]).shape
    assert answers["brackets-ndim"] == np.array([[[1.0, 2.0]]]).ndim
    assert tuple(answers["zeros-batch"].shape) == (16, 3, 4, 5)
    assert answers["last-column"].tolist() == [row[2] for row in namespace["matrix"].tolist()]


def test_numpy_sharing_and_devices() -> None:
    namespace = namespace_at("tensors", "shared-value")
    answer = eval(course_lessons()["tensors"].quiz("shared-value").answer, dict(namespace))
    namespace["array"][1] = 50.0  # what the quiz asks the learner to imagine
    assert (namespace["shared"][1] + namespace["copied"][1]).item() == answer
    # With a non-CPU default device (meta stands in for cuda), from_numpy stays on the CPU
    # while torch.tensor follows the default device.
    array = np.ones(3)
    with default_device("meta"):
        assert torch.from_numpy(array).device.type == "cpu"
        assert torch.tensor(array).device.type == "meta"
    _, answers = lesson_run("tensors")
    assert answers["from-numpy-device"] == "from_numpy on the CPU, torch.tensor on the GPU"


def test_dtype_facts() -> None:
    _, answers = lesson_run("dtypes")
    assert answers["one-float"] == torch.get_default_dtype()
    assert answers["truncate"].tolist() == [math.trunc(3.7), math.trunc(-3.7)]
    # a 0-dim tensor of the same kind does not widen the result; one with dimensions does
    half, wide = torch.ones(3, dtype=torch.float16), torch.tensor(2.0, dtype=torch.float64)
    assert answers["zero-dim-promotion"] == torch.result_type(half, wide) == torch.float16
    assert torch.result_type(half, wide.reshape(1)) == torch.float64
    vocab, emb = GPT2_SMALL["vocab_size"], GPT2_SMALL["emb_dim"]
    assert answers["half-bytes"] == vocab * emb * torch.finfo(torch.float16).bits // 8
    quiz = course_lessons()["dtypes"].quiz("overflow")
    fits = [c for c in quiz.choices if float(c) <= torch.finfo(torch.float16).max]
    assert [answers["overflow"]] == fits
    assert all(float(c) <= torch.finfo(torch.bfloat16).max for c in quiz.choices)


def test_tensor_operation_facts() -> None:
    namespace, answers = lesson_run("tensor-ops")
    with pytest.raises(RuntimeError):
        namespace["grid"].T.view(6)
    raising = []
    for call in course_lessons()["tensor-ops"].quiz("which-raises").choices:
        try:
            eval(call, dict(namespace))
        except RuntimeError:
            raising.append(call)
    assert raising == [answers["which-raises"]]
    # grid.T read in order
    flat = [v for col in zip(*namespace["grid"].tolist(), strict=True) for v in col]
    assert answers["transpose-reshape"].tolist() == [flat[:3], flat[3:]]
    a, b = namespace["a"].tolist(), namespace["b"].tolist()
    row = [bi[0] for bi in b]
    assert answers["matmul-result"].tolist() == [[sum(r * a[k][j] for k, r in enumerate(row))
                                                  for j in range(2)]]
    assert tuple(answers["broadcast-shape"]) == torch.broadcast_shapes((5, 1, 3), (4, 1))
    grid = namespace["grid"]
    assert torch.equal(answers["gram"], torch.einsum("ik,jk->ij", grid, grid))


# --- lesson 5: automatic differentiation ----------------------------------------------------

def worked_example_gradients(label: float = 1.0) -> tuple[float, float, float, float]:
    """dL/dw, dL/db, dL/dx and L for design.md's worked example, by autograd in float64."""
    w = torch.tensor(2.2, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    x = torch.tensor(1.1, dtype=torch.float64, requires_grad=True)
    y = torch.tensor(label, dtype=torch.float64)
    a = torch.sigmoid(x * w + b)
    loss = -(y * torch.log(a) + (1 - y) * torch.log(1 - a))
    loss.backward()
    assert w.grad is not None and b.grad is not None and x.grad is not None
    return w.grad.item(), b.grad.item(), x.grad.item(), loss.item()


def test_worked_example_gradients() -> None:
    _, answers = lesson_run("autograd")
    dw, db, dx, _ = worked_example_gradients()
    assert answers["w-grad"] == pytest.approx(dw, rel=1e-5)
    assert as_float(answers["hand-db"]) == pytest.approx(db, rel=1e-5)
    assert answers["x-grad-if"] == pytest.approx(dx, rel=1e-5)
    assert answers["numeric-db"] == pytest.approx(db, rel=1e-5)
    assert answers["accumulated"] == pytest.approx(3 * dw, rel=1e-5)
    assert answers["loss-if-zero"] == pytest.approx(worked_example_gradients(0.0)[3], rel=1e-5)
    text = lesson_text("autograd")
    for value in (dw, db):  # the prose quotes these, rounded, with a Unicode minus
        assert f"{value:.4f}".replace("-", "−") in text


def test_autograd_pitfalls_and_checks() -> None:
    namespace, answers = lesson_run("autograd")
    assert answers["mul-grad-fn"] == (torch.ones(1, requires_grad=True) * 2).grad_fn.name()
    # a second backward() raises unless the first kept the graph; only retain_graph does
    quiz = course_lessons()["autograd"].quiz("second-backward")
    for choice in quiz.choices:
        w, b = torch.tensor(2.2, requires_grad=True), torch.tensor(0.0, requires_grad=True)
        loss = torch.sigmoid(1.1 * w + b).log().neg()
        eval(f"loss.backward({choice})", {"torch": torch, "loss": loss, "w": w, "b": b})
        try:
            loss.backward()
            worked = True
        except RuntimeError:
            worked = False
        assert worked == (choice == answers["second-backward"]), choice
    assert namespace["w"].grad.item() == 0.0  # the last cell zeroed the gradients
    u = torch.tensor(1.5, dtype=torch.float64, requires_grad=True)
    torch.sin(u**2).backward()
    assert answers["chain-sin"] == pytest.approx(u.grad.item(), rel=1e-5)


# --- lesson 6: backpropagation ---------------------------------------------------------------

def test_two_layer_network() -> None:
    namespace, answers = lesson_run("backprop")
    reference = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 1), nn.Sigmoid())
    count = sum(p.numel() for p in reference.parameters())
    assert answers["param-count"] == count
    wider = nn.Sequential(nn.Linear(100, 50), nn.ReLU(), nn.Linear(50, 1))
    assert answers["fd-passes"] == 2 * sum(p.numel() for p in wider.parameters())
    assert tuple(answers["hidden-shape"]) == (8, reference[0].out_features)
    assert f"has {count} parameters" in lesson_text("backprop")
    net = namespace["net"]
    assert [p.shape for p in net.parameters()] == [p.shape for p in reference.parameters()]
    assert tuple(answers["grad-shape"]) == tuple(net.fc1.weight.shape)
    assert namespace["optimizer"].param_groups[0]["lr"] == 0.01
    assert isinstance(namespace["loss_fn"], nn.BCELoss)


def test_training_loss_falls_and_sgd_rule_holds() -> None:
    namespace, answers = lesson_run("backprop")
    losses = namespace["losses"]
    assert len(losses) >= 10
    assert all(later < earlier for earlier, later in itertools.pairwise(losses))
    assert namespace["halves_match"]
    assert answers["unscaled-halves"] == pytest.approx(2.0, rel=1e-4)
    lr = namespace["optimizer"].param_groups[0]["lr"]
    after_step = namespace_at("backprop", "bias-step")
    expected_step = -lr * after_step["net"].fc2.bias.grad
    assert answers["bias-step"] == pytest.approx(expected_step.item(), rel=1e-3)
    after_loop = namespace_at("backprop", "next-update")
    expected_update = -lr * after_loop["net"].fc1.weight.grad
    assert torch.allclose(answers["next-update"], expected_update)
    assert answers["next-update"].abs().sum() > 0


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("lesson_id", COURSE_IDS)
def test_lessons_run_on_cuda(lesson_id: str) -> None:
    with default_device("cuda"):
        _, answers = run_lesson(course_lessons()[lesson_id])
    assert answers


def test_gradients_accumulate_without_zero_grad() -> None:
    """What the why-zero-grad quiz teaches: a second backward() adds to .grad."""
    torch.manual_seed(0)
    layer = nn.Linear(3, 1)
    inputs = torch.ones(2, 3)
    layer(inputs).sum().backward()
    once = layer.weight.grad.clone()
    layer(inputs).sum().backward()
    assert torch.allclose(layer.weight.grad, 2 * once)
    _, answers = lesson_run("backprop")
    assert "add" in answers["why-zero-grad"]
