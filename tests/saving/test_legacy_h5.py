"""Legacy (Keras 2 layout) `.h5` files: whole models and topological weights, moved between
jkeras and Keras 3 (JAX backend; its `legacy_h5_format` is the reference), plus files in
Keras 2's own config format and the error cases."""

import json
import shutil

import h5py
import keras  # the reference (JAX backend, set in conftest.py); installed by the test extra
import numpy as np
import pytest
from keras.src.legacy.saving import legacy_h5_format as keras_legacy

import jkeras
from jkeras.saving import CorruptFileError, weights_io
from tests.helpers import mlp


def _mlp(mod):
    return mlp(mod, batch_norm=True)


def _convnet(mod):
    image = mod.Input((8, 8, 3))
    h = mod.layers.Conv2D(4, 3, padding="same", activation="relu")(image)
    h = mod.layers.BatchNormalization()(h)
    h = mod.layers.MaxPooling2D(2)(h)
    h = mod.layers.Conv2D(5, 3)(h)
    h = mod.layers.Flatten()(h)
    h = mod.layers.Dropout(0.3)(h)
    return mod.Model(image, mod.layers.Dense(3)(h))


def _lstm(mod):
    return mod.Sequential([
        mod.Input((5,), dtype="int32"),
        mod.layers.Embedding(10, 4, mask_zero=True),
        mod.layers.LSTM(3),
        mod.layers.Dense(2),
    ])


FACTORIES = {"mlp": _mlp, "convnet": _convnet, "lstm": _lstm}


def _data(kind):
    rng = np.random.default_rng(0)
    if kind == "lstm":
        x = rng.integers(1, 10, size=(6, 5)).astype("int32")
        x[:, 3:] = 0
        return x, rng.normal(size=(6, 2)).astype("float32")
    if kind == "convnet":
        return (rng.normal(size=(6, 8, 8, 3)).astype("float32"),
                rng.normal(size=(6, 3)).astype("float32"))
    return rng.normal(size=(6, 4)).astype("float32"), rng.normal(size=(6, 2)).astype("float32")


def _randomize(model):
    rng = np.random.default_rng(1)
    model.set_weights([rng.uniform(0.1, 1.0, size=w.shape).astype(w.dtype)
                       for w in model.get_weights()])


def _predict(model, x):
    return np.asarray(model(x))


def _fill_optimizer(model):
    """Build the optimizer and give its slots values (stands in for a `fit`, without
    compiling a train step)."""
    model.optimizer.build(model.trainable_variables)
    rng = np.random.default_rng(2)
    model.optimizer.iterations.assign(5)
    for variable in model.optimizer.variables[2:]:
        variable.assign(rng.uniform(0.0, 1.0, size=variable.shape).astype("float32"))


def _keras_model(kind, trained=True):
    model = FACTORIES[kind](keras)
    _randomize(model)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss=keras.losses.MeanSquaredError())
    if trained:
        _fill_optimizer(model)
    return model


@pytest.mark.parametrize("kind", sorted(FACTORIES))
def test_keras_h5_to_jkeras(tmp_path, kind):
    x, _ = _data(kind)
    source = _keras_model(kind)
    source.save(tmp_path / "model.h5")
    with h5py.File(tmp_path / "weights.h5", "w") as h5file:  # Keras 3 writes no legacy
        keras_legacy.save_weights_to_hdf5_group(h5file, source)  # weights-only file itself

    loaded = jkeras.models.load_model(tmp_path / "model.h5")
    np.testing.assert_allclose(_predict(loaded, x), _predict(source, x), atol=1e-5)
    assert isinstance(loaded.optimizer, jkeras.optimizers.Adam)
    assert loaded.optimizer.learning_rate == pytest.approx(0.01)
    ours = [np.asarray(v.value) for v in weights_io.own_variables(loaded.optimizer, loaded)]
    theirs = [np.asarray(v) for v in source.optimizer.variables]
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, atol=1e-6)

    for path in ("weights.h5", "model.h5"):
        target = FACTORIES[kind](jkeras)
        target.load_weights(tmp_path / path)
        np.testing.assert_allclose(_predict(target, x), _predict(source, x), atol=1e-5)


