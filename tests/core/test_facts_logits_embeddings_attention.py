"""Facts lessons 7-9 teach (logits, embeddings, attention), checked by independent means.

The lessons run as the tutor's reference namespace runs them (helpers from
test_lesson_facts.py); every expectation here is recomputed another way: plain Python
arithmetic, float64, loops or einsum instead of the lesson's own expressions.
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from test_lesson_facts import (
    GPT2_SMALL,
    course_lessons,
    gpt2_block_count,
    lesson_run,
    lesson_text,
    namespace_at,
)
from torch import nn


def softmax_by_hand(values: list[float]) -> list[float]:
    top = max(values)
    exps = [math.exp(v - top) for v in values]
    return [e / sum(exps) for e in exps]


def explain(lesson_id: str, quiz_id: str) -> str:
    return course_lessons()[lesson_id].quiz(quiz_id).explain


# --- lesson 7: logits, softmax and cross-entropy ----------------------------------------------

def test_softmax_probabilities_and_shift() -> None:
    namespace, answers = lesson_run("logits")
    vocab, logits = namespace["vocab"], namespace["logits"].tolist()
    p = softmax_by_hand(logits)
    cat, mat = vocab.index("cat"), vocab.index("mat")
    assert answers["mat-prob"] == pytest.approx(p[mat], rel=1e-6)
    assert answers["shift-logits"] == pytest.approx(p[cat], rel=1e-5)  # a constant changes nothing
    assert max(range(len(p)), key=p.__getitem__) == max(range(len(p)), key=logits.__getitem__)
    assert f"{p[mat]:.3f}" in explain("logits", "mat-prob")
    assert f"{p[cat]:.3f}" in explain("logits", "mat-prob")
    assert f"{p[cat]:.3f}" in explain("logits", "shift-logits")
    assert f"{math.exp(0.5):.2f}" in explain("logits", "mat-prob")
    assert p[cat] / p[mat] == pytest.approx(math.exp(logits[cat] - logits[mat]))


def test_float32_exp_overflow_and_the_stable_softmax() -> None:
    _, answers = lesson_run("logits")
    limit = answers["exp-limit"]
    assert math.isfinite(torch.tensor(limit - 0.01).exp().item())
    assert torch.tensor(limit + 0.01).exp().item() == math.inf
    assert f"{limit:.2f}" in explain("logits", "exp-limit")
    big = torch.tensor([1000.0, 1001.0, 1002.0])
    assert torch.isnan(big.exp() / big.exp().sum()).all()
    expected = softmax_by_hand(big.tolist())
    assert torch.softmax(big, dim=-1).tolist() == pytest.approx(expected, rel=1e-6)


def test_cross_entropy_is_minus_log_p_target() -> None:
    namespace, answers = lesson_run("logits")
    vocab, logits = namespace["vocab"], namespace["logits"].tolist()
    p = softmax_by_hand(logits)
    cat, mat = vocab.index("cat"), vocab.index("mat")
    assert namespace["loss"].item() == pytest.approx(-math.log(p[cat]), rel=1e-6)
    assert answers["loss-if-mat"].item() == pytest.approx(-math.log(p[mat]), rel=1e-6)
    text = explain("logits", "loss-if-mat")
    assert f"{-math.log(p[mat]):.3f}" in text and f"{-math.log(p[cat]):.3f}" in text
    # probabilities passed as logits get a second softmax: a different loss, no error
    twice = softmax_by_hand(p)
    assert -math.log(twice[cat]) != pytest.approx(-math.log(p[cat]), rel=1e-3)
    assert answers["probs-in"] == "It gave a different loss without any error"


def test_batches_of_sequences() -> None:
    namespace, answers = lesson_run("logits")
    assert tuple(answers["flat-shape"]) == (8 * 1024, GPT2_SMALL["vocab_size"])
    logits, targets = namespace["batch_logits"].double(), namespace["batch_targets"]
    b, t, _ = logits.shape
    by_loop = sum(-torch.log_softmax(logits[i, j], dim=-1)[targets[i, j]].item()
                  for i in range(b) for j in range(t)) / (b * t)
    assert namespace["batch_loss"].item() == pytest.approx(by_loop, rel=1e-5)
    assert answers["transpose-loss"].item() == pytest.approx(by_loop, rel=1e-5)
    with pytest.raises(RuntimeError):  # (B, T, V) reads T as the classes
        F.cross_entropy(namespace["batch_logits"], targets)


def test_initial_loss_is_ln_v_and_perplexity() -> None:
    namespace, answers = lesson_run("logits")
    vocab_size = GPT2_SMALL["vocab_size"]
    assert answers["uniform-perplexity"] == pytest.approx(vocab_size, rel=1e-6)
    assert namespace["start_loss"].item() == pytest.approx(math.log(vocab_size), abs=0.05)
    assert f"{math.log(vocab_size):.1f}" in lesson_text("logits")  # "about 10.8"
    uniform = torch.zeros(vocab_size, dtype=torch.float64)
    assert F.cross_entropy(uniform, torch.tensor(7)).item() == pytest.approx(math.log(vocab_size))


def test_gradient_is_softmax_minus_one_hot() -> None:
    namespace, answers = lesson_run("logits")
    vocab, logits = namespace["vocab"], namespace["logits"].tolist()
    p = softmax_by_hand(logits)
    cat = vocab.index("cat")
    assert answers["cat-grad"] == pytest.approx(p[cat] - 1, rel=1e-5)
    assert f"{p[cat] - 1:.3f}".replace("-", "−") in explain("logits", "cat-grad")
    flat = namespace["flat_logits"].detach().clone().requires_grad_()
    F.cross_entropy(flat, namespace["flat_targets"]).backward()
    assert flat.grad is not None
    assert torch.allclose(answers["batch-grad"], flat.grad, atol=1e-7)
    assert flat.grad.sum(dim=-1).abs().max().item() < 1e-6  # each row sums to 0


# --- lesson 8: embeddings ----------------------------------------------------------------------

def test_embedding_is_a_lookup_and_a_one_hot_product() -> None:
    namespace, answers = lesson_run("embeddings")
    table = namespace["tok_emb"].weight
    assert tuple(answers["lookup-shape"]) == (5, table.shape[1])
    assert torch.equal(answers["row-of-mat"], table[namespace["vocab"].index("mat")])
    torch.manual_seed(1)
    weight = torch.randn(7, 3)
    ids = torch.tensor([[6, 0, 6], [2, 2, 5]])
    one_hot = torch.zeros(2, 3, 7)
    for i in range(2):
        for j in range(3):
            one_hot[i, j, ids[i, j]] = 1.0
    assert torch.equal(one_hot @ weight, nn.functional.embedding(ids, weight))
    with pytest.raises(RuntimeError):  # int64 one-hot times a float table
        _ = F.one_hot(ids, 7) @ weight
    assert answers["one-hot-cost"] == GPT2_SMALL["vocab_size"] * GPT2_SMALL["emb_dim"]


def test_token_plus_position_embeddings() -> None:
    namespace, answers = lesson_run("embeddings")
    assert tuple(answers["pos-shape"]) == torch.broadcast_shapes((16, 8, 4), (8, 4))
    x, pos = namespace["x"], namespace["pos_emb"].weight
    assert torch.allclose(x[1, 1] - x[1, 2], pos[1] - pos[2], atol=1e-6)
    assert answers["same-token-two-places"] == "No"
    assert torch.allclose(x[0] - namespace["tok_emb"](namespace["ids"][0]), pos[:3])


def test_only_looked_up_rows_get_gradients_summed_over_uses() -> None:
    namespace, answers = lesson_run("embeddings")
    ids = namespace["ids"]
    counts = torch.bincount(ids.flatten(), minlength=len(namespace["vocab"])).float()
    grad = namespace["tok_emb"].weight.grad
    assert torch.equal(grad, counts[:, None].expand_as(grad))
    assert answers["rows-touched"] == len(set(ids.flatten().tolist()))
    assert answers["mat-grad"] == [4, 4, 4, 0, 4, 1].count(4)


def test_tying_the_output_head() -> None:
    namespace, answers = lesson_run("embeddings")
    tied, untied = namespace["tied"], namespace["untied"]
    v, d, context = len(namespace["vocab"]), 4, 8
    assert answers["tied-count"] == v * d + context * d
    assert sum(p.numel() for p in untied.parameters()) == 2 * v * d + context * d
    assert len(list(tied.parameters())) == 2 and len(tied.state_dict()) == 3
    assert answers["tied-saving"] == GPT2_SMALL["vocab_size"] * GPT2_SMALL["emb_dim"]
    # one backward(): the tied tensor collects the gradients of both of its uses
    torch.manual_seed(2)
    table = torch.randn(v, d, requires_grad=True)
    ids = torch.tensor([0, 3, 3])
    (nn.functional.embedding(ids, table) @ table.T).sum().backward()
    assert table.grad is not None
    as_input = torch.zeros(v, d)
    hidden = nn.functional.embedding(ids, table).detach()
    ones = torch.ones(3, v)
    as_input.index_add_(0, ids, ones @ table.detach())   # d/d(rows used as input)
    as_head = ones.T @ hidden                             # d/d(table used as the head)
    assert torch.allclose(table.grad, as_input + as_head, atol=1e-5)


# --- lesson 9: the shapes of attention ---------------------------------------------------------

def test_reductions_and_the_broadcasting_trap() -> None:
    namespace, answers = lesson_run("attention-shapes")
    assert tuple(answers["keepdim-shape"]) == (2, 1, 4)
    rows = namespace["m"].tolist()
    assert answers["column-sums"].tolist() == [sum(col) for col in zip(*rows, strict=True)]
    assert tuple(answers["trap-shape"]) == torch.broadcast_shapes((4,), (4, 1)) == (4, 4)
    x = namespace["x"].tolist()
    row_means = [sum(r) / 3 for r in x]
    col_means = [sum(c) / 3 for c in zip(*x, strict=True)]
    assert namespace["right"].tolist() == [[v - row_means[i] for v in r] for i, r in enumerate(x)]
    # the trap: (3,) lines up with the columns, so row means are subtracted per column
    assert namespace["wrong"].tolist() == [[v - row_means[j] for j, v in enumerate(r)] for r in x]
    assert answers["centre-columns"].tolist() == [[v - col_means[j] for j, v in enumerate(r)]
                                                  for r in x]


def attention_by_loops(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Causal scaled dot-product attention in float64, one query at a time."""
    q, k, v = q.double(), k.double(), v.double()
    b, h, t, d = q.shape
    out = torch.zeros(b, h, t, d, dtype=torch.float64)
    for i in range(t):
        scores = torch.einsum("bhd,bhjd->bhj", q[:, :, i], k[:, :, : i + 1]) / math.sqrt(d)
        out[:, :, i] = torch.einsum("bhj,bhjd->bhd", scores.softmax(-1), v[:, :, : i + 1])
    return out


