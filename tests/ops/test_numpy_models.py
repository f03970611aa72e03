"""`ops.numpy` ops in functional models: the graph builds with Keras's shapes, summarizes with
Keras's op names, saves and loads, and predicts what Keras 3's same model predicts."""

import keras
import numpy as np

import jkeras
from jkeras import ops

DATA = np.random.default_rng(1).normal(size=(5, 3, 4)).astype("float32")


def _graph(lib):
    inputs = lib.Input((3, 4))
    running = lib.ops.cumsum(inputs, axis=1)
    first, second = lib.ops.split(running, 2, axis=2)
    joined = lib.ops.concatenate([lib.ops.abs(first), lib.ops.square(second)], axis=-1)
    kept = lib.ops.where(lib.ops.greater(joined, 1.0), joined, 0.5)
    flat = lib.ops.reshape(kept, (-1, 12))
    pooled = lib.ops.mean(flat, axis=-1, keepdims=True)
    ranked = lib.ops.take(lib.ops.sort(flat, axis=-1), [0, 11], axis=1)
    return lib.Model(inputs, [running, pooled, ranked])


def _summary(model):
    lines = []
    model.summary(print_fn=lambda line, **kwargs: lines.append(line))
    return "\n".join(lines)


def test_functional_model_builds_summarizes_saves_and_loads(tmp_path):
    model, reference = _graph(jkeras), _graph(keras)
    for ours, theirs in zip(model.outputs, reference.outputs):
        assert (ours.shape, ours.dtype) == (tuple(theirs.shape), theirs.dtype)
    text = _summary(model)
    for name in ("cumsum", "split", "absolute", "square", "concatenate", "greater", "where",
                 "reshape", "mean", "sort", "take"):
        assert name in text, name
    expected = reference.predict(DATA, verbose=0)
    for got, want in zip(model.predict(DATA, verbose=0), expected):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)

    path = tmp_path / "ops.keras"
    model.save(path)
    loaded = jkeras.models.load_model(path)
    assert _summary(loaded) == text
    for got, want in zip(loaded.predict(DATA, verbose=0), expected):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


def test_data_dependent_ops_have_unknown_sizes():
    x = jkeras.Input((4,), dtype="int32")
    indices = ops.nonzero(x)
    assert [(t.shape, t.dtype) for t in indices] == [((None,), "int32")] * 2
    values, counts = ops.unique(x, return_counts=True, size=3)
    assert (values.shape, counts.shape) == ((3,), (3,))
    assert ops.bincount(x).shape == (None, None)
    assert ops.size(x).shape == ()
