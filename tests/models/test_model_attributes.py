"""The attributes of `Sequential` and functional models that Keras programs read (`inputs`,
`outputs`, `input`, `output`, shapes, `layers`, `get_layer`, `input_spec`), against Keras 3."""

import keras
import numpy as np
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


def _spec(spec):
    return None if spec is None else [
        (repr(s), s.name, s.shape, s.allow_last_axis_squeeze, s.optional, s.get_config())
        for s in spec]


def _describe(model):
    def shapes(tensors):
        return [tuple(t.shape) for t in keras.tree.flatten(tensors)]

    return {
        "inputs": shapes(model.inputs), "outputs": shapes(model.outputs),
        "input_shape": model.input_shape, "output_shape": model.output_shape,
        "layers": [type(layer).__name__ for layer in model.layers],
        "input_spec": _spec(model.input_spec),
    }


@pytest.mark.parametrize("index", [0, 1, 2], ids=["sequential", "built_later", "functional"])
def test_model_attributes_match_keras(index):
    model, keras_model = _models(jkeras)[index], _models(keras)[index]
    if index == 2:
        assert sorted(model.input) == sorted(keras_model.input) == ["a", "b"]
        assert len(model.output) == len(keras_model.output) == 2
    assert _describe(model) == _describe(keras_model)


def _spec_checks(library):
    """What a functional model's input specs accept and reject, as messages."""
    model = _models(library)[2]
    outcomes = []
    for inputs in ({"a": np.ones((2, 3, 1)), "b": np.ones((2, 2))},  # last axis of 1: squeezed
                   {"a": np.ones((2, 4)), "b": np.ones((2, 2))},
                   {"a": np.ones((2, 3))},
                   [np.ones((2, 3))]):
        try:
            model(inputs)
            outcomes.append("ok")
        except ValueError as error:
            outcomes.append(str(error).replace(model.name, "<model>"))
    model.input_spec = [library.InputSpec(ndim=2, name="a"), library.InputSpec(max_ndim=2,
                                                                               name="b")]
    model({"a": np.ones((2, 3)), "b": np.ones((2, 2))})
    with pytest.raises(ValueError) as error:
        model({"a": np.ones((2, 3)), "b": np.ones((2, 2, 1))})
    outcomes.append(str(error.value).replace(model.name, "<model>"))
    outcomes.append(_spec(model.input_spec))
    return outcomes


def test_functional_input_specs_check_inputs_as_keras():
    assert _spec_checks(jkeras) == _spec_checks(keras)


def test_input_spec_arguments_as_keras():
    for kwargs in ({"shape": (None, 4), "dtype": "float16"}, {"min_ndim": 2, "axes": {-1: 3}},
                   {"max_ndim": 4, "axes": {"1": 2}, "name": "x", "optional": True}):
        ours, theirs = jkeras.InputSpec(**kwargs), keras.InputSpec(**kwargs)
        assert repr(ours) == repr(theirs)
        assert ours.get_config() == theirs.get_config()
        assert jkeras.InputSpec.from_config(ours.get_config()).get_config() == ours.get_config()
    for library in (jkeras, keras):
        with pytest.raises(TypeError, match="must be a dict with integer keys"):
            library.InputSpec(axes={"last": 2})
        with pytest.raises(ValueError, match="greater than the maximum allowed value: 1"):
            library.InputSpec(ndim=2, axes={3: 1})


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
