"""Files move between jkeras and Keras 3 (JAX backend) in both directions: `.weights.h5` and
`.keras`, for an MLP, a functional multi-output model, an Embedding+LSTM model and a convnet with
BatchNormalization, predictions equal to 1e-6."""

import keras  # the reference; installed by the test extra
import numpy as np
import pytest

import jkeras
from tests.helpers import assert_close, mlp


def _mlp(mod):
    return mlp(mod, batch_norm=True)


def _functional(mod):
    a = mod.Input((4,), name="a")
    b = mod.Input((3,), name="b")
    shared = mod.layers.Dense(5, activation="tanh", name="shared")
    h = mod.layers.Concatenate(name="concat")([shared(mod.layers.Dense(5, name="pre_a")(a)),
                                               shared(mod.layers.Dense(5, name="pre_b")(b))])
    return mod.Model([a, b], [mod.layers.Dense(2, name="out1")(h),
                              mod.layers.Dense(1, name="out2")(h)])


def _lstm(mod):
    return mod.Sequential([
        mod.Input((5,), dtype="int32"),
        mod.layers.Embedding(10, 4, mask_zero=True),
        mod.layers.LSTM(3),
        mod.layers.Dense(2),
    ])


def _convnet(mod):
    return mod.Sequential([
        mod.Input((8, 8, 3)),
        mod.layers.Conv2D(4, 3, padding="same", activation="relu"),
        mod.layers.BatchNormalization(),
        mod.layers.MaxPooling2D(2),
        mod.layers.Conv2D(5, 3),
        mod.layers.GlobalAveragePooling2D(),
        mod.layers.Dropout(0.3),
        mod.layers.Dense(3),
    ])


def _functional_convnet(mod):
    image = mod.Input((8, 8, 3), name="image")
    h = mod.layers.Conv2D(4, 3, padding="same", activation="relu", name="conv_a")(image)
    h = mod.layers.BatchNormalization(name="bn")(h)
    h = mod.layers.MaxPooling2D(2, name="pool")(h)
    h = mod.layers.Conv2D(5, 3, name="conv_b")(h)
    h = mod.layers.Flatten(name="flatten")(h)
    h = mod.layers.Dropout(0.3, name="dropout")(h)
    return mod.Model(image, mod.layers.Dense(3, name="logits")(h))


def _inputs(kind):
    rng = np.random.default_rng(0)
    if kind == "convnet":
        return rng.normal(size=(6, 8, 8, 3)).astype("float32")
    if kind == "lstm":
        ids = rng.integers(1, 10, size=(6, 5)).astype("int32")
        ids[:, 3:] = 0  # padding, masked
        return ids
    if kind == "mlp":
        return rng.normal(size=(6, 4)).astype("float32")
    return [rng.normal(size=(6, 4)).astype("float32"), rng.normal(size=(6, 3)).astype("float32")]


def _randomize(model):
    rng = np.random.default_rng(1)
    # Positive values keep BatchNormalization's moving variance valid.
    model.set_weights([rng.uniform(0.1, 1.0, size=w.shape).astype(w.dtype)
                       for w in model.get_weights()])


def _outputs(model, x):
    out = model(x)
    return [np.asarray(o) for o in out] if isinstance(out, (list, tuple)) else [np.asarray(out)]


FACTORIES = {"mlp": _mlp, "functional": _functional, "lstm": _lstm, "convnet": _convnet}


@pytest.mark.parametrize("kind", sorted(FACTORIES))
def test_weights_h5_jkeras_to_keras(tmp_path, kind):
    source = FACTORIES[kind](jkeras)
    _randomize(source)
    source.save_weights(tmp_path / "w.weights.h5")
    target = FACTORIES[kind](keras)
    target.load_weights(tmp_path / "w.weights.h5")
    x = _inputs(kind)
    assert_close(_outputs(target, x), _outputs(source, x))


@pytest.mark.parametrize("kind", sorted(FACTORIES))
def test_weights_h5_keras_to_jkeras(tmp_path, kind):
    source = FACTORIES[kind](keras)
    _randomize(source)
    source.save_weights(tmp_path / "w.weights.h5")
    target = FACTORIES[kind](jkeras)
    target.load_weights(tmp_path / "w.weights.h5")
    x = _inputs(kind)
    assert_close(_outputs(target, x), _outputs(source, x))


def _optimizer_arrays(model, jkeras_model=False):
    if jkeras_model:  # in the order Keras 3 keeps them
        from jkeras.saving import weights_io

        return [np.asarray(v.value) for v in weights_io.own_variables(model.optimizer, model)]
    return [np.asarray(v) for v in model.optimizer.variables]


def _fill_optimizer(optimizer):
    rng = np.random.default_rng(2)
    for variable in optimizer.variables[2:]:
        variable.assign(rng.uniform(0.0, 1.0, size=variable.shape).astype("float32"))


def test_keras_file_jkeras_to_keras(tmp_path):
    source = _mlp(jkeras)
    _randomize(source)
    source.compile(optimizer=jkeras.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
    source.optimizer.build(source.trainable_variables)
    _fill_optimizer(source.optimizer)
    source.save(tmp_path / "m.keras")
    target = keras.saving.load_model(tmp_path / "m.keras")
    x = _inputs("mlp")
    assert_close(_outputs(target, x), _outputs(source, x))
    assert isinstance(target.optimizer, keras.optimizers.Adam)
    assert float(target.optimizer.learning_rate) == pytest.approx(0.01)
    assert_close(_optimizer_arrays(target), _optimizer_arrays(source, jkeras_model=True))


def test_keras_file_keras_to_jkeras(tmp_path):
    source = _functional(keras)
    _randomize(source)
    source.compile(optimizer=keras.optimizers.Adam(0.02), loss=["mse", "mae"])
    source.optimizer.build(source.trainable_variables)
    _fill_optimizer(source.optimizer)
    source.save(tmp_path / "m.keras")
    target = jkeras.models.load_model(tmp_path / "m.keras")
    x = _inputs("functional")
    assert_close(_outputs(target, x), _outputs(source, x))
    assert sorted(layer.name for layer in target.layers) == sorted(l.name for l in source.layers)
    assert isinstance(target.optimizer, jkeras.optimizers.Adam)
    assert target.optimizer.learning_rate == pytest.approx(0.02)
    assert_close(_optimizer_arrays(target, jkeras_model=True), _optimizer_arrays(source))


@pytest.mark.parametrize("factory", [_convnet, _functional_convnet])
def test_convnet_keras_file_both_directions(tmp_path, factory):
    x = _inputs("convnet")
    y = np.random.default_rng(3).normal(size=(6, 3)).astype("float32")
    source = factory(keras)
    _randomize(source)
    source.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    source.fit(x, y, epochs=1, batch_size=3, verbose=0)  # moves BatchNormalization's statistics
    source.save(tmp_path / "keras.keras")
    loaded = jkeras.models.load_model(tmp_path / "keras.keras")
    assert_close(_outputs(loaded, x), _outputs(source, x))
    assert_close(_optimizer_arrays(loaded, jkeras_model=True), _optimizer_arrays(source))

    loaded.fit(x, y, epochs=1, batch_size=3, verbose=0)
    loaded.save(tmp_path / "jkeras.keras")
    back = keras.saving.load_model(tmp_path / "jkeras.keras")
    assert_close(_outputs(back, x), _outputs(loaded, x))
    assert_close(_optimizer_arrays(back), _optimizer_arrays(loaded, jkeras_model=True))
