"""jkeras.Variable: the seeds' variable examples, in JAX's immutable terms."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import jkeras


def test_create_from_value_and_initializer():
    v = jkeras.Variable(initializer=np.ones((3, 1)), name="v")
    # float64 values become float32, as JAX (x64 disabled) and Keras 3 do
    assert v.shape == (3, 1) and v.dtype == "float32"
    assert v.name == "v" and v.path == "v" and v.trainable
    w = jkeras.Variable("zeros", shape=(2, 2), dtype="float32", trainable=False)
    np.testing.assert_array_equal(w.numpy(), np.zeros((2, 2)))
    assert not w.trainable
    with pytest.raises(ValueError, match="`shape` must be given"):
        jkeras.Variable("zeros")


def test_assign_family_returns_variable_and_rebinds_an_immutable_value():
    v = jkeras.Variable(np.zeros((2, 2), "float32"))
    old = v.value
    assert v.assign(np.ones((2, 2))) is v
    np.testing.assert_array_equal(np.asarray(old), np.zeros((2, 2)))  # the old array is intact
    np.testing.assert_array_equal(v.assign_add(np.ones((2, 2))).numpy(), np.full((2, 2), 2.0))
    np.testing.assert_array_equal(v.assign_sub(np.ones((2, 2))).numpy(), np.ones((2, 2)))


def test_slice_assign_like_the_seed():
    v = jkeras.Variable(np.ones((3, 1), "float32"))
    v[0, 0].assign(3.0)
    np.testing.assert_array_equal(v.numpy(), [[3.0], [1.0], [1.0]])


def test_shape_mismatch_names_variable_and_both_shapes():
    v = jkeras.Variable(np.zeros((2, 2), "float32"), name="weights")
    with pytest.raises(ValueError, match=r"'weights'.*variable.shape=\(2, 2\).*value.shape=\(3,\)"):
        v.assign(np.zeros(3))
    with pytest.raises(ValueError, match=r"shape \(3,\) to the slice .* 'weights'.*\(2,\)"):
        v[0].assign(np.ones(3))
    with pytest.raises(TypeError):
        v.assign(np.array(["a", "b"]))  # an incompatible dtype
    np.testing.assert_array_equal(v.numpy(), np.zeros((2, 2)))


def test_python_values_take_keras_dtypes_and_numpy_is_a_writable_copy():
    assert jkeras.Variable(3).dtype == "int32"
    assert jkeras.Variable(3.0).dtype == "float32"
    v = jkeras.Variable([1.0, 2.0])
    copy = v.numpy()
    copy[0] = 5.0
    np.testing.assert_array_equal(v.numpy(), [1.0, 2.0])


def test_usable_wherever_an_array_is():
    v = jkeras.Variable(np.array([1.0, 2.0], "float32"))
    np.testing.assert_array_equal(np.asarray(v + 1), [2.0, 3.0])
    np.testing.assert_array_equal(np.asarray(2 * v), [2.0, 4.0])
    np.testing.assert_array_equal(np.asarray(v @ v), 5.0)
    # jax.numpy functions need the array itself (JAX 0.10 no longer honours __jax_array__ in
    # them; Keras 3 has the same limit): jnp.asarray(v) or v.value. jkeras.ops take Variables.
    np.testing.assert_array_equal(np.asarray(jnp.sum(jnp.asarray(v))), 3.0)
    np.testing.assert_array_equal(np.asarray(jnp.sum(v.value)), 3.0)
    np.testing.assert_array_equal(np.asarray(jkeras.ops.sum(v)), 3.0)
    np.testing.assert_array_equal(np.asarray(v), [1.0, 2.0])
    np.testing.assert_array_equal(np.asarray(jkeras.ops.matmul(v, v)), 5.0)


def test_arrays_are_immutable():
    x = jkeras.ops.ones((2, 2))
    with pytest.raises(TypeError):
        x[0, 0] = 0.0


def test_gradient_with_respect_to_variables():
    # The seeds' GradientTape examples, as jax.grad over the variables' values.
    x = jkeras.Variable(np.float32(3.0))
    grad = jax.grad(lambda value: jnp.square(value))(x.value)
    assert float(grad) == 6.0
    W = jkeras.Variable(np.random.default_rng(0).random((2, 2), dtype=np.float32))
    b = jkeras.Variable(np.zeros(2, "float32"))
    inputs = np.random.default_rng(1).random((2, 2), dtype=np.float32)
    grad_W, grad_b = jax.grad(lambda w, b_: jnp.sum(inputs @ w + b_), argnums=(0, 1))(
        W.value, b.value)
    np.testing.assert_allclose(np.asarray(grad_W), np.tile(inputs.sum(0)[:, None], (1, 2)),
                               rtol=1e-6)
    np.testing.assert_array_equal(np.asarray(grad_b), [2.0, 2.0])


def test_gradient_wrt_constant_input_second_order_and_value_and_grad():
    # tape.watch(constant): jax.grad differentiates with respect to any input.
    assert float(jax.grad(jnp.square)(jnp.float32(3.0))) == 6.0
    # position = 4.9 t^2 -> acceleration 9.8
    acceleration = jax.grad(jax.grad(lambda t: 4.9 * t ** 2))(jnp.float32(0.0))
    np.testing.assert_allclose(float(acceleration), 9.8, rtol=1e-6)
    value, grad = jax.value_and_grad(lambda t: 4.9 * t ** 2)(jnp.float32(2.0))
    np.testing.assert_allclose([float(value), float(grad)], [19.6, 19.6], rtol=1e-6)


def test_assigning_a_traced_value_outside_a_scope_is_an_error():
    v = jkeras.Variable(np.zeros(2, "float32"))

    @jax.jit
    def bad(x):
        v.assign(x)
        return x

    with pytest.raises(RuntimeError, match="stateless scope"):
        bad(jnp.ones(2))
    np.testing.assert_array_equal(v.numpy(), np.zeros(2))
