"""Round trips of `.keras` and `.weights.h5` files within jkeras, plus the reliability checks:
atomic writes, corrupted and truncated files, mismatched architectures, `safe_mode`."""

import json
import os
import warnings
import zipfile

import h5py
import keras
import numpy as np
import pytest

import jkeras
from jkeras.saving import CorruptFileError, weights_io
from tests.helpers import mlp


def _mlp():
    return mlp(batch_norm=True)


def _functional():
    a = jkeras.Input((4,), name="a")
    b = jkeras.Input((3,), name="b")
    shared = jkeras.layers.Dense(5, activation="tanh", name="shared")
    pa = shared(jkeras.layers.Dense(4, name="pre_a")(a))
    pb = shared(jkeras.layers.Dense(4, name="pre_b")(b))
    h = jkeras.layers.Concatenate(name="concat")([pa, pb])
    return jkeras.Model([a, b], [jkeras.layers.Dense(2, name="out1")(h),
                                 jkeras.layers.Dense(1, name="out2")(h)])


def _data(seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(16, 4)).astype("float32"), rng.normal(size=(16, 2)).astype("float32")


def _call(model, x):
    out = model(x)
    return [np.asarray(o) for o in out] if isinstance(out, (list, tuple)) else np.asarray(out)


def _weights(model):
    return [np.asarray(w) for w in model.get_weights()]


