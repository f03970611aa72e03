"""The core and control-flow ops of `keras.ops` (conversion, casting, scatters, slices,
loops, branches, maps, custom gradients) against Keras 3's (JAX backend)."""


import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest

import jkeras
from jkeras import ops
from jkeras.core.keras_tensor import KerasTensor
from tests.ops.parity import Case
from tests.ops.reference import (
    check_error,
    parity_tests,
)

ours, theirs = ops, keras.ops
RNG = np.random.default_rng(4)
X = RNG.uniform(-3, 3, (4, 3)).round(2).astype("float32")
V = RNG.uniform(-3, 3, (5,)).round(2).astype("float32")
WIDE = np.array([-300.5, -1.5, 0.4, 200.7, 70000.0], "float32")


def step(carry, x):
    return carry + x, carry * x


def add(a, b):
    return a + b


def pair_step(carry, xs):
    total, count = carry
    return (total + jnp.sum(xs[0]), count + 1), xs[0] * xs[1]


CASES = [
    Case("cast", X, "int32"), Case("cast", X, "bfloat16"), Case("cast", X, None),
    Case("saturate_cast", WIDE, "uint8"), Case("saturate_cast", WIDE, "int8"),
    Case("saturate_cast", WIDE, "float16"), Case("saturate_cast", WIDE, "int32"),
    Case("convert_to_tensor", X), Case("convert_to_tensor", X, dtype="float16"),
    Case("scatter", np.array([[0, 1], [3, 2], [0, 1]]), V[:3], (4, 3)),
    Case("scatter", np.array([[1], [3]]), X[:2], (5, 3)),
    *(Case("scatter_update", X, np.array([[0, 1], [3, 2]]), V[:2], reduction=reduction)
      for reduction in (None, "add", "max", "min", "mul")),
    Case("scatter_update", X, np.array([[2]]), V[None, :3]),
    Case("slice", X, (1, 0), (2, -1)), Case("slice", X, np.array([2, 1]), (2, 2)),
    Case("slice_update", X, (1, 1), X[:2, :2] * 2), Case("slice_update", V, (3,), V[:2]),
    # Unstacking the unknown batch axis: test_unstack_needs_a_known_size.
    Case("unstack", X).with_options(symbolic=False), Case("unstack", X, axis=1),
    Case("unstack", X, num=4, axis=-2).with_options(symbolic=False),
    Case("stop_gradient", X),
    Case("scan", step, V[0], V[1:]), Case("scan", step, V[0], V[1:], reverse=True, unroll=2),
    Case("scan", pair_step, (V[0], np.int32(0)), (X, X)),
    Case("scan", lambda c, _: (c * 1.5, c), V, None, length=3).with_options(sweep=False),
    Case("associative_scan", add, V), Case("associative_scan", add, X, reverse=True, axis=1),
    Case("associative_scan", lambda a, b: (a[0] + b[0], a[1] * b[1]), (X, X)),
    Case("fori_loop", 0, 4, lambda i, x: x * 2 + i, X),
    # Reverse-mode autodiff does not go through while loops (JAX's rule).
    *(case.with_options(grad=False) for case in [
        Case("while_loop", lambda x: jnp.sum(x) < 50.0, lambda x: x * 2 + 1, X),
        Case("while_loop", lambda x, y: x.sum() < 30.0, lambda x, y: (x + 1, y * x), (X, X),
             maximum_iterations=2).with_options(sweep=False),
        Case("while_loop", lambda x, y: x.sum() < 30.0, lambda x, y: [x + 1, y], [X, X])]),
    Case("cond", True, lambda: X * 2, lambda: X - 1).with_options(symbolic=False, grad=False),
    Case("cond", np.array(False), lambda: X * 2, lambda: X - 1).with_options(grad=False),
    Case("switch", 1, [lambda x: x + 1, lambda x: x * 3], X),
    Case("switch", np.int32(5), [lambda x, y: x + y, lambda x, y: x * y], X, X),
    Case("map", lambda x: x * jnp.sum(x), X), Case("map", lambda xs: xs[0] + xs[1], (X, X)),
    Case("vectorized_map", lambda x: x * jnp.sum(x), X),
    Case("vectorized_map", lambda xs: {"sum": xs[0] + xs[1]}, (X, X)),
]
NO_GRADIENT = {"cast", "saturate_cast", "convert_to_tensor", "stop_gradient"}
for _case in CASES:
    if _case.op in NO_GRADIENT:
        _case.with_options(grad=False)
