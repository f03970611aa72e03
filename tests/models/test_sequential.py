"""Sequential: construction forms, deferred build, add/pop, nesting."""

import keras
import numpy as np
import pytest

import jkeras
from jkeras import layers


def test_deferred_build_on_first_data():
    model = jkeras.Sequential([layers.Dense(4), layers.Dense(2)])
    assert not model.built and model.weights == []
    out = model(np.ones((3, 5), "float32"))
    assert model.built and out.shape == (3, 2)
    assert [w.shape for w in model.weights] == [(5, 4), (4,), (4, 2), (2,)]
    assert model.count_params() == 5 * 4 + 4 + 4 * 2 + 2


def test_input_forms_build_immediately():
    for model in (
        jkeras.Sequential([jkeras.Input(shape=(784,)), layers.Dense(10)]),
        jkeras.Sequential([layers.Dense(10, input_shape=(784,))]),
        jkeras.Sequential([layers.InputLayer(shape=(784,)), layers.Dense(10)]),
    ):
        assert model.built and model.count_params() == 7850
        assert model.input_shape == (None, 784) and model.output_shape == (None, 10)
        assert len(model.layers) == 1  # the InputLayer is not listed, as in Keras


def test_build_add_pop():
    model = jkeras.Sequential()
    model.add(layers.Dense(8, activation="relu"))
    model.add(layers.Dense(3))
    model.build((None, 4))
    assert model.output_shape == (None, 3)
    popped = model.pop()
    assert isinstance(popped, layers.Dense) and len(model.layers) == 1
    assert model(np.ones((2, 4), "float32")).shape == (2, 8)
    with pytest.raises(ValueError, match="Only instances of `jkeras.Layer`"):
        model.add("dense")
    with pytest.raises(ValueError, match="unique names"):
        model.add(layers.Dense(2, name=model.layers[0].name))


def test_variable_paths_are_prefixed_by_model():
    model = jkeras.Sequential([jkeras.Input((3,)), layers.Dense(2, name="a")], name="seq")
    assert [v.path for v in model.weights] == ["seq/a/kernel", "seq/a/bias"]


def test_model_as_layer_inside_model_trains_shared_weights():
    inner = jkeras.Sequential([layers.Dense(4, activation="relu")])
    outer = jkeras.Sequential([inner, layers.Dense(1)])
    x = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")
    y = x.sum(1, keepdims=True)
    outer.compile("adam", "mse")
    outer.build((None, 3))
    before = inner.get_weights()[0].copy()
    outer.fit(x, y, epochs=2, verbose=0)
    assert len(outer.weights) == 4
    assert not np.array_equal(before, inner.get_weights()[0])


def test_get_set_weights_round_trip_between_models():
    a = jkeras.Sequential([jkeras.Input((3,)), layers.Dense(2)])
    b = jkeras.Sequential([jkeras.Input((3,)), layers.Dense(2)])
    b.set_weights(a.get_weights())
    x = np.ones((1, 3), "float32")
    np.testing.assert_array_equal(np.asarray(a(x)), np.asarray(b(x)))


def test_stateless_call_of_model_and_gradient():
    import jax
    import jax.numpy as jnp

    model = jkeras.Sequential([jkeras.Input((3,)), layers.Dense(1, use_bias=False)])
    trainable = [v.value for v in model.trainable_variables]
    non_trainable = [v.value for v in model.non_trainable_variables]
    x = jnp.ones((2, 3))

    def loss(tv):
        y, _ = model.stateless_call(tv, non_trainable, x, training=True)
        return jnp.sum(y)

    grads = jax.jit(jax.grad(loss))(trainable)
    np.testing.assert_allclose(np.asarray(grads[0]), np.full((3, 1), 2.0))


def test_config_round_trip():
    model = jkeras.Sequential([jkeras.Input((4,)), layers.Dense(3, activation="relu"),
                               layers.Dropout(0.2), layers.Dense(1)], name="cfg_model")
    clone = jkeras.Sequential.from_config(model.get_config())
    assert [type(layer).__name__ for layer in clone.layers] == ["Dense", "Dropout", "Dense"]
    assert clone.count_params() == model.count_params() and clone.name == "cfg_model"


def _auto_names_and_build(library):
    """Tensor and layer auto names, and a Sequential built from a shape (its config, its
    input), from a fresh session."""
    library.utils.clear_session()
    a, named = library.Input((3,)), library.Input((3,), name="bb")
    dense_out = library.layers.Dense(2)(a)
    summed = library.ops.sum(dense_out + 1)
    built = library.Sequential([library.layers.Dense(2)])
    built.build((None, 3))
    x = library.Input((3,))
    declared = library.Sequential([x, library.layers.Dense(2)])
    declared.add(library.layers.Dense(1))
    return {
        "tensors": [t.name for t in (a, named, dense_out, summed, x, declared.outputs[0])],
        "built_config": [(entry["class_name"], entry["config"].get("batch_shape"))
                         for entry in built.get_config()["layers"]],
        "built_input": (built.inputs[0].name, built.layers[0].input.name),
        "declared_input_is_x": declared.inputs[0] is x,
        "next_names": (library.layers.InputLayer((2,)).name, library.layers.Dense(1).name),
    }


def test_auto_names_and_the_input_layer_of_a_built_sequential_match_keras():
    """As Keras 3: unnamed symbolic tensors are `keras_tensor_<n>` (one counter with the
    layer names); building a Sequential from a shape adds an InputLayer (in its config too),
    and a Sequential that starts with an Input keeps that Input's tensor through rebuilds."""
    assert _auto_names_and_build(jkeras) == _auto_names_and_build(keras)
