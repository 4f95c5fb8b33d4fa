"""The plain encoding of values that grading compares (tutor.runner.values), in process."""

from __future__ import annotations

import math

import numpy as np
import torch

from tutor.runner.values import HEAD_VALUES, REPR_LIMIT, bounded_repr, encode
from tutor.runner.wire import MAX_STRING, MAX_VALUES


def test_scalars_are_themselves() -> None:
    assert encode(True) is True
    assert encode(3) == 3
    assert encode("text") == "text"
    assert math.isnan(encode(float("nan")))
    assert encode(float("-inf")) == float("-inf")


def test_shapes_and_dtypes() -> None:
    assert encode(torch.Size([2, 3])) == [2, 3]
    assert encode((2, 3)) == [2, 3]
    assert encode([4]) == [4]
    assert encode(torch.float32) == "torch.float32"


def test_tensor() -> None:
    tensor = torch.arange(6, dtype=torch.float32).reshape(2, 3)
    assert encode(tensor) == {
        "kind": "tensor", "values": tensor.tolist(), "dtype": "torch.float32", "shape": [2, 3],
    }
    grad_tensor = torch.ones(2, requires_grad=True) * 2
    assert encode(grad_tensor)["values"] == [2.0, 2.0]


def test_meta_tensor_has_shape_only() -> None:
    encoded = encode(torch.empty(4, 5, device="meta"))
    assert encoded["values"] is None
    assert encoded["shape"] == [4, 5]


def test_numpy() -> None:
    assert encode(np.float64(0.5)) == 0.5
    assert encode(np.int64(7)) == 7
    array = np.arange(4).reshape(2, 2)
    assert encode(array) == {
        "kind": "tensor",
        "values": array.tolist(),
        "dtype": f"numpy.{array.dtype}",
        "shape": [2, 2],
    }


def test_anything_else_is_a_bounded_repr() -> None:
    assert encode({"a": 1}) == {"kind": "repr", "repr": "{'a': 1}"}
    assert encode([1.5, 2]) == {"kind": "repr", "repr": "[1.5, 2]"}
    assert len(encode("x" * 10 * REPR_LIMIT)) == 10 * REPR_LIMIT  # strings are values, not reprs
    assert encode(list(range(MAX_VALUES))) == list(range(MAX_VALUES))
    assert encode(list(range(MAX_VALUES + 1)))["kind"] == "repr"
    # A list of numbers (a tensor's .tolist()) keeps its whole repr up to MAX_VALUES numbers,
    # so grading reads it back as the list; beyond, and for other objects, the repr is cut.
    assert encode([[0.5] * 4] * (REPR_LIMIT // 4))["repr"] == repr([[0.5] * 4] * (REPR_LIMIT // 4))
    assert len(encode([0.5] * (MAX_VALUES + 1))["repr"]) == REPR_LIMIT
    assert len(encode([0.5] * REPR_LIMIT + ["x"])["repr"]) == REPR_LIMIT


def test_broken_repr_does_not_raise() -> None:
    class Broken:
        def __repr__(self) -> str:
            raise ValueError("no")

    assert "unrepresentable Broken" in bounded_repr(Broken())


def test_large_values_travel_as_summaries() -> None:
    big = torch.arange(MAX_VALUES + 1, dtype=torch.float32).reshape(1, -1)
    summary = encode(big)
    assert summary["kind"] == "summary" and summary["type"] == "tensor"
    assert summary["shape"] == [1, MAX_VALUES + 1] and summary["numel"] == MAX_VALUES + 1
    assert summary["head"] == list(range(HEAD_VALUES)) and summary["device"] == "cpu"
    assert (summary["min"], summary["max"], summary["mean"]) == (0.0, MAX_VALUES, MAX_VALUES / 2)
    assert encode(torch.ones(MAX_VALUES))["kind"] == "tensor"
    assert encode(np.zeros(MAX_VALUES + 1))["dtype"] == "numpy.float64"
    text = encode("y" * (MAX_STRING + 1))
    assert text["kind"] == "summary" and text["numel"] == MAX_STRING + 1
    meta = encode(torch.empty(10**9, device="meta"))
    assert meta["kind"] == "summary" and meta["head"] == [] and meta["min"] is None