@pytest.mark.parametrize("kind", ["mlp", "convnet"])
def test_jkeras_h5_to_keras(tmp_path, kind):
    x, _ = _data(kind)
    source = FACTORIES[kind](jkeras)
    _randomize(source)
    source.compile(optimizer=jkeras.optimizers.Adam(0.01),
                   loss=jkeras.losses.MeanSquaredError())
    _fill_optimizer(source)
    with pytest.warns(UserWarning, match="HDF5 file.*legacy"):
        source.save(tmp_path / "model.h5")

    loaded = keras.saving.load_model(tmp_path / "model.h5")
    np.testing.assert_allclose(_predict(loaded, x), _predict(source, x), atol=1e-5)
    assert isinstance(loaded.optimizer, keras.optimizers.Adam)
    ours = [np.asarray(v.value) for v in weights_io.own_variables(source.optimizer, source)]
    theirs = [np.asarray(v) for v in loaded.optimizer.variables]
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, atol=1e-6)

    target = FACTORIES[kind](keras)
    target.load_weights(tmp_path / "model.h5")
    np.testing.assert_allclose(_predict(target, x), _predict(source, x), atol=1e-5)

    again = jkeras.models.load_model(tmp_path / "model.h5")
    np.testing.assert_allclose(_predict(again, x), _predict(source, x), atol=1e-5)


# ------------------------------------------------------------------ Keras 2's own format


def _keras2_sequential_config():
    init = {"class_name": "GlorotUniform", "config": {"seed": None}}
    zeros = {"class_name": "Zeros", "config": {}}
    ones = {"class_name": "Ones", "config": {}}
    dense = {"trainable": True, "dtype": "float32", "use_bias": True,
             "kernel_initializer": init, "bias_initializer": zeros, "kernel_regularizer": None,
             "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None,
             "bias_constraint": None}
    return {"class_name": "Sequential", "config": {"name": "sequential", "layers": [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 4],
                                                "dtype": "float32", "sparse": False,
                                                "ragged": False, "name": "dense_input"}},
        {"class_name": "Dense", "config": {"name": "dense", "batch_input_shape": [None, 4],
                                           "units": 8, "activation": "relu", **dense}},
        {"class_name": "BatchNormalization", "config": {
            "name": "batch_normalization", "trainable": True, "dtype": "float32", "axis": [1],
            "momentum": 0.99, "epsilon": 0.001, "center": True, "scale": True,
            "beta_initializer": zeros, "gamma_initializer": ones,
            "moving_mean_initializer": zeros, "moving_variance_initializer": ones,
            "beta_regularizer": None, "gamma_regularizer": None, "beta_constraint": None,
            "gamma_constraint": None}},
        {"class_name": "Dense", "config": {"name": "dense_1", "units": 2,
                                           "activation": "linear", **dense}},
    ]}}, {"dense": (4, 8), "batch_normalization": 8, "dense_1": (8, 2)}


