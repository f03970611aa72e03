"""The shared benchmark harness: one (model, framework) measurement per process.

A model benchmark is a module in this folder (`mnist_mlp.py`, `mnist_convnet.py`,
`imdb_lstm.py`, `transformer_classifier.py`) that defines

    TITLE, BATCH_SIZE, DEFAULT_SAMPLES, QUICK_SAMPLES
    COMPILE                       keyword arguments of `compile` (loss and optimizer by name)
    compile_arguments(keras)      (optional) -> `compile`'s arguments built from `keras`, used
                                     instead of COMPILE (losses given as objects)
    make_data(samples)            -> (x, y) numpy arrays
    build_model(keras)            -> the model, from the `keras` namespace it is given
                                     (`jkeras` or Keras 3: the same code builds both)
    handwritten()                 -> `PureModel`: the same model in plain jax + optax
                                     (optional: without it `jax+optax` is not measured)

Frameworks (`FRAMEWORKS`): `jkeras` and `keras3` (Keras 3 on its JAX backend), each compiled
as users write `compile` (no `steps_per_execution` argument: jkeras's default fuses steps where
no one can tell, Keras's runs one step per call); `keras3-spe32` (Keras 3 with
`steps_per_execution=32`, its own multi-step path: a host loop in 3.15); and `jax+optax` (a
hand-written loop: jitted step, donated state, Python loop over device-resident batches, an
on-device shuffle per epoch). Each measurement runs in its own process, started by
`run_child`, so that peak memory is that framework's alone and no framework's JAX state
affects another; the parent writes the data once to an `.npz` file so every framework trains
on identical arrays.

Measured per process (`measure`):
  - `build_s` (Keras-like frameworks): building the model (`build_model`), variables
    initialized;
  - `first_epoch_s`: one epoch of training, compilation included;
  - `fit_samples_per_s`: `epochs` further epochs;
  - `predict_samples_per_s`: prediction over the data (batch `PREDICT_BATCH_SIZE`) after one
    warm-up pass, the best of `PREDICT_REPEATS` passes (one pass is a few seconds at most,
    where this machine's noise is 10-45%);
  - `peak_rss_mb`: the process's peak resident memory (`ru_maxrss`);
  - `device_peak_mb`: the accelerator's peak allocation (`memory_stats()["peak_bytes_in_use"]`)
    where the device reports it (GPUs, TPUs), else None;
  - `parameters`: the number of trainable + non-trainable weights (must agree across
    frameworks: the check that the three models are the same);
  - `train_traces` (jkeras only): compilations of the train step;
  - `tensorflow_loaded`: whether TensorFlow was imported in the process (the Keras 3 process
    blocks the import, as if TensorFlow were not installed).

Child usage (run by `run_all.py`):  python benchmarks/harness.py '<json config>'
"""

import importlib
import importlib.abc
import importlib.util
import json
import os
import pathlib
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "examples"
FRAMEWORKS = ("jkeras", "keras3", "keras3-spe32", "jax+optax")
# `keras3-spe32`'s `steps_per_execution`.
KERAS3_STEPS_PER_EXECUTION = 32
PREDICT_BATCH_SIZE = 1024
PREDICT_REPEATS = 3
SEED = 1337

# ----------------------------------------------------------------------- the pure models


class PureModel(NamedTuple):
    """A model written in plain JAX for the hand-written loop.

    init: `key -> params` (a pytree of arrays).
    apply: `(params, x, key, training) -> predictions` (probabilities, as the Keras model's
        last activation gives them); `key` feeds dropout when `training`.
    optimizer: an `optax.GradientTransformation`.
    """

    init: Callable[[Any], Any]
    apply: Callable[..., Any]
    optimizer: Any


def loss_and_correct(loss, predictions, y):
    """Keras's loss on probabilities (clipped to [1e-7, 1 - 1e-7]) and the number of correct
    predictions (what the `accuracy` metric counts), for the losses the benchmarks use.

    Args:
        loss: `"sparse_categorical_crossentropy"` (y: int `(batch,)`),
            `"categorical_crossentropy"` (y: one-hot `(batch, classes)`) or
            `"binary_crossentropy"` (y: `(batch,)` of 0/1, predictions `(batch, 1)`).
    Returns:
        `(mean loss, correct count)` scalars.
    """
    import jax.numpy as jnp

    p = jnp.clip(predictions, 1e-7, 1 - 1e-7)
    if loss == "sparse_categorical_crossentropy":
        y = y.astype(jnp.int32)
        nll = -jnp.log(jnp.take_along_axis(p, y[:, None], axis=1))[:, 0]
        correct = jnp.sum(jnp.argmax(predictions, axis=1) == y)
    elif loss == "categorical_crossentropy":
        nll = -jnp.sum(y * jnp.log(p), axis=1)
        correct = jnp.sum(jnp.argmax(predictions, axis=1) == jnp.argmax(y, axis=1))
    elif loss == "binary_crossentropy":
        p, y = p[:, 0], y.astype(p.dtype)
        nll = -(y * jnp.log(p) + (1 - y) * jnp.log(1 - p))
        correct = jnp.sum((predictions[:, 0] > 0.5) == (y > 0.5))
    else:
        raise ValueError(f"loss_and_correct: unsupported loss {loss!r}.")
    return jnp.mean(nll), correct