test_values, test_dtypes, test_symbolic, test_gradients = parity_tests(
    ours, theirs, CASES, sweep=("int8", "uint8", "bool", "float16", "bfloat16"))


def test_gradient_stops():
    assert float(jax.grad(lambda x: jnp.sum(ops.stop_gradient(x) * x))(2.0)) == 2.0
    variable = jkeras.Variable(X)
    np.testing.assert_array_equal(ops.stop_gradient(variable), X)


def test_custom_gradient():
    @ops.custom_gradient
    def clipped_square(x):
        def grad(upstream):
            return jnp.clip(upstream * 2 * x, -1.0, 1.0)

        return x * x, grad

    @theirs.custom_gradient
    def keras_clipped_square(x):
        def grad(*args, upstream=None):
            upstream = args[0] if upstream is None else upstream
            return jnp.clip(upstream * 2 * x, -1.0, 1.0)

        return x * x, grad

    values = np.array([-3.0, 0.2, 4.0], "float32")
    mine = jax.grad(lambda x: jnp.sum(clipped_square(x)))(values)
    np.testing.assert_allclose(mine, jax.grad(lambda x: jnp.sum(keras_clipped_square(x)))(values))
    np.testing.assert_allclose(mine, [-1.0, 0.4, 1.0])
    np.testing.assert_allclose(clipped_square(jkeras.Variable(values)), values**2)


def test_conversions_and_inspection():
    assert ops.is_tensor(ops.convert_to_tensor(X)) and not ops.is_tensor(X)
    assert ops.dtype(X) == keras.ops.dtype(X) == "float32"
    assert ops.dtype(np.zeros(2)) == keras.ops.dtype(np.zeros(2)) == "float64"
    assert ops.dtype(KerasTensor((None, 2), "int8")) == "int8"
    assert ops.shape(KerasTensor((None, 2))) == (None, 2) and ops.shape(X) == (4, 3)
    bfloat = ops.convert_to_numpy(ops.cast(X, "bfloat16"))
    assert bfloat.dtype == keras.ops.convert_to_numpy(keras.ops.cast(X, "bfloat16")).dtype
    with pytest.raises(TypeError):
        ops.convert_to_numpy(KerasTensor((2,)))


def test_control_flow_on_keras_tensors_in_a_model(tmp_path):
    inputs = jkeras.Input((3,))
    carry, ys = ops.scan(step, ops.zeros((3,)), inputs)
    doubled = ops.while_loop(lambda x: ops.sum(x) < 100.0, lambda x: x * 2, inputs,
                             maximum_iterations=3)
    mapped = ops.vectorized_map(lambda row: row * ops.sum(row), inputs)
    parts = ops.unstack(inputs, axis=1)
    assert [p.shape for p in parts] == [(None,)] * 3
    chosen = ops.switch(1, [lambda x: x + 1, lambda x: x * 3], inputs)
    model = jkeras.Model(inputs, [carry, ys, doubled, mapped, chosen])
    assert [tuple(o.shape) for o in model.outputs] == [(3,), (None, 3), (None, 3), (None, 3),
                                                       (None, 3)]
    outputs = model.predict(X, verbose=0, batch_size=4)
    expected = (*jax.lax.scan(step, jnp.zeros(3), X), None,
                jax.vmap(lambda row: row * jnp.sum(row))(X), X * 3)
    for output, value in zip(outputs, expected):
        if value is not None:
            np.testing.assert_allclose(output, value, rtol=1e-6)


def test_unstack_needs_a_known_size():
    with pytest.raises(ValueError, match="unstack: cannot infer `num`"):
        ops.unstack(KerasTensor((None, 3)))
    assert len(ops.unstack(KerasTensor((None, 3)), num=4)) == 4


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda m: m.scan(step, V[0], V[1:], unroll=0), ValueError, "`unroll`"),
        (lambda m: m.scatter_update(X, np.array([[0, 1]]), V[:1], reduction="avg"), ValueError,
         "reduction"),
        (lambda m: m.scatter(np.array([[0.5, 1.0]]), V[:1], (4, 3)), TypeError, "`indices`"),
        (lambda m: m.slice(X, (0,), (2, 2)), ValueError, "`start_indices`"),
        (lambda m: m.associative_scan(add, (V, X)), ValueError, "same size"),
        (lambda m: m.cast(X, "float"), ValueError, "dtype"),
    ],
)
def test_errors(call, error, match):
    check_error(ours, theirs, call, error, match)
