"""Functional and sequential models adjust an input's rank to their `Input` as Keras 3's
`_standardize_inputs` does (a trailing axis of 1 added or squeezed), compared with Keras 3."""

import keras
import numpy as np
import pytest

import jkeras
from tests.helpers import assert_close


def _image_models(library):
    inputs = library.Input((4, 4, 1))
    outputs = library.layers.Dense(2)(library.layers.Flatten()(inputs))
    functional = library.Model(inputs, outputs)
    sequential = library.Sequential([library.Input((4, 4, 1)), library.layers.Flatten(),
                                     library.layers.Dense(2)])
    return functional, sequential


@pytest.mark.parametrize("kind", [0, 1], ids=["functional", "sequential"])
def test_fit_and_predict_add_the_trailing_axis_of_one(kind):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, 4, 4)).astype("float32")  # one axis less than Input((4, 4, 1))
    y = rng.normal(size=(8, 2)).astype("float32")
    keras_model, model = _image_models(keras)[kind], _image_models(jkeras)[kind]
    model.set_weights(keras_model.get_weights())
    results = []
    for each in (keras_model, model):
        each.compile(optimizer="sgd", loss="mse")
        history = each.fit(x, y, batch_size=4, epochs=1, verbose=0, shuffle=False).history
        results.append((history["loss"], each.predict(x, verbose=0), each(x)))
    assert_close(results[1], results[0], rtol=1e-5, atol=1e-6)


def test_trailing_axis_of_one_is_squeezed_and_a_vector_expanded():
    outputs = []
    for library in (keras, jkeras):
        inputs = library.Input((3,))
        model = library.Model(inputs, library.layers.Dense(1, kernel_initializer="ones")(inputs))
        scalar_inputs = library.Input((1,))
        scalar = library.Model(scalar_inputs, 2 * scalar_inputs)
        outputs.append((model(np.ones((2, 3, 1), "float32")),
                        scalar.predict(np.arange(3.0, dtype="float32"), verbose=0)))
    assert_close(outputs[1], outputs[0])
    assert outputs[1][1].shape == (3, 1)


def test_dict_inputs_are_standardized_by_name():
    outputs = []
    for library in (keras, jkeras):
        a, b = library.Input((2, 1), name="a"), library.Input((2,), name="b")
        flat = library.layers.Flatten()(a)
        model = library.Model({"a": a, "b": b}, library.layers.Concatenate()([flat, b]))
        outputs.append(model({"a": np.ones((3, 2), "float32"),
                              "b": np.zeros((3, 2, 1), "float32")}))
    assert_close(outputs[1], outputs[0])


def test_other_rank_mismatches_raise_value_error():
    inputs = jkeras.Input((4, 4, 1), name="pixels")
    model = jkeras.Model(inputs, jkeras.layers.Flatten()(inputs))
    with pytest.raises(ValueError, match=r"Input 0 with name 'pixels' of layer '.*' is "
                                         r"incompatible with the layer: expected shape=\(None, "
                                         r"4, 4, 1\), found shape=\(2, 16\)"):
        model(np.zeros((2, 16), "float32"))  # the Input's spec, as Keras 3
    with pytest.raises(ValueError, match="is incompatible with the model"):
        model.predict(np.zeros((2, 4, 5), "float32"), verbose=0)
    keras_inputs = keras.Input((4, 4, 1), name="pixels")
    keras_model = keras.Model(keras_inputs, keras.layers.Flatten()(keras_inputs))
    with pytest.raises(ValueError, match="pixels"):
        keras_model(np.zeros((2, 16), "float32"))
