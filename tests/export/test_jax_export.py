"""`model.export(path)` with `jax.export`, loaded with `jkeras.export.load_exported`: outputs
match the model for several batch sizes, also in a fresh process that lacks the model's class;
the file is written atomically; unsupported formats and damaged files give clear errors."""

import json
import os
import subprocess
import sys
import textwrap
import zipfile

import numpy as np
import pytest

import jkeras
from jkeras.export import load_exported
from jkeras.saving import CorruptFileError


def _functional_convnet():
    image = jkeras.Input((8, 8, 3), name="image")
    h = jkeras.layers.Conv2D(4, 3, padding="same", activation="relu")(image)
    h = jkeras.layers.BatchNormalization()(h)
    h = jkeras.layers.MaxPooling2D(2)(h)
    h = jkeras.layers.Flatten()(h)
    h = jkeras.layers.Dropout(0.5)(h)  # inference: identity
    return jkeras.Model(image, jkeras.layers.Dense(3)(h))


class TwoInputModel(jkeras.Model):
    """Defined only in this test module: the subprocess that loads the export lacks it."""

    def __init__(self):
        super().__init__(name="two_inputs")
        self.dense = jkeras.layers.Dense(4, activation="tanh")
        self.norm = jkeras.layers.BatchNormalization()
        self.head = jkeras.layers.Dense(2)

    def call(self, inputs, training=False):
        h = self.norm(self.dense(inputs["features"]) + inputs["bias"], training=training)
        return {"logits": self.head(h), "hidden": h}


def _randomize(model):
    rng = np.random.default_rng(1)
    model.set_weights([rng.uniform(0.1, 1.0, size=w.shape).astype(w.dtype)
                       for w in model.get_weights()])


def _convnet_inputs(batch):
    return np.random.default_rng(batch).normal(size=(batch, 8, 8, 3)).astype("float32")


def _subclass_inputs(batch):
    rng = np.random.default_rng(batch)
    return {"features": rng.normal(size=(batch, 3)).astype("float32"),
            "bias": rng.normal(size=(batch, 4)).astype("float32")}


_LOADER = textwrap.dedent("""
    import sys
    import numpy as np
    from jkeras.export import load_exported

    directory = sys.argv[1]
    results = {}
    for name in ("convnet", "subclass"):
        exported = load_exported(f"{directory}/{name}.export")
        for batch in (1, 5):
            with np.load(f"{directory}/{name}_in_{batch}.npz") as stored:
                inputs = {k: stored[k] for k in stored.files}
            if name == "convnet":
                results[f"{name}_{batch}"] = np.asarray(exported(inputs["x"]))
            else:
                outputs = exported(inputs)
                for key, value in outputs.items():
                    results[f"{name}_{batch}_{key}"] = np.asarray(value)
    np.savez(f"{directory}/outputs.npz", **results)
    print("TwoInputModel" in dir(sys.modules["__main__"]))
""")


def test_export_loads_in_fresh_process_without_model_classes(tmp_path):
    convnet = _functional_convnet()
    _randomize(convnet)
    subclass = TwoInputModel()
    subclass(_subclass_inputs(2))  # builds it; the export takes its input structure
    _randomize(subclass)
    convnet.export(tmp_path / "convnet.export")
    subclass.export(tmp_path / "subclass.export")

    expected = {}
    for batch in (1, 5):
        x = _convnet_inputs(batch)
        np.savez(tmp_path / f"convnet_in_{batch}.npz", x=x)
        expected[f"convnet_{batch}"] = np.asarray(convnet(x))
        inputs = _subclass_inputs(batch)
        np.savez(tmp_path / f"subclass_in_{batch}.npz", **inputs)
        for key, value in subclass(inputs).items():
            expected[f"subclass_{batch}_{key}"] = np.asarray(value)

    script = tmp_path / "load_export.py"
    script.write_text(_LOADER)
    env = {**os.environ, "JAX_PLATFORMS": "cpu"}
    result = subprocess.run([sys.executable, str(script), str(tmp_path)], capture_output=True,
                            text=True, env=env, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == "False"  # the class was not there
    with np.load(tmp_path / "outputs.npz") as outputs:
        assert sorted(outputs.files) == sorted(expected)
        for key, value in expected.items():
            np.testing.assert_allclose(outputs[key], value, atol=1e-5, rtol=1e-5)


def test_export_in_process_multi_io_and_symbolic_dims(tmp_path):
    tokens = jkeras.Input((None,), dtype="int32", name="tokens")  # two unknown sizes
    extra = jkeras.Input((2,), name="extra")
    h = jkeras.layers.Embedding(10, 4, mask_zero=True)(tokens)
    h = jkeras.layers.LSTM(3)(h)
    h = jkeras.layers.Concatenate()([h, extra])
    model = jkeras.Model([tokens, extra], [jkeras.layers.Dense(2)(h), h])
    model.export(tmp_path / "model.export", verbose=False)
    exported = load_exported(tmp_path / "model.export")
    assert exported.input_signature[0] == {"shape": [None, None], "dtype": "int32",
                                           "name": "tokens"}
    rng = np.random.default_rng(0)
    for batch, length in ((2, 3), (4, 6)):
        inputs = [rng.integers(0, 10, size=(batch, length)).astype("int32"),
                  rng.normal(size=(batch, 2)).astype("float32")]
        ours = exported(tuple(inputs))  # a tuple is accepted for the model's list
        theirs = model(inputs)
        assert len(ours) == 2
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-5, rtol=1e-5)
    with pytest.raises(ValueError, match=r"expects 2 input array\(s\).*received 1"):
        exported(inputs[0])


def test_export_is_atomic(tmp_path, monkeypatch):
    model = _functional_convnet()
    path = tmp_path / "model.export"
    path.write_bytes(b"previous export")
    calls = []

    def failing_writestr(self, name, data, *args, **kwargs):
        calls.append(name)
        if len(calls) == 2:
            raise OSError("disk full")
        return original(self, name, data, *args, **kwargs)

    original = zipfile.ZipFile.writestr
    monkeypatch.setattr(zipfile.ZipFile, "writestr", failing_writestr)
    with pytest.raises(OSError, match="disk full"):
        model.export(path)
    assert path.read_bytes() == b"previous export"
    assert sorted(os.listdir(tmp_path)) == ["model.export"]  # no temporary file left
    monkeypatch.undo()
    model.export(path)
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["metadata.json", "params.npz",
                                              "serving.jax_exported"]
        metadata = json.loads(archive.read("metadata.json"))
    assert metadata["format"] == "jkeras.jax_export"
    assert metadata["inputs"]["shape"] == [None, 8, 8, 3]


def test_formats_and_errors(tmp_path):
    model = _functional_convnet()
    with pytest.raises(NotImplementedError, match="TensorFlow.*format='jax_export'"):
        model.export(tmp_path / "saved_model", format="tf_saved_model")
    with pytest.raises(ValueError, match=r"Unrecognized format=onnx.*\['jax_export'\]"):
        model.export(tmp_path / "m.onnx", format="onnx")
    unbuilt = TwoInputModel()
    with pytest.raises(ValueError, match="must be built before export"):
        unbuilt.export(tmp_path / "unbuilt.export")
    path = tmp_path / "model.export"
    model.export(path)
    data = path.read_bytes()
    (tmp_path / "truncated.export").write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptFileError, match="truncated, corrupted"):
        load_exported(tmp_path / "truncated.export")
    with pytest.raises(FileNotFoundError):
        load_exported(tmp_path / "missing.export")
