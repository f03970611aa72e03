"""Training a `keras.applications` architecture from scratch on random images: what the
`resnet50` and `mobilenet_v2` benchmarks share.

The images are 32x32 on the CPU (an epoch of ResNet50 in seconds) and 224x224, the
architectures' ImageNet size, where a GPU is available: `JKERAS_BENCH_IMAGE_SIZE` sets the
size. Ten classes, adam, sparse categorical crossentropy; no hand-written JAX version (no
`handwritten`: the `jax+optax` framework is not run for these models).
"""

import importlib.util
import os
import pathlib
import shutil

import numpy as np

CLASSES = 10
COMPILE = {
    "optimizer": "adam",
    "loss": "sparse_categorical_crossentropy",
    "metrics": ["accuracy"],
}


def gpu_available():
    """Whether jax will run on an NVIDIA GPU (without starting jax here: the parent process of
    the measurements must not hold the device)."""
    if os.environ.get("JAX_PLATFORMS", "").lower() == "cpu":
        return False
    has_device = pathlib.Path("/dev/nvidia0").exists() or shutil.which("nvidia-smi")
    plugin = any(importlib.util.find_spec(name) for name in
                 ("jax_cuda12_plugin", "jax_cuda13_plugin"))
    return bool(has_device and plugin)


def image_size():
    return int(os.environ.get("JKERAS_BENCH_IMAGE_SIZE") or (224 if gpu_available() else 32))


def make_data(samples, seed=0):
    """x: float32 `(samples, size, size, 3)` pixels in [0, 255); y: int32 labels `(samples,)`."""
    rng = np.random.default_rng(seed)
    size = image_size()
    x = rng.uniform(0, 255, (samples, size, size, 3)).astype(np.float32)
    y = rng.integers(0, CLASSES, samples).astype(np.int32)
    return x, y


def build(keras, constructor, **kwargs):
    """`keras.applications.<constructor>` with random weights, its classifier for `CLASSES`."""
    size = image_size()
    return getattr(keras.applications, constructor)(
        weights=None, input_shape=(size, size, 3), classes=CLASSES, **kwargs
    )
