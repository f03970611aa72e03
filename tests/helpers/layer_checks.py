"""The checks of `run_layer_test` that run the layer: against Keras 3 with copied weights, under
a mixed-precision policy, through a `.keras` file, and in one `fit` step."""

import json
import os
import tempfile

import jax
import keras
import numpy as np

import jkeras
from tests.helpers.arrays import assert_close, leaves
from tests.helpers.layer_calls import (
    arguments,
    build,
    build_shapes,
    call,
    check_outputs,
    dtype_tree,
    standardize,
    symbolic_inputs,
)


def _relative_paths(layer):
    return [(v.path.split("/", 1)[-1], tuple(v.shape)) for v in layer.weights]


def check_against_keras(layer, keras_layer, inputs, call_kwargs, weights_from,
                        compare_gradients, eager, rtol, atol):
    """Check 5 of `run_layer_test`; returns our output (eager when `eager`) and its losses,
    Keras's output, and both new non-trainable weights, with the weights both layers were
    given."""
    assert _relative_paths(layer) == _relative_paths(keras_layer), (
        f"weights {_relative_paths(layer)}, Keras's {_relative_paths(keras_layer)}")
    source = {"jkeras": layer, "keras": keras_layer}[weights_from]
    rng = np.random.default_rng(1)
    trainable = [v.trainable for v in source.weights]  # statistics (variances) kept valid
    weights = [w + 0.25 * rng.standard_normal(w.shape).astype(w.dtype)
               if np.issubdtype(w.dtype, np.floating) and t else w
               for w, t in zip(source.get_weights(), trainable)]
    layer.set_weights(weights)
    keras_layer.set_weights(weights)
    states = [([v.value for v in lib_layer.trainable_variables],
               [v.value for v in lib_layer.non_trainable_variables])
              for lib_layer in (layer, keras_layer)]
    run = jax.jit(lambda states, inputs: [
        _differentiated_call(lib_layer, state, inputs, call_kwargs, compare_gradients)
        for lib_layer, state in zip((layer, keras_layer), states)])
    ours, theirs = run(states, inputs)
    assert all(np.all(np.isfinite(y)) for y in leaves(ours["output"])
               if jkeras.backend.is_float_dtype(standardize(y.dtype))), "non-finite output"
    check_outputs(ours["output"], None, dtype_tree(theirs["output"]), "output vs Keras's")
    assert_close(ours["output"], theirs["output"], rtol, atol, "output (jitted) vs Keras's")
    new_state = (_weights_of(layer, ours["state"]), _weights_of(keras_layer, theirs["state"]))
    assert_close(*new_state, rtol, atol, "new non-trainable weights")
    if compare_gradients:
        assert_close(ours["gradients"], theirs["gradients"], rtol, atol, "gradients")
    if not eager:
        return ours["output"], ours["losses"], theirs["output"], new_state
    output = call(layer, inputs, call_kwargs)  # after the jitted call: it may update state
    assert_close(output, theirs["output"], rtol, atol, "eager output vs Keras's")
    losses = layer.losses
    layer.set_weights(weights)  # both layers hold the same weights again
    return output, losses, theirs["output"], new_state


def _weights_of(layer, non_trainable_values):
    """The values of the non-trainable weights among those of `non_trainable_variables` (seed
    generators' states left out)."""
    weights = {id(w) for w in layer.non_trainable_weights}
    return [value for variable, value in zip(layer.non_trainable_variables, non_trainable_values)
            if id(variable) in weights]


def _differentiated_call(layer, state, inputs, call_kwargs, with_gradients):
    """The outputs, new non-trainable state and (`with_gradients`) the gradients of a fixed
    projection of the floating outputs with respect to the trainable weights and the
    floating inputs, from `layer.stateless_call`."""
    trainable, non_trainable = state
    is_float = [jkeras.backend.is_float_dtype(standardize(x.dtype))
                for x in jax.tree_util.tree_leaves(inputs)]
    treedef = jax.tree_util.tree_structure(inputs)
    leaves = jax.tree_util.tree_leaves(inputs)

    def loss(trainable, float_leaves):
        floats = iter(float_leaves)
        rebuilt = treedef.unflatten([next(floats) if f else x for x, f in zip(leaves, is_float)])
        args, kwargs = arguments(rebuilt, call_kwargs)
        output, new_state, losses = layer.stateless_call(trainable, non_trainable, *args,
                                                         return_losses=True, **kwargs)
        return _projection(output), {"output": output, "state": new_state, "losses": losses}

    float_leaves = [x for x, f in zip(leaves, is_float) if f]
    if not with_gradients:
        return loss(trainable, float_leaves)[1]
    gradients, results = jax.grad(loss, argnums=(0, 1), has_aux=True)(trainable, float_leaves)
    return {**results, "gradients": gradients}