def test_heads_mask_and_attention_by_hand() -> None:
    namespace, answers = lesson_run("attention-shapes")
    q, k, v = namespace["q"], namespace["k"], namespace["v"]
    b, t, h, d = (namespace[name] for name in ("B", "T", "H", "d"))
    assert q.shape == (b, h, t, d)
    assert torch.equal(q, namespace["queries"].reshape(b, t, h, d).permute(0, 2, 1, 3))
    assert tuple(answers["gpt2-scores"]) == (8, 12, 1024, 1024)
    weights = namespace["weights"]
    assert answers["first-row"].tolist() == [1.0, 0.0, 0.0, 0.0]
    assert torch.triu(weights, diagonal=1).abs().max().item() == 0.0
    assert torch.allclose(weights.sum(-1), torch.ones(b, h, t))
    assert answers["why-minus-inf"].startswith("A score of 0 still gets weight")
    expected = attention_by_loops(q, k, v)
    assert torch.allclose(namespace["out"].double(), expected, atol=1e-5)
    assert torch.allclose(namespace["fused"].double(), expected, atol=1e-5)
    assert torch.allclose(answers["scaled-scores"], q[0, 0] @ k[0, 0].T / d**0.5, rtol=1e-5)
    assert tuple(answers["merged-shape"]) == (b, t, h, d)
    merged = namespace["merged"]
    assert torch.equal(merged, namespace["out"].permute(0, 2, 1, 3).reshape(b, t, h * d))
    with pytest.raises(RuntimeError):
        namespace["out"].transpose(1, 2).view(b, t, h * d)