def glorot_uniform(key, shape, fan_in=None, fan_out=None):
    """Keras's default kernel initializer (fans from the last two dimensions by default)."""
    import jax

    fan_in = shape[-2] if fan_in is None else fan_in
    fan_out = shape[-1] if fan_out is None else fan_out
    limit = np.sqrt(6 / (fan_in + fan_out))
    return jax.random.uniform(key, shape, minval=-limit, maxval=limit)


def dropout(key, x, rate):
    """Keras's `Dropout`: zero with probability `rate`, scale the rest by `1 / (1 - rate)`."""
    import jax
    import jax.numpy as jnp

    keep = jax.random.bernoulli(key, 1 - rate, x.shape)
    return jnp.where(keep, x / (1 - rate), 0)


# ------------------------------------------------------------------------- measurements


def load_example(name, keras_module):
    """Import `examples/<name>` with `import jkeras` resolving to `keras_module`.

    The examples are written against the Keras 3 API (`import jkeras as keras`), so running the
    same source with Keras 3 builds the same model with Keras 3's layers.
    """
    saved = sys.modules.get("jkeras")
    sys.modules["jkeras"] = keras_module
    try:
        spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / name)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        if saved is None:
            del sys.modules["jkeras"]
        else:
            sys.modules["jkeras"] = saved
    return module


def import_framework(framework):
    """The `keras` namespace of a Keras-like framework, seeded."""
    if framework == "jkeras":
        import jkeras as keras
    elif framework in ("keras3", "keras3-spe32"):
        os.environ["KERAS_BACKEND"] = "jax"
        # Keras 3 imports TensorFlow whenever it is installed (the test extra installs it for
        # the tf.data tests), which nearly triples its memory; measure it as a JAX-only
        # install runs it: imports of TensorFlow fail, and it never enters `sys.modules`
        # (Keras 3's preprocessing layers take a `None` entry there for a loaded TensorFlow).
        sys.meta_path.insert(0, _WithoutTensorFlow())
        import keras

        if keras.backend.backend() != "jax":
            raise RuntimeError(f"Keras 3 must run on JAX, got {keras.backend.backend()!r}.")
    else:
        raise ValueError(f"Not a Keras-like framework: {framework!r}.")
    keras.utils.set_random_seed(SEED)
    return keras


class _WithoutTensorFlow(importlib.abc.MetaPathFinder):
    """An import hook under which `import tensorflow` fails, as if it were not installed."""

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "tensorflow":
            raise ImportError(f"{name} is not available in this benchmark process")


