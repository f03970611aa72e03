"""float8 training (`quantize("float8")`) of Dense and EinsumDense against Keras 3: the same
variables after `quantize`, outputs and backward pass (new scales and amax histories as the
gradients), training steps with delayed scaling, `.keras` files both ways, and layers built
from a float8 policy."""

import jax
import keras
import numpy as np
import pytest

import jkeras
from tests.helpers import assert_close, load_both_ways, run_layer_test

RNG = np.random.default_rng(0)
X = RNG.normal(size=(20, 4, 8)).astype("float32")
Y = RNG.normal(size=(20, 4, 6)).astype("float32")
FLOAT8_NAMES = ["inputs_scale", "inputs_amax_history", "kernel_scale", "kernel_amax_history",
                "outputs_grad_scale", "outputs_grad_amax_history"]


def _block(module, dtype=None):
    """A transformer-ish block: a multi-head EinsumDense projection, a Dense MLP beside it,
    joined and projected by an ellipsis EinsumDense (float weights from Keras's build)."""
    layers = module.layers
    inputs = module.Input((4, 8))
    heads = layers.EinsumDense("abc,cde->abde", (4, 2, 3), bias_axes="de", dtype=dtype,
                               name="heads")(inputs)
    heads = layers.Reshape((4, 6))(heads)
    hidden = layers.Dense(6, activation="relu", dtype=dtype, name="mlp")(inputs)
    joined = layers.Concatenate()([heads, hidden])
    outputs = layers.EinsumDense("...c,cd->...d", 6, bias_axes="d", dtype=dtype,
                                 name="out")(joined)
    return module.Model(inputs, outputs)


def _pair(dtype=None):
    """The block in jkeras and in Keras 3, with the same float weights, both quantized."""
    theirs = _block(keras, dtype)
    ours = _block(jkeras, dtype)
    ours.set_weights(theirs.get_weights())
    for model in (ours, theirs):
        model.quantize("float8", filters="heads|mlp|out")
    return ours, theirs


def _by_path(model):
    """Values by path below the model's name (auto-named models count differently)."""
    return {v.path.split("/", 1)[1]: np.asarray(v.value) for v in model.weights}


@pytest.fixture(scope="module")
def pair():
    return _pair()


def test_float8_variables_match_keras(pair):
    ours, theirs = pair

    def described(model):
        return [(v.path.split("/", 1)[1], v.dtype, tuple(v.shape), v.trainable,
                 v.overwrite_with_gradient) for v in model.weights]

    assert described(ours) == described(theirs)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_array_equal(a, b)
    for layer in ours.layers:
        if layer.quantization_mode:
            assert not any(getattr(layer, name).autocast for name in FLOAT8_NAMES)
            assert layer.get_config() == theirs.get_layer(layer.name).get_config()
            assert layer.dtype_policy.name == "float8_from_float32"


def test_float8_outputs_and_backward_pass_match_keras(pair):
    """One jitted value and gradient of `sum(y * projection)` per library, in training: the
    inputs' and kernels' gradients pass through the e5m2 rounding of the output gradient, and
    the scales and histories receive their new values."""
    projection = RNG.normal(size=(20, 4, 6)).astype("float32")

    def value_and_grads(model):
        non_trainable = [v.value for v in model.non_trainable_variables]

        def loss(trainable, x):
            y, _ = model.stateless_call(trainable, non_trainable, x, training=True)
            return (y * projection).sum(), y

        fn = jax.jit(jax.value_and_grad(loss, argnums=(0, 1), has_aux=True))
        return fn([v.value for v in model.trainable_variables], X)

    (_, y_ours), grads_ours = value_and_grads(ours := pair[0])
    (_, y_theirs), grads_theirs = value_and_grads(pair[1])
    assert_close(y_ours, y_theirs, atol=1e-5)
    assert_close(grads_ours, grads_theirs, rtol=1e-5, atol=1e-5)
    new_values = dict(zip(map(id, ours.trainable_variables), grads_ours[0]))
    assert new_values[id(ours.get_layer("mlp").inputs_amax_history)][0] == np.abs(X).max()
    inference = ours.predict(X, verbose=0)  # training=False: the same outputs (no update)
    assert_close(inference, y_ours, atol=1e-6)


@pytest.fixture(scope="module")
def trained():
    """The block trained by `fit` in both libraries from the same weights and data, in
    mixed_bfloat16 with a LossScaleOptimizer (the scales' gradients are not unscaled): 2
    epochs of 3 batches, the last one smaller (jkeras pads it: exact here too)."""
    ours, theirs = _pair("mixed_bfloat16")
    histories = []
    for module, model in ((jkeras, ours), (keras, theirs)):
        optimizer = module.optimizers.LossScaleOptimizer(module.optimizers.Adam(0.01),
                                                         initial_scale=64.0)
        model.compile(optimizer=optimizer, loss="mse")
        histories.append(model.fit(X, Y, batch_size=8, epochs=2, shuffle=False,
                                   verbose=0).history["loss"])
    return ours, theirs, histories