def test_one_transformer_block_counted() -> None:
    namespace, answers = lesson_run("attention-shapes")
    big_d = GPT2_SMALL["emb_dim"]
    small_total = namespace["count"](namespace["block"])
    assert small_total == 12 * big_d**2 + 10 * big_d == gpt2_block_count(GPT2_SMALL)
    medium = {**GPT2_SMALL, "emb_dim": 1024}  # GPT-2 medium's width
    assert answers["block-medium"] == gpt2_block_count(medium) == 12_593_152
    text = lesson_text("attention-shapes")
    assert f"{small_total:,}" in text and f"{answers['block-medium']:,}" in text
    assert "12D² + 10D" in text
    small_d = namespace_at("attention-shapes", "attention-formula")["D"]
    assert answers["attention-formula"] == 4 * small_d**2 + small_d
    assert GPT2_SMALL["n_layers"] * small_total == 85_026_816  # lesson 1's blocks


@pytest.mark.parametrize("lesson_id", ["logits", "embeddings", "attention-shapes"])
def test_new_lessons_have_a_predict_quiz_and_five_kinds_or_more(lesson_id: str) -> None:
    lesson = course_lessons()[lesson_id]
    assert any("predict" in quiz.ask.lower() for quiz in lesson.quizzes)
    assert len({quiz.type for quiz in lesson.quizzes}) >= 3
    assert 5 <= len(lesson.steps) <= 8