def best_time(run, repeats=PREDICT_REPEATS):
    """The shortest of `repeats` wall times of `run()` (seconds)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def time_keras_like(model, x, y, batch_size, epochs):
    """Timings of `fit` (first epoch, then `epochs` epochs) and `predict` of a compiled model."""
    start = time.perf_counter()
    model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)
    first_epoch = time.perf_counter() - start
    start = time.perf_counter()
    model.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0)
    fit_seconds = time.perf_counter() - start
    model.predict(x, batch_size=PREDICT_BATCH_SIZE, verbose=0)  # compiles every batch shape
    predict_seconds = best_time(lambda: model.predict(x, batch_size=PREDICT_BATCH_SIZE,
                                                      verbose=0))
    return {
        "first_epoch_s": first_epoch,
        "fit_samples_per_s": len(x) * epochs / fit_seconds,
        "predict_samples_per_s": len(x) / predict_seconds,
        "parameters": int(model.count_params()),
    }


def run_keras_like(framework, bench, x, y, epochs, steps_per_execution):
    keras = import_framework(framework)
    start = time.perf_counter()
    model = bench.build_model(keras)
    build_seconds = time.perf_counter() - start
    if framework == "keras3-spe32":
        steps_per_execution = KERAS3_STEPS_PER_EXECUTION
    arguments = (bench.compile_arguments(keras) if hasattr(bench, "compile_arguments")
                 else bench.COMPILE)
    # None: `compile`'s own default, as users write it.
    chosen = {} if steps_per_execution is None else {"steps_per_execution": steps_per_execution}
    model.compile(**arguments, **chosen)
    result = time_keras_like(model, x, y, bench.BATCH_SIZE, epochs)
    result["build_s"] = build_seconds
    if framework == "jkeras":
        result["train_traces"] = model._trace_counts["train"]
    return result


def run_handwritten(bench, x, y, epochs):
    """The loop a JAX user would write around `bench.handwritten()`: a jitted step with the
    state donated, device-resident data shuffled on the device once per epoch and sliced in
    Python, on-device loss and accuracy sums, one host sync per epoch."""
    import jax
    import jax.numpy as jnp
    import optax

    pure = bench.handwritten()
    loss_name = bench.COMPILE["loss"]
    batch_size = bench.BATCH_SIZE

    def step(state, xb, yb):
        params, opt_state, key, loss_sum, correct = state
        key, dropout_key = jax.random.split(key)

        def objective(p):
            return loss_and_correct(loss_name, pure.apply(p, xb, dropout_key, True), yb)

        (loss, batch_correct), grads = jax.value_and_grad(objective, has_aux=True)(params)
        updates, opt_state = pure.optimizer.update(grads, opt_state, params)
        params = optax.apply_updates(params, updates)
        return params, opt_state, key, loss_sum + loss * len(yb), correct + batch_correct

    step = jax.jit(step, donate_argnums=0)

    @jax.jit
    def shuffle(key, x, y):
        order = jax.random.permutation(key, len(x))
        return x[order], y[order]

    predict = jax.jit(lambda params, xb: pure.apply(params, xb, None, False))
    xd, yd = jax.device_put(x), jax.device_put(y)
    shuffle_key = jax.random.key(SEED + 1)

    def epoch(state, index):
        xs, ys = shuffle(jax.random.fold_in(shuffle_key, index), xd, yd)
        state = state[:3] + (jnp.zeros(()), jnp.zeros((), jnp.int32))
        for start in range(0, len(x), batch_size):
            state = step(state, xs[start : start + batch_size], ys[start : start + batch_size])
        float(state[3])  # the logs reach the host once per epoch
        return state

    init_key, train_key = jax.random.split(jax.random.key(SEED))
    params = pure.init(init_key)
    state = (params, pure.optimizer.init(params), train_key, None, None)
    begin = time.perf_counter()
    state = epoch(state, 0)
    first_epoch = time.perf_counter() - begin
    begin = time.perf_counter()
    for index in range(epochs):
        state = epoch(state, index + 1)
    fit_seconds = time.perf_counter() - begin

    def predict_all():
        outputs = [
            predict(state[0], xd[s : s + PREDICT_BATCH_SIZE])
            for s in range(0, len(x), PREDICT_BATCH_SIZE)
        ]
        return np.concatenate([np.asarray(o) for o in outputs])

    predict_all()  # compiles every batch shape
    predict_seconds = best_time(predict_all)
    return {
        "first_epoch_s": first_epoch,
        "fit_samples_per_s": len(x) * epochs / fit_seconds,
        "predict_samples_per_s": len(x) / predict_seconds,
        "parameters": int(sum(leaf.size for leaf in jax.tree.leaves(state[0]))),
    }


def device_info():
    import jax

    device = jax.devices()[0]
    return {
        "platform": device.platform,
        "device_kind": device.device_kind,
        "device_count": jax.device_count(),
        "jax": jax.__version__,
        "cpus": os.cpu_count(),
    }


def peak_memory():
    """Peak RSS of this process and, where the device reports it, its peak allocation (MiB)."""
    import jax

    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    stats = jax.devices()[0].memory_stats() or {}
    device_peak = stats.get("peak_bytes_in_use")
    return {
        "peak_rss_mb": rss_kib / 1024,
        "device_peak_mb": None if device_peak is None else device_peak / 2**20,
    }


def measure(config):
    """One (model, framework) measurement in this process; `config` as `run_child` sends it."""
    bench = importlib.import_module(config["module"])
    with np.load(config["data"]) as data:
        x, y = data["x"], data["y"]
    framework = config["framework"]
    if framework == "jax+optax":
        result = run_handwritten(bench, x, y, config["epochs"])
    else:
        result = run_keras_like(
            framework, bench, x, y, config["epochs"], config["steps_per_execution"]
        )
    # Keras 3 imports TensorFlow for its data pipeline when it is installed: that shows in its
    # peak memory, so the report says so.
    tensorflow = {"tensorflow_loaded": sys.modules.get("tensorflow") is not None}
    return {**result, **peak_memory(), **device_info(), **tensorflow}


def run_child(module, framework, data_path, epochs, steps_per_execution):
    """Run `measure` in a fresh Python process; its result, or `{"error": ...}` if it failed."""
    config = {
        "module": module,
        "framework": framework,
        "data": str(data_path),
        "epochs": epochs,
        "steps_per_execution": steps_per_execution,
    }
    process = subprocess.run(
        [sys.executable, str(HERE / "harness.py"), json.dumps(config)],
        check=False,
        capture_output=True,
        text=True,
    )
    lines = process.stdout.strip().splitlines()
    if process.returncode != 0 or not lines:
        return {"error": (process.stderr.strip().splitlines() or ["no output"])[-1]}
    return json.loads(lines[-1])


if __name__ == "__main__":
    print(json.dumps(measure(json.loads(sys.argv[1]))))
