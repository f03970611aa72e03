"""Subclassed models taking dicts, lists and nested structures are built by `fit`, `evaluate`
and `predict` from the first batch, as in Keras 3."""

import keras
import numpy as np
import pytest

import jkeras
from tests.helpers import assert_close


def _ticket_model(library):
    class Tickets(library.Model):
        """Reads `inputs["title"]` and `inputs["tags"]`; returns a priority and a department."""

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.title = library.layers.Dense(3, activation="relu")
            self.tags = library.layers.Dense(2)
            self.priority = library.layers.Dense(1, activation="sigmoid")
            self.department = library.layers.Dense(3, activation="softmax")

        def call(self, inputs):
            features = library.ops.concatenate(
                [self.title(inputs["title"]), self.tags(inputs["tags"])], axis=-1)
            return [self.priority(features), self.department(features)]

    return Tickets


def _nested_model(library):
    class Nested(library.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.dense = library.layers.Dense(2)

        def call(self, inputs):
            first, (second, third) = inputs
            return self.dense(library.ops.concatenate([first, second * third], axis=-1))

    return Nested


def _ticket_data():
    rng = np.random.default_rng(0)
    x = {"title": rng.normal(size=(12, 5)).astype("float32"),
         "tags": rng.integers(0, 2, size=(12, 4)).astype("float32")}
    y = [rng.integers(0, 2, size=(12, 1)).astype("float32"), rng.integers(0, 3, size=(12,))]
    return x, y


def _fit(library, weights=None):
    model = _ticket_model(library)()
    x, y = _ticket_data()
    if weights is not None:
        model(x)
        model.set_weights(weights)
    model.compile(optimizer=library.optimizers.SGD(0.1),
                  loss=["binary_crossentropy", "sparse_categorical_crossentropy"])
    history = model.fit(x, y, batch_size=4, epochs=2, verbose=0, shuffle=False)
    return model, history.history


def test_fit_builds_a_dict_input_model_from_the_first_batch():
    keras_model, keras_history = _fit(keras)
    model, history = _fit(jkeras)
    assert model.built
    assert [w.shape for w in model.weights] == [tuple(w.shape) for w in keras_model.weights]
    assert sorted(history) == sorted(keras_history)
    weights = [np.asarray(w) for w in keras_model.get_weights()]
    _, keras_history = _fit(keras, weights)
    _, history = _fit(jkeras, weights)
    for name in keras_history:
        assert_close(history[name], keras_history[name], rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("method", ["evaluate", "predict"])
def test_evaluate_and_predict_build_a_nested_input_model(method):
    rng = np.random.default_rng(1)
    x = [rng.normal(size=(6, 2)).astype("float32"),
         [rng.normal(size=(6, 3)).astype("float32"), rng.normal(size=(6, 3)).astype("float32")]]
    y = rng.normal(size=(6, 2)).astype("float32")
    def run(model):
        return (model.evaluate(x, y, verbose=0) if method == "evaluate"
                else model.predict(x, verbose=0))

    keras_model, model = _nested_model(keras)(), _nested_model(jkeras)()
    for each in (keras_model, model):
        each.compile(optimizer="sgd", loss="mse")
    expected = run(keras_model)
    run(model)  # builds the model
    assert model.built and [w.shape for w in model.weights] == [(5, 2), (2,)]
    model.set_weights(keras_model.get_weights())
    assert_close(run(model), expected, rtol=1e-5)


def test_build_takes_a_structure_of_shapes_and_reports_it():
    shapes = {"title": (None, 5), "tags": (None, 4)}
    keras_model = _ticket_model(keras)()
    with pytest.warns(UserWarning, match="does not have a `build\\(\\)` method"):
        keras_model.build(shapes)  # Keras marks it built without creating weights
    model = _ticket_model(jkeras)()
    model.build(shapes)  # jkeras runs `call` on symbolic inputs: the weights exist
    assert model.built and [w.shape for w in model.weights][:2] == [(5, 3), (3,)]
    assert model.get_build_config() == keras_model.get_build_config() == {"input_shape": shapes}