def _assert_same(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def test_sequential_keras_file_round_trip(tmp_path):
    x, _ = _data()
    model = _mlp()
    model.compile(optimizer=jkeras.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
    model.optimizer.build(model.trainable_variables)
    rng = np.random.default_rng(3)
    for variable in model.optimizer.variables[2:]:  # stands in for a `fit`, without compiling
        variable.assign(rng.normal(size=variable.shape).astype(variable.dtype))
    model.optimizer.iterations.assign(7)
    path = tmp_path / "mlp.keras"
    model.save(path)

    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["config.json", "metadata.json", "model.weights.h5"]
        config = json.loads(archive.read("config.json"))
    assert config["class_name"] == "Sequential"
    assert config["compile_config"]["loss"] == "mse"
    assert config["compile_config"]["metrics"] == ["mae"]
    assert config["compile_config"]["optimizer"]["class_name"] == "Adam"

    loaded = jkeras.models.load_model(path)
    assert [type(layer) for layer in loaded.layers] == [type(layer) for layer in model.layers]
    _assert_same(_weights(loaded), _weights(model))
    np.testing.assert_allclose(_call(loaded, x), _call(model, x),
                               atol=1e-6)
    assert isinstance(loaded.optimizer, jkeras.optimizers.Adam)
    assert loaded.optimizer.learning_rate == pytest.approx(0.01)
    _assert_same([np.asarray(v.value) for v in loaded.optimizer.variables],
                 [np.asarray(v.value) for v in model.optimizer.variables])

    uncompiled = jkeras.models.load_model(path, compile=False)
    assert not getattr(uncompiled, "compiled", False)
    _assert_same(_weights(uncompiled), _weights(model))


def test_functional_multi_io_shared_layer_round_trip(tmp_path):
    model = _functional()
    model.compile(optimizer="sgd", loss=["mse", "mae"], metrics=[["mae"], ["mse"]])
    rng = np.random.default_rng(1)
    xa, xb = rng.normal(size=(8, 4)).astype("float32"), rng.normal(size=(8, 3)).astype("float32")
    path = tmp_path / "functional.keras"
    model.save(path)
    loaded = jkeras.models.load_model(path)
    for got, want in zip(_call(loaded, [xa, xb]), _call(model, [xa, xb])):
        np.testing.assert_allclose(got, want, atol=1e-6)
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    # The shared layer is one layer with two calls, stored once.
    with h5py.File(tmp_path / "w.weights.h5", "w") as f:
        weights_io.write(model, f)
        assert f["layers/dense/vars"].attrs["name"] == "pre_a"
        assert len([k for k in f["layers"] if k.startswith("dense")]) == 5


def test_to_json_and_clone_model():
    model = _functional()
    model.compile(optimizer="adam", loss="mse")
    text = model.to_json()
    rebuilt = jkeras.models.model_from_json(text)
    assert json.loads(rebuilt.to_json())["config"] == json.loads(text)["config"]
    assert [w.shape for w in rebuilt.get_weights()] == [w.shape for w in model.get_weights()]

    clone = jkeras.models.clone_model(model)
    # As Keras 3: a compiled model's clone is compiled from its compile config.
    kmodel = keras.models.model_from_json(text)
    kmodel.compile(optimizer="adam", loss="mse")
    assert clone.compiled and keras.models.clone_model(kmodel).compiled
    assert clone.get_compile_config() == model.get_compile_config()
    assert clone.optimizer is not model.optimizer
    assert not jkeras.models.clone_model(_functional()).compiled
    assert [w.shape for w in clone.get_weights()] == [w.shape for w in model.get_weights()]
    kernels = [(a, b) for a, b in zip(clone.get_weights(), model.get_weights()) if a.ndim == 2]
    assert all(not np.array_equal(a, b) for a, b in kernels)
    assert all(a is not b for a, b in zip(clone.weights, model.weights))

    sequential = _mlp()
    seq_clone = jkeras.models.clone_model(sequential)
    assert [w.shape for w in seq_clone.get_weights()] == [w.shape for w in sequential.get_weights()]


class _Block(jkeras.Model):
    def __init__(self):
        super().__init__()
        self.first = jkeras.layers.Dense(6, activation="relu")
        self.blocks = [jkeras.layers.Dense(5), jkeras.layers.Dense(3)]
        self._head = jkeras.layers.Dense(2)

    def call(self, x):
        x = self.first(x)
        for block in self.blocks:
            x = block(x)
        return self._head(x)


def test_subclassed_model_save_weights_round_trip(tmp_path):
    x, _ = _data()
    model = _Block()
    model(x)
    path = tmp_path / "sub.weights.h5"
    model.save_weights(path)
    with h5py.File(path) as f:
        groups = set()
        f.visit(lambda name: groups.add(name) if name.endswith("vars") else None)
    # Keras 3's paths: attributes sorted, containers by class name, private attributes last
    # (reached first through the `layers` property).
    assert groups == {"vars", "first/vars", "blocks/dense/vars", "blocks/dense_1/vars",
                      "layers/dense_3/vars"}
    other = _Block()
    other(x)
    other.load_weights(path)
    _assert_same(_weights(other), _weights(model))
    np.testing.assert_allclose(np.asarray(other(x)), np.asarray(model(x)))


def _fit_twice(save_between, tmp_path):
    x, y = _data(2)
    model = _mlp()
    model.set_weights([np.full(w.shape, 0.1 * (i + 1), w.dtype) if w.ndim == 2 else w
                       for i, w in enumerate(model.get_weights())])
    model.compile(optimizer=jkeras.optimizers.Adam(0.05), loss="mse")
    model.fit(x, y, epochs=1, batch_size=4, shuffle=False, verbose=0)
    if save_between:
        model.save(tmp_path / "mid.keras")
        model = jkeras.models.load_model(tmp_path / "mid.keras")
    model.fit(x, y, epochs=1, batch_size=4, shuffle=False, verbose=0)
    return model


def test_optimizer_state_resumes(tmp_path):
    uninterrupted = _fit_twice(False, tmp_path)
    resumed = _fit_twice(True, tmp_path)
    assert int(resumed.optimizer.iterations.value) == int(uninterrupted.optimizer.iterations.value)
    for a, b in zip(_weights(resumed), _weights(uninterrupted)):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


def test_save_weights_requires_extension(tmp_path):
    with pytest.raises(ValueError, match=r"\.weights\.h5"):
        _mlp().save_weights(tmp_path / "w.h5")
    with pytest.raises(ValueError, match=r"\.keras"):
        _mlp().save(tmp_path / "m.txt")  # `.h5` is the legacy format (see test_legacy_h5.py)


@pytest.mark.parametrize("kind", ["keras", "weights"])
def test_crash_mid_save_keeps_previous_file(tmp_path, monkeypatch, kind):
    model = _mlp()
    path = tmp_path / ("m.keras" if kind == "keras" else "m.weights.h5")
    save = model.save if kind == "keras" else model.save_weights
    save(path)
    before = path.read_bytes()

    def crash(model, h5file):
        h5file.create_group("layers/partial/vars")["0"] = np.zeros(3)
        raise RuntimeError("disk full")

    monkeypatch.setattr(weights_io, "write", crash)
    model.set_weights([w + 1 for w in model.get_weights()])
    with pytest.raises(RuntimeError, match="disk full"):
        save(path)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == [path.name]


def test_overwrite_false_refuses(tmp_path):
    model = _mlp()
    model.save(tmp_path / "m.keras")
    with pytest.raises(FileExistsError):
        model.save(tmp_path / "m.keras", overwrite=False)


@pytest.mark.parametrize("kind", ["keras", "weights"])
def test_truncated_file_raises_and_leaves_model_untouched(tmp_path, kind):
    source = _mlp()
    path = tmp_path / ("m.keras" if kind == "keras" else "m.weights.h5")
    (source.save if kind == "keras" else source.save_weights)(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    target = _mlp()
    before = _weights(target)
    with pytest.raises(CorruptFileError, match="truncated, corrupted"):
        target.load_weights(path)
    _assert_same(_weights(target), before)
    if kind == "keras":
        with pytest.raises(CorruptFileError):
            jkeras.models.load_model(path)


def test_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        jkeras.models.load_model(tmp_path / "none.keras")
    with pytest.raises(FileNotFoundError):
        _mlp().load_weights(tmp_path / "none.weights.h5")


def test_mismatched_architecture_names_layer_and_shapes(tmp_path):
    _mlp().save_weights(tmp_path / "w.weights.h5")
    other = jkeras.Sequential([jkeras.Input((4,)), jkeras.layers.Dense(8),
                               jkeras.layers.BatchNormalization(), jkeras.layers.Dense(3)])
    before = _weights(other)
    with pytest.raises(ValueError) as info:
        other.load_weights(tmp_path / "w.weights.h5")
    message = str(info.value)
    assert other.layers[2].name in message and "kernel" in message
    assert "(8, 3)" in message and "(8, 2)" in message
    _assert_same(_weights(other), before)  # the first two layers matched, yet nothing moved

    more = jkeras.Sequential([jkeras.Input((4,)), jkeras.layers.Dense(8),
                              jkeras.layers.Dense(2), jkeras.layers.Dense(2)])
    with pytest.raises(ValueError, match="dense_2.*expected 2 variables, but received 0"):
        more.load_weights(tmp_path / "w.weights.h5")

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        other.load_weights(tmp_path / "w.weights.h5", skip_mismatch=True)
    assert any("Skipping" in str(w.message) for w in caught)
    reference = _mlp()
    reference.load_weights(tmp_path / "w.weights.h5")
    _assert_same(_weights(other)[:6], _weights(reference)[:6])


def _rewrite_config(path, edit):
    with zipfile.ZipFile(path) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(entries["config.json"])
    edit(config)
    entries["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)


def test_safe_mode_refuses_lambda_bytecode(tmp_path):
    path = tmp_path / "m.keras"
    _mlp().save(path)
    lambda_layer = {
        "module": "keras.layers", "class_name": "Lambda", "registered_name": None,
        "config": {"name": "lam", "function": {"class_name": "__lambda__",
                                               "config": {"code": "4wEAAAAA"}}},
    }
    _rewrite_config(path, lambda c: c["config"]["layers"].insert(2, lambda_layer))
    with pytest.raises(ValueError, match="safe_mode=False"):
        jkeras.models.load_model(path)
    with pytest.raises(NotImplementedError, match="never"):
        jkeras.models.load_model(path, safe_mode=False)


@jkeras.saving.register_keras_serializable(package="saving_tests")
class ScaledDense(jkeras.layers.Dense):
    def __init__(self, units, scale=2.0, **kwargs):
        super().__init__(units, **kwargs)
        self.scale = scale

    def call(self, inputs):
        return super().call(inputs) * self.scale

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


class Unregistered(ScaledDense):
    pass


def test_registered_and_scoped_custom_objects(tmp_path):
    assert jkeras.saving.get_custom_objects()["saving_tests>ScaledDense"] is ScaledDense
    x, _ = _data()
    model = jkeras.Sequential([jkeras.Input((4,)), ScaledDense(3, scale=3.0)])
    model.save(tmp_path / "registered.keras")
    loaded = jkeras.models.load_model(tmp_path / "registered.keras")
    assert type(loaded.layers[0]) is ScaledDense and loaded.layers[0].scale == 3.0
    np.testing.assert_allclose(_call(loaded, x), _call(model, x))

    model = jkeras.Sequential([jkeras.Input((4,)), Unregistered(3)])
    model.save(tmp_path / "custom.keras")
    with pytest.raises(ValueError, match="Unknown layer"):
        jkeras.models.load_model(tmp_path / "custom.keras")
    with jkeras.saving.custom_object_scope({"Unregistered": Unregistered}):
        loaded = jkeras.models.load_model(tmp_path / "custom.keras")
    assert type(loaded.layers[0]) is Unregistered
    loaded = jkeras.models.load_model(tmp_path / "custom.keras",
                                      custom_objects={"Unregistered": Unregistered})
    assert type(loaded.layers[0]) is Unregistered
