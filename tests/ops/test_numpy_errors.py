"""Bad arguments to `ops.numpy` ops raise Keras 3's error types (those its eager JAX op and its
symbolic op raise) with a message naming the op and the argument."""

import keras
import numpy as np
import pytest

from jkeras import ops
from jkeras.core.keras_tensor import KerasTensor

X = np.ones((2, 3), "float32")
X3 = np.ones((2, 3, 4), "float32")
OTHER = np.ones((4, 5), "float32")

# (op, args, kwargs, the argument the message must name)
BAD_CALLS = [
    ("sum", (X,), {"axis": 3}, "axis"),
    ("mean", (X,), {"axis": -4}, "axis"),
    ("argmax", (X,), {"axis": 2}, "axis"),
    ("cumsum", (X,), {"axis": 2}, "axis"),
    ("quantile", (X, 0.5), {"axis": 5}, "axis"),
    ("expand_dims", (X, 4), {}, "axis"),
    ("squeeze", (X,), {"axis": 0}, "axis"),
    ("transpose", (X, (0, 2)), {}, "axes"),
    ("moveaxis", (X, 0, 3), {}, "destination"),
    ("swapaxes", (X, 0, 3), {}, "axis2"),
    ("flip", (X, 3), {}, "axis"),
    ("roll", (X, 1), {"axis": 3}, "axis"),
    ("sort", (X,), {"axis": 3}, "axis"),
    ("diagonal", (X3,), {"axis1": 1, "axis2": -2}, "axis2"),
    ("matmul", (X, OTHER), {}, "x2"),
    ("dot", (X, np.ones(4, "float32")), {}, "x2"),
    ("inner", (X, OTHER), {}, "x2"),
    ("concatenate", ([X, np.ones((2, 4), "float32")],), {"axis": 0}, "xs"),
    ("concatenate", ([X, X],), {"axis": 2}, "axis"),
    ("stack", ([X, np.ones((2, 4), "float32")],), {}, "x"),
    ("add", (X, np.ones(4, "float32")), {}, "x2"),
    ("where", (X > 0, X, np.ones(4, "float32")), {}, None),
    ("take", (X, np.array([0.5, 1.0])), {}, "indices"),
    ("take_along_axis", (X, np.array([[0.5]])), {"axis": 1}, "indices"),
    ("reshape", (X, (4, 5)), {}, "newshape"),
    ("reshape", (X, (-1, -1)), {}, "newshape"),
    ("split", (X, 2), {"axis": 1}, "indices_or_sections"),
    ("einsum", ("ij,jk->ik", X, OTHER), {}, "subscripts"),
    ("pad", (X3, ((1, 1), (2, 2))), {}, "pad_width"),
    ("pad", (X, 1), {"mode": "edge", "constant_values": 2.0}, "constant_values"),
    ("vander", (X,), {}, "x"),
    ("vander", (np.ones(3, "float32"),), {"N": -1}, "N"),
    ("histogram", (np.ones(3, "float32"),), {"bins": 2.5}, "bins"),
    ("array_split", (X, 0), {}, "indices_or_sections"),
    ("searchsorted", (X, np.ones(2, "float32")), {}, "sorted_sequence"),
    ("ldexp", (X, X), {}, "x2"),
    ("eye", (2.5,), {}, "N"),
    ("rot90", (np.ones(3, "float32"),), {}, "array"),
]


def _error(call):
    try:
        call()
    except Exception as error:  # noqa: BLE001 - the error is what is compared.
        return error
    return None


def _symbolic(args, tensor_class):
    def convert(value):
        if isinstance(value, np.ndarray):
            return tensor_class(value.shape, dtype=value.dtype.name)
        if isinstance(value, list):
            return [convert(v) for v in value]
        return value

    return [convert(a) for a in args]


@pytest.mark.parametrize("op, args, kwargs, argument", BAD_CALLS,
                         ids=[f"{c[0]}-{c[3]}" for c in BAD_CALLS])
def test_bad_arguments_raise_keras_error_types_naming_the_argument(op, args, kwargs, argument):
    keras_errors = [
        _error(lambda: getattr(keras.ops, op)(*args, **kwargs)),
        _error(lambda: getattr(keras.ops, op)(*_symbolic(args, keras.KerasTensor), **kwargs)),
    ]
    assert keras_errors[0] is not None, "the case must be an error in Keras"
    for ours in (
        _error(lambda: getattr(ops, op)(*args, **kwargs)),
        _error(lambda: getattr(ops, op)(*_symbolic(args, KerasTensor), **kwargs)),
    ):
        assert ours is not None, f"{op}: no error"
        for theirs in keras_errors:
            if theirs is not None:
                assert isinstance(ours, type(theirs)), (
                    f"{op}: raised {ours!r}, not a {type(theirs).__name__} as Keras ({theirs!r})")
        assert op in str(ours), f"{op}: the message does not name the op: {ours}"
        if argument:
            assert f"`{argument}`" in str(ours), f"{op}: the message does not name {argument}"


def test_unknown_dimensions_do_not_hide_shape_errors():
    x = KerasTensor((None, 3))
    with pytest.raises(ValueError, match="contracted dimensions of `x1` and `x2`"):
        ops.matmul(x, OTHER)
    with pytest.raises(ValueError, match="cannot be broadcast"):
        ops.add(x, np.ones(4, "float32"))
    assert ops.add(x, np.ones((5, 3), "float32")).shape == (5, 3)  # None meets 5: Keras's rule.
