"""Plain helpers of the lesson screen's widgets: pane order, detail text, answer placeholders."""

from __future__ import annotations

import re

import pytest

from tutor.grading import grade
from tutor.ui.widgets.quiz_panel import PLACEHOLDERS
from tutor.ui.widgets.tensor_rows import assigned_names, entry_detail, order_entries


def entry(name: str, preview: str = "1.0000", grad: dict | None = None) -> dict:
    return {"name": name, "shape": [2], "dtype": "torch.float32", "device": "cpu",
            "requires_grad": grad is not None, "is_leaf": True, "grad_fn": None,
            "preview": preview, "grad": grad}


def test_the_cell_just_run_comes_first_then_changes_then_plain_tensors_before_modules() -> None:
    before = [entry("model.a.weight"), entry("model.a.bias"), entry("x"), entry("w")]
    after = [*before[:3], entry("w", grad={"shape": [2], "preview": "[1.0]"}),
             entry("net.fc.weight"), entry("ones"), entry("out")]
    previous = {e["name"]: e for e in before}
    ordered, changed = order_entries(after, previous, assigned=["net", "out", "ones"])
    assert [e["name"] for e in ordered] == [
        "out", "ones", "net.fc.weight",  # the cell's own, plain ones first, in source order
        "w",  # changed by the run (its .grad)
        "x", "model.a.weight", "model.a.bias",  # unchanged: plain, then the module, together
    ]
    assert changed == {"out", "ones", "net.fc.weight", "w"}


def test_first_snapshot_puts_plain_tensors_before_a_models_parameters() -> None:
    ordered, changed = order_entries(
        [entry("model.w"), entry("logits"), entry("model.b"), entry("ones")], {})
    assert [e["name"] for e in ordered] == ["logits", "ones", "model.w", "model.b"]
    assert len(changed) == 4


def test_assigned_names_in_source_order_without_running_anything() -> None:
    source = ("with torch.device('meta'):\n    model = M()\nx, (y, z) = 1, (2, 3)\n"
              "def f(q):\n    local = 1\nx += 1\n")
    assert assigned_names(source) == ["model", "x", "y", "z"]
    assert assigned_names("this is not python") == []


def test_entry_detail_shows_everything_in_full() -> None:
    long = "[" + ", ".join(["1.2345"] * 20) + "]"
    text = entry_detail(entry("w", long, grad={"shape": [2], "preview": "[0.5, 0.25]"}))
    assert long in text and "grad (2,) [0.5, 0.25]" in text and "requires_grad" in text


EXAMPLE_VALUES = {
    "number": lambda text: float(text),
    "shape": lambda text: [int(n) for n in re.findall(r"\d+", text)],
    "dtype": lambda text: "torch." + text.removeprefix("torch."),
    "tensor": lambda text: {"kind": "tensor", "values": eval(text), "dtype": "torch.int64",
                            "shape": [2, 2]},
}


@pytest.mark.parametrize("kind", sorted(EXAMPLE_VALUES))
def test_placeholder_examples_are_accepted_forms(kind: str) -> None:
    """An example in a placeholder must itself be a valid answer form (not a near-answer:
    these were checked against `tutor check --json` of the shipped lessons)."""
    examples = PLACEHOLDERS[kind].split("e.g. ", 1)[1].split(" or ")
    for example in examples:
        verdict = grade(kind, example, EXAMPLE_VALUES[kind](example))
        assert verdict.correct, (example, verdict.message)


def test_a_revealed_value_too_large_to_send_reads_as_its_summary() -> None:
    """A computed answer over wire.MAX_VALUES arrives as a summary: the reveal names its type,
    shape, dtype and first values, never the wire's dict."""
    torch = pytest.importorskip("torch")
    from tutor.runner.values import encode
    from tutor.runner.wire import MAX_VALUES, is_summary
    from tutor.ui.labels import value_text

    value = encode(torch.arange(MAX_VALUES + 1, dtype=torch.float32).reshape(1, -1))
    assert is_summary(value)
    text = value_text(value)
    assert f"({1}, {MAX_VALUES + 1})" in text and "float32" in text
    assert text.split(": ", 1)[1].startswith("0, 1, 2")
    assert "'kind'" not in text and "head" not in text
