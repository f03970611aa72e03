"""The rest of Keras 3's public `Model`/`Layer` API on jkeras models: every public attribute of
Keras's models exists, and the state tree, `stateless_compute_loss`, the step functions,
`jax_state_sync`, the metrics layers hold and the saving hooks behave as Keras 3's."""

import keras
import numpy as np
import pytest

import jkeras
from tests.helpers import assert_close

X = np.linspace(-1, 1, 24, dtype="float32").reshape(8, 3)
Y = (X.sum(axis=1, keepdims=True) > 0).astype("float32")


def _public(obj):
    return {name for name in dir(obj) if not name.startswith("_")}


def _models(library):
    inputs = library.Input((3,), name="features")
    functional = library.Model(inputs, library.layers.Dense(1, name="out")(inputs))
    sequential = library.Sequential([library.layers.Dense(1)])

    class Subclassed(library.Model):
        def __init__(self):
            super().__init__()
            self.dense = library.layers.Dense(1)

        def call(self, x):
            return self.dense(x)

    return [functional, sequential, Subclassed()]


@pytest.mark.parametrize("index", [0, 1, 2], ids=["functional", "sequential", "subclassed"])
def test_every_public_keras_model_attribute_exists(index):
    model, keras_model = _models(jkeras)[index], _models(keras)[index]
    for m in (model, keras_model):
        m.compile(optimizer="adam", loss="mse", metrics=["mae"])
    missing = _public(keras_model) - _public(model)
    assert missing == set()
    assert _public(keras.layers.Dense(1)) - _public(jkeras.layers.Dense(1)) == set()


def _trained(library, regularized=False):
    library.utils.set_random_seed(0)
    regularizer = library.regularizers.L2(0.1) if regularized else None
    model = library.Sequential([library.Input((3,), name="x"),
                                library.layers.Dense(1, kernel_regularizer=regularizer,
                                                     name="dense")], name="net")
    model.set_weights([np.full((3, 1), 0.2, "float32"), np.zeros(1, "float32")])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    model.fit(X, Y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    return model


def test_state_tree_as_keras_and_back():
    ours, theirs = _trained(jkeras), _trained(keras)
    tree = ours.get_state_tree("numpy_array")
    assert_close(tree, theirs.get_state_tree("numpy_array"), rtol=1e-5, atol=1e-6)
    assert isinstance(tree["trainable_variables"]["net"]["dense"]["kernel"], np.ndarray)
    changed = {"trainable_variables": {"net": {"dense": {"kernel": np.ones((3, 1), "float32")}}}}
    ours.set_state_tree(changed)
    theirs.set_state_tree(changed)
    assert_close(ours.get_state_tree(), theirs.get_state_tree(), rtol=1e-5, atol=1e-6)
    for library_model in (ours, theirs):
        with pytest.raises(ValueError, match="Invalid `value_format`"):
            library_model.get_state_tree("list")
        with pytest.raises(ValueError, match="Unknown variable name: weights"):
            library_model.set_state_tree({"weights": {}})


def test_stateless_compute_loss_as_keras():
    results = []
    for library in (jkeras, keras):
        model = _trained(library, regularized=True)
        trainable = [v.value * 2 for v in model.trainable_variables]
        loss, (_, _, metrics) = model.stateless_compute_loss(
            trainable, [v.value for v in model.non_trainable_variables],
            [v.value for v in model.metrics_variables], x=X, y=Y, y_pred=model.predict(X, verbose=0))
        results.append((loss, metrics))
    assert_close(results[0], results[1], rtol=1e-5, atol=1e-6)


def _driven_steps(library):
    """Keras 3's JAX step functions driven by hand over an iterator of two batches."""
    model = _trained(library)
    model.compile(optimizer=library.optimizers.SGD(0.1), loss="mse", metrics=["mae"],
                  steps_per_execution=2)
    model.evaluate(X, Y, verbose=0)  # builds the compiled metrics
    model.optimizer.build(model.trainable_variables)

    def values(variables):
        return [v.value for v in variables]

    model.make_train_function()
    train = model.train_function
    state = (values(model.trainable_variables), values(model.non_trainable_variables),
             values(model.optimizer.variables), values(model.metrics_variables))
    logs, state = train(state, iter([(X[:4], Y[:4]), (X[4:], Y[4:])]))
    trained = [np.array(value) for value in state[0]]
    model.make_test_function()
    test = model.test_function
    # The steps donate their state: each takes the state the previous one returned.
    test_logs, state = test((state[0], state[1], state[3]), iter([(X, Y)]))
    model.make_predict_function()
    predict = model.predict_function
    outputs, _ = predict((state[0], state[1]), iter([X[:4], X[4:]]))
    return {"logs": logs, "trained": trained, "test_logs": test_logs, "outputs": outputs,
            "kept": (model.make_train_function(), model.train_function is train)}


def test_step_functions_as_keras():
    ours, theirs = _driven_steps(jkeras), _driven_steps(keras)
    assert ours.pop("kept")[1] and theirs.pop("kept")[1]  # made once, unless forced
    assert_close(ours, theirs, rtol=1e-5, atol=1e-6)


def _weights_seen_mid_epoch(library):
    seen = []

    class Reader(library.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            self.model.jax_state_sync()
            seen.append(self.model.get_weights()[0].copy())

    model = _trained(library)
    model.fit(X, Y, batch_size=4, epochs=1, shuffle=False, verbose=0, callbacks=[Reader()])
    model.jax_state_sync()  # after fit: nothing pending
    return seen


def test_jax_state_sync_gives_the_weights_of_the_running_step():
    assert_close(_weights_seen_mid_epoch(jkeras), _weights_seen_mid_epoch(keras),
                 rtol=1e-5, atol=1e-6)


def _layer_api(library):
    class Counter(library.layers.Layer):
        def __init__(self):
            super().__init__()
            self.calls = library.metrics.Sum(name="calls")
            self.dense = library.layers.Dense(2)

        def call(self, inputs, training=None):
            return self.dense(inputs)

    layer = Counter()
    output = layer.symbolic_call(library.Input((3,)))
    layer.dense.set_weights([np.full((3, 2), 0.5, "float32"), np.ones(2, "float32")])
    store = {}
    layer.dense.save_own_variables(store)
    fresh = library.layers.Dense(2)
    fresh.build((None, 3))
    fresh.load_own_variables(store)
    with pytest.raises(ValueError, match="expected 2 variables, but received 1 variables"):
        fresh.load_own_variables({"0": store["0"]})
    with pytest.raises(NotImplementedError, match="add_metric"):
        layer.add_metric(1.0)
    return {"metrics": [m.name for m in layer.metrics], "metric_variables":
            len(layer.metrics_variables), "parameters": layer.call_signature_parameters,
            "jit": layer.supports_jit, "output": tuple(output.shape), "store": sorted(store),
            "loaded": fresh.get_weights(),
            "spec": library.layers.Dense(1).variable_serialization_spec}


def test_layer_metrics_saving_hooks_and_keras_attributes():
    ours, theirs = _layer_api(jkeras), _layer_api(keras)
    assert_close(ours.pop("loaded"), theirs.pop("loaded"))
    assert ours == theirs
    assert ours["metrics"] == ["calls"] and ours["store"] == ["0", "1"]