def _keras2_functional_config():
    init = {"class_name": "GlorotUniform", "config": {"seed": None}}
    zeros = {"class_name": "Zeros", "config": {}}
    conv = {"trainable": True, "dtype": "float32", "kernel_size": [3, 3], "strides": [1, 1],
            "padding": "valid", "data_format": "channels_last", "dilation_rate": [1, 1],
            "groups": 1, "activation": "relu", "use_bias": True, "kernel_initializer": init,
            "bias_initializer": zeros, "kernel_regularizer": None, "bias_regularizer": None,
            "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None}
    layers = [
        {"class_name": "InputLayer", "name": "input_1", "inbound_nodes": [],
         "config": {"batch_input_shape": [None, 6, 6, 2], "dtype": "float32", "sparse": False,
                    "ragged": False, "name": "input_1"}},
        {"class_name": "Conv2D", "name": "conv2d", "inbound_nodes": [[["input_1", 0, 0, {}]]],
         "config": {"name": "conv2d", "filters": 3, **conv}},
        {"class_name": "GlobalAveragePooling2D", "name": "gap",
         "inbound_nodes": [[["conv2d", 0, 0, {}]]],
         "config": {"name": "gap", "trainable": True, "dtype": "float32",
                    "data_format": "channels_last", "keepdims": False}},
        {"class_name": "Dense", "name": "dense", "inbound_nodes": [[["gap", 0, 0, {}]]],
         "config": {"name": "dense", "trainable": True, "dtype": "float32", "units": 2,
                    "activation": "linear", "use_bias": True, "kernel_initializer": init,
                    "bias_initializer": zeros, "kernel_regularizer": None,
                    "bias_regularizer": None, "activity_regularizer": None,
                    "kernel_constraint": None, "bias_constraint": None}},
    ]
    return {"class_name": "Functional", "config": {
        "name": "model", "layers": layers, "input_layers": [["input_1", 0, 0]],
        "output_layers": [["dense", 0, 0]]}}, {"conv2d": (3, 3, 2, 3), "dense": (3, 2)}


def _write_keras2_file(path, config, shapes):
    """A whole-model file as Keras 2 (tf.keras) wrote it: names with `:0`, no optimizer."""
    rng = np.random.default_rng(4)
    with h5py.File(path, "w") as h5file:
        h5file.attrs["keras_version"] = "2.12.0"
        h5file.attrs["backend"] = "tensorflow"
        h5file.attrs["model_config"] = json.dumps(config).encode("utf-8")
        group = h5file.create_group("model_weights")
        names = [layer["config"]["name"] for layer in config["config"]["layers"]
                 if layer["class_name"] != "InputLayer" or "inbound_nodes" in layer]
        group.attrs["layer_names"] = np.array([n.encode() for n in names])
        for name in names:
            layer_group = group.create_group(name)
            shape = shapes.get(name)
            if shape is None:
                weights = {}
            elif isinstance(shape, int):  # BatchNormalization
                weights = {"gamma": rng.uniform(0.5, 1.5, shape), "beta": rng.normal(size=shape),
                           "moving_mean": rng.normal(size=shape),
                           "moving_variance": rng.uniform(0.5, 1.5, shape)}
            else:
                weights = {"kernel": rng.normal(size=shape), "bias": rng.normal(size=shape[-1])}
            weight_names = [f"{name}/{w}:0" for w in weights]
            layer_group.attrs["weight_names"] = np.array([n.encode() for n in weight_names])
            for weight_name, value in zip(weight_names, weights.values()):
                layer_group[weight_name] = value.astype("float32")


@pytest.mark.parametrize("which", ["sequential", "functional"])
def test_keras2_format_file(tmp_path, which):
    if which == "sequential":
        config, shapes = _keras2_sequential_config()
        x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    else:
        config, shapes = _keras2_functional_config()
        x = np.random.default_rng(0).normal(size=(5, 6, 6, 2)).astype("float32")
    _write_keras2_file(tmp_path / "keras2.h5", config, shapes)
    reference = keras.saving.load_model(tmp_path / "keras2.h5")
    loaded = jkeras.models.load_model(tmp_path / "keras2.h5")
    assert [layer.name for layer in loaded.layers if layer.weights] == [
        layer.name for layer in reference.layers if layer.weights]
    np.testing.assert_allclose(_predict(loaded, x), _predict(reference, x), atol=1e-5)


# ------------------------------------------------------------------ errors and by_name


def _weights(model):
    return [np.asarray(w).copy() for w in model.get_weights()]


def _legacy_mlp_file(tmp_path):
    source = _keras_model("mlp", trained=False)
    with h5py.File(tmp_path / "weights.h5", "w") as h5file:
        keras_legacy.save_weights_to_hdf5_group(h5file, source)
    return tmp_path / "weights.h5", source


def test_layer_count_mismatch_names_layers(tmp_path):
    path, _ = _legacy_mlp_file(tmp_path)
    model = jkeras.Sequential([jkeras.Input((4,)), jkeras.layers.Dense(8),
                               jkeras.layers.Dense(2)])
    before = _weights(model)
    with pytest.raises(ValueError, match=r"Layer count mismatch.*expected 2 layers.*found 3"):
        model.load_weights(path)
    for a, b in zip(_weights(model), before):
        np.testing.assert_array_equal(a, b)


def test_shape_mismatch_names_layer_and_shapes(tmp_path):
    path, _ = _legacy_mlp_file(tmp_path)
    model = jkeras.Sequential([jkeras.Input((4,)), jkeras.layers.Dense(8, name="first"),
                               jkeras.layers.BatchNormalization(),
                               jkeras.layers.Dense(3, name="last")])
    before = _weights(model)
    with pytest.raises(ValueError, match=r"named last.*expects shape \(8, 3\).*shape \(8, 2\)"):
        model.load_weights(path)
    for a, b in zip(_weights(model), before):  # the earlier layers were not assigned either
        np.testing.assert_array_equal(a, b)
    with pytest.warns(UserWarning, match="Skipping loading weights"):
        model.load_weights(path, skip_mismatch=True)
    assert not np.array_equal(_weights(model)[0], before[0])


def test_corrupted_file_leaves_model_intact(tmp_path):
    path, source = _legacy_mlp_file(tmp_path)
    data = path.read_bytes()
    truncated = tmp_path / "truncated.h5"
    truncated.write_bytes(data[: len(data) // 2])
    garbage = tmp_path / "garbage.h5"
    garbage.write_bytes(b"not an hdf5 file" * 100)
    model = _mlp(jkeras)
    before = _weights(model)
    for bad in (truncated, garbage):
        with pytest.raises(CorruptFileError, match="truncated, corrupted"):
            model.load_weights(bad)
        with pytest.raises(CorruptFileError):
            jkeras.models.load_model(bad)
    # A dataset listed in `weight_names` but missing from the file.
    damaged = tmp_path / "damaged.h5"
    shutil.copy(path, damaged)
    with h5py.File(damaged, "a") as h5file:
        group = h5file[source.layers[-1].name]
        del group[group.attrs["weight_names"][0]]
    with pytest.raises(CorruptFileError, match=source.layers[-1].name):
        model.load_weights(damaged)
    for a, b in zip(_weights(model), before):
        np.testing.assert_array_equal(a, b)


def test_weights_only_file_is_not_a_model(tmp_path):
    path, _ = _legacy_mlp_file(tmp_path)
    with pytest.raises(CorruptFileError, match="No model config"):
        jkeras.models.load_model(path)


def test_by_name(tmp_path):
    path, source = _legacy_mlp_file(tmp_path)
    x, _ = _data("mlp")
    renamed = jkeras.Sequential([
        jkeras.Input((4,)),
        jkeras.layers.Dense(8, activation="relu", name=source.layers[0].name),
        jkeras.layers.BatchNormalization(name=source.layers[1].name),
        jkeras.layers.Dense(2, name=source.layers[2].name),
        jkeras.layers.Dense(2, name="unmatched"),  # not in the file: left as it is
    ])
    renamed.load_weights(path, by_name=True)
    head = jkeras.Sequential(renamed.layers[:3])
    np.testing.assert_allclose(_predict(head, x), _predict(source, x), atol=1e-5)
    with pytest.raises(ValueError, match="`by_name` only supports loading legacy"):
        renamed.load_weights(tmp_path / "x.weights.h5", by_name=True)


def _nested(mod):
    inner = mod.Sequential([mod.Input((4,)), mod.layers.Dense(5, activation="relu"),
                            mod.layers.BatchNormalization()], name="inner")
    x = mod.Input((4,), name="x")
    h = mod.layers.Concatenate(name="concat")([inner(x), mod.layers.Dense(3, name="side")(x)])
    return mod.Model(x, mod.layers.Dense(2, name="out")(h))


def test_nested_model_both_directions(tmp_path):
    """A Sequential inside a functional model is one layer whose weights are its sublayers'
    (trainable first); functional layers follow Keras's order, not the construction order."""
    x, _ = _data("mlp")
    source = _nested(keras)
    _randomize(source)
    source.save(tmp_path / "keras.h5")
    loaded = jkeras.models.load_model(tmp_path / "keras.h5")
    np.testing.assert_allclose(_predict(loaded, x), _predict(source, x), atol=1e-5)
    target = _nested(jkeras)
    target.load_weights(tmp_path / "keras.h5")
    np.testing.assert_allclose(_predict(target, x), _predict(source, x), atol=1e-5)
    with pytest.warns(UserWarning, match="legacy"):
        target.save(tmp_path / "jkeras.h5", include_optimizer=False)
    back = _nested(keras)
    back.load_weights(tmp_path / "jkeras.h5")
    np.testing.assert_allclose(_predict(back, x), _predict(source, x), atol=1e-5)
