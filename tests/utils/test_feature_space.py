"""FeatureSpace against Keras 3: encoded values for every feature type and crosses, dict and
concat outputs, a functional model trained on it, `.keras` files both ways, tf.data."""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf

import jkeras

RNG = np.random.RandomState(0)
N = 40
DATA = {
    "f": RNG.randn(N), "s": RNG.choice(["a", "b", "c", "d"], N), "i": RNG.randint(0, 5, N),
    "d": RNG.rand(N), "r": RNG.rand(N) * 10, "h": RNG.choice(["x", "y", "z"], N),
    "ih": RNG.randint(0, 100, N), "p": RNG.rand(N),
}


def _arguments(module, output_mode="concat"):
    space = module.utils.FeatureSpace
    return {
        "features": {
            "f": "float_normalized", "s": "string_categorical", "i": "integer_categorical",
            "d": space.float_discretized(num_bins=3, name="d"),
            "r": space.float_rescaled(scale=0.1, name="r"), "h": "string_hashed",
            "ih": space.integer_hashed(num_bins=8, name="ih"), "p": "float",
        },
        "crosses": [("s", "i"), space.cross(("d", "h"), crossing_dim=16)],
        "output_mode": output_mode,
    }


@pytest.fixture(scope="module")
def spaces():
    ours = jkeras.utils.FeatureSpace(**_arguments(jkeras))
    theirs = keras.utils.FeatureSpace(**_arguments(keras))
    ours.adapt(DATA)
    theirs.adapt(DATA)
    return ours, theirs


def test_concat_outputs_and_config_match_keras(spaces):
    ours, theirs = spaces
    np.testing.assert_allclose(ours(DATA), np.asarray(theirs(DATA)), atol=1e-6)
    one = {name: values[0] for name, values in DATA.items()}
    np.testing.assert_allclose(ours(one), np.asarray(theirs(one)), atol=1e-6)
    expected = json.loads(json.dumps(keras.saving.serialize_keras_object(theirs)["config"]))
    assert json.loads(json.dumps(ours.get_config())) == expected
    assert ours.preprocessors["d"].bin_boundaries == theirs.preprocessors["d"].bin_boundaries


def test_dict_outputs_match_keras():
    arguments = {"features": {"s": "string_categorical",
                              "i": jkeras.utils.FeatureSpace.integer_categorical(
                                  output_mode="int", name="i")},
                 "crosses": [jkeras.utils.FeatureSpace.cross(("s", "i"), 8, output_mode="int")],
                 "output_mode": "dict"}
    keras_arguments = {**arguments, "features": {
        "s": "string_categorical",
        "i": keras.utils.FeatureSpace.integer_categorical(output_mode="int", name="i")},
        "crosses": [keras.utils.FeatureSpace.cross(("s", "i"), 8, output_mode="int")]}
    ours = jkeras.utils.FeatureSpace(**arguments)
    theirs = keras.utils.FeatureSpace(**keras_arguments)
    data = {"s": DATA["s"], "i": DATA["i"]}
    ours.adapt(tf.data.Dataset.from_tensor_slices(data))
    theirs.adapt(tf.data.Dataset.from_tensor_slices(data))
    got, expected = ours(data), theirs(data)
    assert sorted(got) == sorted(expected)
    for name in got:
        np.testing.assert_array_equal(np.asarray(got[name]), np.asarray(expected[name]))
    assert {n: t.shape for n, t in ours.get_encoded_features().items()} == {
        n: tuple(t.shape) for n, t in theirs.get_encoded_features().items()}


def test_a_model_on_the_encoded_features_trains_and_predicts(spaces):
    """Lookups, hashing and the crosses of discretized values run in the host stage."""
    ours, _ = spaces
    inputs = ours.get_inputs()
    outputs = jkeras.layers.Dense(1, activation="sigmoid")(ours.get_encoded_features())
    model = jkeras.Model(inputs, outputs)
    model.compile("adam", "binary_crossentropy")
    columns = {name: values[:, None] for name, values in DATA.items()}
    model.fit(columns, RNG.randint(0, 2, N).astype("float32"), epochs=1, batch_size=8,
              verbose=0)
    head = {name: values[:5] for name, values in columns.items()}
    np.testing.assert_allclose(model.predict(head, verbose=0), model(head), rtol=1e-5)


def test_keras_files_travel_both_ways(spaces, tmp_path):
    ours, theirs = spaces
    expected = np.asarray(ours(DATA))
    ours.save(str(tmp_path / "ours.keras"))
    loaded = keras.models.load_model(str(tmp_path / "ours.keras"))
    np.testing.assert_allclose(np.asarray(loaded(DATA)), expected, atol=1e-6)
    theirs.save(str(tmp_path / "theirs.keras"))
    back = jkeras.models.load_model(str(tmp_path / "theirs.keras"))
    assert isinstance(back, jkeras.utils.FeatureSpace)
    np.testing.assert_allclose(back(DATA), expected, atol=1e-6)


def test_tf_data_map(spaces):
    ours, _ = spaces
    dataset = tf.data.Dataset.from_tensor_slices(DATA).batch(16).map(ours)
    assert dataset.element_spec.shape.as_list() == [None, ours(DATA).shape[-1]]
    np.testing.assert_allclose(np.concatenate([b.numpy() for b in dataset]), ours(DATA),
                               atol=1e-6)


def test_errors():
    with pytest.raises(ValueError, match="cannot be None or empty"):
        jkeras.utils.FeatureSpace(features={})
    with pytest.raises(ValueError, match="Invalid feature type"):
        jkeras.utils.FeatureSpace(features={"a": "float_magic"})
    with pytest.raises(ValueError, match="unknown features"):
        jkeras.utils.FeatureSpace(features={"a": "float"}, crosses=[("a", "b")])
    with pytest.raises(ValueError, match="output_mode"):
        jkeras.utils.FeatureSpace(features={"a": "float"}, output_mode="list")
    space = jkeras.utils.FeatureSpace(features={"a": "string_categorical"})
    with pytest.raises(ValueError, match="call `.adapt"):
        space({"a": np.array(["x"])})
    with pytest.raises(ValueError, match="tf.data.Dataset or a dict"):
        space.adapt([1, 2])
    integer = jkeras.utils.FeatureSpace(
        features={"a": jkeras.utils.FeatureSpace.integer_categorical(output_mode="int")})
    with pytest.raises(ValueError, match="Cannot concatenate"):
        integer.adapt({"a": np.array([1, 2])})