def test_float8_training_matches_keras(trained):
    ours, theirs, (our_losses, their_losses) = trained
    # Values agree to float32 rounding (a 1-ulp difference may flip one float8 rounding:
    # hence the margins); a wrong scaling rule moves the scales by orders of magnitude more.
    assert_close(our_losses, their_losses, rtol=1e-4)
    our_values, their_values = _by_path(ours), _by_path(theirs)
    assert our_values.keys() == their_values.keys()
    for path, value in our_values.items():
        if path.rsplit("/", 1)[-1] in FLOAT8_NAMES:  # delayed scaling: the same values
            assert_close(value, their_values[path], rtol=1e-4, atol=0, err_msg=path)
        else:
            assert_close(value, their_values[path], rtol=1e-3, atol=1e-4, err_msg=path)
    history = ours.get_layer("mlp").inputs_amax_history.numpy()
    assert np.count_nonzero(history) == int(np.asarray(ours.optimizer.iterations))  # per update
    assert len(ours.optimizer.variables) == len(theirs.optimizer.variables)


def test_trained_float8_files_load_both_ways(trained, tmp_path):
    ours, theirs, _ = trained
    in_keras, in_jkeras = load_both_ways(ours, theirs, tmp_path)
    for loaded, reference in ((in_keras, ours), (in_jkeras, theirs)):
        expected = _by_path(reference)
        for path, value in _by_path(loaded).items():
            np.testing.assert_array_equal(value, expected[path], err_msg=path)
        optimizer = {v.path: np.asarray(v.value) for v in reference.optimizer.variables}
        for variable in loaded.optimizer.variables:
            np.testing.assert_array_equal(variable.value, optimizer[variable.path])
    # Built from the float8 policy: the scales first, then the kernel and bias (Keras's order).
    assert [v.path for v in in_jkeras.get_layer("mlp").weights] == [
        v.path for v in in_keras.get_layer("mlp").weights]
    assert_close(in_jkeras.predict(X, verbose=0), in_keras.predict(X, verbose=0), atol=1e-5)


def test_layer_built_from_float8_policy_matches_keras():
    run_layer_test(jkeras.layers.EinsumDense,
                   {"equation": "abc,cd->abd", "output_shape": (3, 5), "bias_axes": "d",
                    "dtype": "float8_from_float32"},
                   input_shape=(2, 3, 4), compare_with_keras=True, run_saving_check=True,
                   run_mixed_precision_check=False)
    policy = {"module": "keras.dtype_policies", "class_name": "QuantizedFloat8DTypePolicy",
              "config": {"mode": "float8", "source_name": "mixed_bfloat16",
                         "amax_history_length": 16}, "registered_name": None}
    layers = [module.layers.Dense(3, dtype=policy, name="scaled") for module in (jkeras, keras)]
    for layer in layers:
        layer.build((None, 4))
    ours, theirs = layers
    assert [(v.path, tuple(v.shape), v.dtype) for v in ours.weights] == [
        (v.path, tuple(v.shape), v.dtype) for v in theirs.weights]
    assert ours.inputs_amax_history.shape == (16,)
    assert ours.get_config() == theirs.get_config()
    assert jkeras.layers.Dense.from_config(ours.get_config()).dtype_policy == ours.dtype_policy


def test_float8_errors_match_keras():
    for module in (jkeras, keras):
        layer = module.layers.Dense(3)
        with pytest.raises(ValueError, match="isn't yet built"):
            layer.quantize("float8")
        layer.build((None, 2))
        layer.quantize("float8")
        with pytest.raises(ValueError, match="already quantized"):
            layer.quantize("float8")
        layer.enable_lora(1)
        with pytest.raises(NotImplementedError, match="LoRA"):
            layer(np.ones((1, 2), "float32"))

        class Subclass(module.layers.Dense):
            pass

        subclass = Subclass(3)
        subclass.build((None, 2))
        with pytest.raises(NotImplementedError):
            subclass.quantize("float8")
        subclass.quantize("float8", type_check=False)
        assert subclass.quantization_mode == "float8"


def test_float8_policy_set_on_built_layer_or_mapped_matches_keras():
    """A float8 policy set on a built layer quantizes it (scales after the kernel); a
    `DTypePolicyMap` entry builds the scales first (Keras's `build` order)."""
    described = []
    for module in (jkeras, keras):
        layer = module.layers.Dense(2, name="set")
        layer.build((None, 2))
        layer.dtype_policy = "float8_from_float32"
        policies = module.dtype_policies.DTypePolicyMap()
        policies["mapped"] = "float8_from_float32"
        mapped = module.layers.Dense(2, dtype=policies, name="mapped")
        mapped.build((None, 2))
        described.append([(v.path, v.trainable, v.overwrite_with_gradient, each.quantization_mode)
                          for each in (layer, mapped) for v in each.weights])
    assert described[0] == described[1]