def _projection(outputs):
    """A scalar that depends on every element of every floating output, differently."""
    total = 0.0
    for y in jax.tree_util.tree_leaves(outputs):
        if jkeras.backend.is_float_dtype(standardize(y.dtype)):
            weights = jax.numpy.cos(jax.numpy.arange(y.size, dtype="float32")).reshape(y.shape)
            total = total + jax.numpy.sum(y.astype("float32") * weights)
    return total


class _LayerModel(jkeras.Model):
    """A model around one layer whose loss is the mean square of the layer's floating outputs
    (plus the layer's own losses), so `fit` needs no targets."""

    def __init__(self, layer, call_kwargs):
        super().__init__()
        self.layer = layer
        self.call_kwargs = {k: v for k, v in call_kwargs.items() if k != "training"}

    def call(self, inputs):
        return call(self.layer, inputs, self.call_kwargs)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        loss = super().compute_loss(x, y, y_pred, sample_weight, training)
        for output in jax.tree_util.tree_leaves(y_pred):
            if jkeras.backend.is_float_dtype(standardize(output.dtype)):
                loss = loss + jkeras.ops.mean(jkeras.ops.square(output))
        return loss


def check_fit(layer, inputs, call_kwargs):
    model = _LayerModel(layer, call_kwargs)
    model(symbolic_inputs(jkeras, inputs))  # builds it, whatever the inputs' structure
    model.compile(optimizer="sgd")
    before = layer.get_weights()
    batch = len(jax.tree_util.tree_leaves(inputs)[0])
    history = model.fit(inputs, batch_size=batch, epochs=1, shuffle=False, verbose=0)
    loss = history.history["loss"][0]
    assert np.isfinite(loss), f"fit's loss is {loss}"
    after = layer.get_weights()
    assert all(np.all(np.isfinite(w)) for w in after if np.issubdtype(w.dtype, np.floating))
    assert any(not np.array_equal(a, b) for a, b in zip(before, after)), (
        "one fit step changed no weight")
    layer.set_weights(before)  # what the test checks beside the helper sees the same weights


def check_mixed_precision(layer_cls, init_kwargs, inputs, call_kwargs, policy, keras_cls):
    """Check 6 of `run_layer_test`: nothing compiles (the call is only traced)."""
    layer = layer_cls(**{**init_kwargs, "dtype": policy})
    build(layer, build_shapes(inputs))
    state = ([v.value for v in layer.trainable_variables],
             [v.value for v in layer.non_trainable_variables])

    def stateless(state, inputs):
        args, kwargs = arguments(inputs, call_kwargs)
        return layer.stateless_call(*state, *args, **kwargs)[0]

    output = jax.eval_shape(stateless, state, inputs)

    def spec(x):
        dtype = standardize(x.dtype)
        if layer.autocast and jkeras.backend.is_float_dtype(dtype):
            dtype = layer.compute_dtype
        return jkeras.Input(batch_shape=tuple(np.shape(x)), dtype=dtype)

    specs = jax.tree_util.tree_map(spec, inputs)
    if isinstance(specs, dict):
        output_spec = layer.compute_output_spec(**specs, **call_kwargs)
    else:
        output_spec = layer.compute_output_spec(specs, **call_kwargs)
    check_outputs(output, None, dtype_tree(output_spec), f"{policy} output")
    if keras_cls is not None:
        keras_layer = keras_cls(**{**init_kwargs, "dtype": policy})
        with keras.StatelessScope():  # no initial values needed
            expected = call(keras_layer, symbolic_inputs(keras, inputs), call_kwargs)
        check_outputs(output, None, dtype_tree(expected), f"{policy} output (Keras's)")
    for weight in layer.weights:
        dtype = standardize(weight.dtype)
        assert not jkeras.backend.is_float_dtype(dtype) or dtype == "float32", (
            f"{policy}: weight {weight.path} is {dtype}")


def check_saving(layer, inputs, call_kwargs, custom_objects, rtol, atol):
    symbolic = symbolic_inputs(jkeras, inputs, batch_size=None)
    model = jkeras.Model(symbolic, call(layer, symbolic, call_kwargs))
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "layer.keras")
        model.save(path)
        loaded = jkeras.saving.load_model(path, custom_objects=custom_objects)
    # compared as JSON holds them: a loaded layer's `build_config` shapes are lists (as in
    # Keras 3), the saved model's tuples
    assert json.loads(json.dumps(loaded.get_config())) == json.loads(
        json.dumps(model.get_config()))
    assert_close(loaded(inputs), model(inputs), rtol, atol, "output after .keras save/load")
