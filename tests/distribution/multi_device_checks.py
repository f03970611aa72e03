"""Distributed training on 8 forced CPU devices, compared with single-device training.

Run by `test_multi_device.py` in a subprocess (XLA_FLAGS must be set before JAX starts); it
prints one JSON object of results on its last line.
"""

import json

import jax
import numpy as np

import jkeras
from jkeras import distribution as dist
from jkeras import layers
from jkeras.distribution import placement
from jkeras.trainers import batch_sources
from jkeras.trainers import data as data_module

results = {"device_count": jax.device_count()}
seen_batch_shards = []  # (batch size, shard shape) of x inside each compiled train step


class Probe(jkeras.Sequential):
    """Records how the compiled train step lays out its input batch."""

    def train_step(self, state, data):
        x = data[0]
        jax.debug.inspect_array_sharding(
            x, callback=lambda s, n=x.shape[0], shape=x.shape: seen_batch_shards.append(
                (n, list(s.shard_shape(shape)))))
        return super().train_step(state, data)


def blobs(n):
    rng = np.random.default_rng(0)
    centers = rng.normal(scale=3.0, size=(4, 8))
    y = rng.integers(0, 4, size=n)
    return (centers[y] + rng.normal(size=(n, 8))).astype("float32"), y.astype("int32")


def make(cls, stack):
    jkeras.utils.set_random_seed(7)
    model = cls([jkeras.Input((8,)), *stack()])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def weights(model):
    return [np.asarray(v.value) for v in model.variables]


def max_difference(a, b):
    return float(max(np.abs(u - v).max() for u, v in zip(a, b)))


def specs(variables):
    return {v.path: [str(a) for a in v.value.sharding.spec] for v in variables}


# ---- DataParallel: MLP with BatchNormalization and Dropout, last batch of 4 (not divisible).
def bn_dropout_stack():
    return [layers.Dense(16, activation="relu"), layers.BatchNormalization(),
            layers.Dropout(0.3), layers.Dense(4, activation="softmax")]


x, y = blobs(100)
reference = make(Probe, bn_dropout_stack)
reference_history = reference.fit(x, y, batch_size=32, epochs=2, verbose=0).history
seen_batch_shards.clear()
with dist.DataParallel().scope():
    model = make(Probe, bn_dropout_stack)
    history = model.fit(x, y, batch_size=32, epochs=2, verbose=0).history
results["data_parallel"] = {
    "loss": [history["loss"], reference_history["loss"]],
    "accuracy": [history["accuracy"], reference_history["accuracy"]],
    "max_weight_difference": max_difference(weights(model), weights(reference)),
    "batch_shards": sorted(set(map(tuple, ((n, tuple(s)) for n, s in seen_batch_shards)))),
    "all_replicated": all(
        v.value.sharding.is_fully_replicated and len(v.value.sharding.device_set) == 8
        for v in model.variables + model.optimizer.variables + model.metrics_variables),
    "trace_counts": [model._trace_counts["train"],
                     reference._trace_counts["train"]],
}


# ---- ModelParallel on a (2, 4) mesh: Dense kernels split by columns over "model".
def mlp_stack():
    return [layers.Dense(16, activation="relu"), layers.Dense(4, activation="softmax")]


x, y = blobs(96)
mesh = dist.DeviceMesh((2, 4), ("batch", "model"))
layout_map = dist.LayoutMap(mesh)
layout_map[".*dense.*kernel"] = (None, "model")
layout_map[".*dense.*bias"] = ("model",)
reference = make(jkeras.Sequential, mlp_stack)
reference_history = reference.fit(x, y, batch_size=32, epochs=2, verbose=0).history
reference_eval = reference.evaluate(x, y, batch_size=48, verbose=0)
reference_predictions = reference.predict(x, batch_size=48, verbose=0)
seen_batch_shards.clear()
with dist.ModelParallel(layout_map=layout_map, batch_dim_name="batch").scope():
    model = make(Probe, mlp_stack)
    created = specs(model.variables)
    history = model.fit(x, y, batch_size=32, epochs=2, verbose=0).history
    evaluation = model.evaluate(x, y, batch_size=48, verbose=0)
    predictions = model.predict(x, batch_size=48, verbose=0)
    trained_weights = weights(model)
    kernel = model.layers[0].kernel
    kernel.assign(np.ones(kernel.shape, "float32"))
    after_assign = [str(a) for a in kernel.value.sharding.spec]
    try:
        layers.Dense(6).build((None, 8))  # 6 columns cannot be split over 4 devices
        results["indivisible_error"] = None
    except ValueError as error:
        results["indivisible_error"] = str(error)
results["model_parallel"] = {
    "created_specs": created,
    "trained_specs": specs(model.variables),
    "slot_specs": specs(model.optimizer.variables),
    "after_assign": after_assign,
    "loss": [history["loss"], reference_history["loss"]],
    "max_weight_difference": max_difference(trained_weights, weights(reference)),
    "evaluate": [evaluation, reference_eval],
    "max_prediction_difference": float(np.abs(predictions - reference_predictions).max()),
    "batch_shards": sorted(set(map(tuple, ((n, tuple(s)) for n, s in seen_batch_shards)))),
}

# ---- A step's new state keeps its variables' layouts (for the trainer's jitted step).
with dist.ModelParallel(layout_map=layout_map).scope():
    dense = layers.Dense(8)
    dense.build((None, 4))
    scale = jkeras.Variable(np.ones(8, "float32"), name="scale")  # replicated


def new_scale(kernel, scale_value):
    return scale_value * kernel.sum(0)  # GSPMD alone splits it like the kernel's columns


def step(kernel, scale_value):
    return placement.constrain_state(([new_scale(kernel, scale_value)],), ([scale],))[0][0]


free = jax.jit(new_scale)(dense.kernel.value, scale.value)
constrained = jax.jit(step)(dense.kernel.value, scale.value)
results["constrain_state"] = [str(free.sharding.spec), str(constrained.sharding.spec)]

# ---- The data hooks themselves.
with dist.DataParallel().scope():
    dataset = data_module.to_device((x, y, None))
    gather = jax.jit(data_module.gather)
    slice_rows = jax.jit(data_module.slice_rows, static_argnums=2)
    prefetched = list(batch_sources.prefetch_to_device(iter([(x[:16], y[:16], None),
                                                             (x[:5], y[:5], None)])))
    results["hooks"] = {
        "dataset_replicated": [len(a.sharding.device_set) == 8 and a.sharding.is_fully_replicated
                               for a in dataset[:2]],
        "gather_16": str(gather(dataset, np.arange(16))[0].sharding.spec),
        "gather_5": str(gather(dataset, np.arange(5))[0].sharding.spec),
        "slice_16": str(slice_rows(dataset, 8, 16)[1].sharding.spec),
        "gathered_rows_equal": bool(np.array_equal(
            np.asarray(gather(dataset, np.arange(10, 26))[0]), x[10:26])),
        "prefetch": [str(batch[0].sharding.spec) for batch in prefetched],
        "prefetch_rows_equal": bool(np.array_equal(np.asarray(prefetched[1][0]), x[:5])),
    }

print(json.dumps(results))
