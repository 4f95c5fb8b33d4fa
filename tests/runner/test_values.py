"""The plain encoding of values that grading compares (tutor.runner.values), in process."""

from __future__ import annotations

import math

import numpy as np
import torch

from tutor.runner.values import REPR_LIMIT, bounded_repr, encode


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
    assert len(encode(list(range(10 * REPR_LIMIT)))) == 10 * REPR_LIMIT
    assert len(encode([0.5] * REPR_LIMIT)["repr"]) == REPR_LIMIT


def test_broken_repr_does_not_raise() -> None:
    class Broken:
        def __repr__(self) -> str:
            raise ValueError("no")

    assert "unrepresentable Broken" in bounded_repr(Broken())
