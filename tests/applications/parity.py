"""What the application tests compare between Keras 3 and jkeras, shared by the test process and
the Keras reference process (`keras_reference.py`).

A case is a JSON-able dict (`case`): `id`, `constructor` (the public name in `applications`),
`kwargs` (its arguments; `input_shape` as a list), `images` (the batch shape), `legacy` (whether
Keras also writes the legacy `.h5` file the published weights use) and `data_format`.
"""

import io
import math
import re

import jax
import keras
import numpy as np

FAST_COMPILE = {"xla_backend_optimization_level": 0, "xla_llvm_disable_expensive_passes": True}
# The smallest input size Keras accepts without pretrained weights, where it is not 32.
MIN_SIZE = {"InceptionV3": 75, "InceptionResNetV2": 75, "Xception": 71}


def case(constructor, top=False, legacy=False, data_format="channels_last", suffix="",
         **kwargs):
    """A test case: `constructor` at its smallest input size, on a batch of two images, with
    the classifier top (7 classes) or without it; `kwargs` are further arguments."""
    size = MIN_SIZE.get(constructor, 32)
    shape = [3, size, size] if data_format == "channels_first" else [size, size, 3]
    kwargs = {"weights": None, "include_top": top, "input_shape": shape, **kwargs}
    if top:
        kwargs.setdefault("classes", 7)
    return {
        "id": constructor + suffix,
        "constructor": constructor,
        "kwargs": kwargs,
        "images": [2, *shape],
        "legacy": legacy,
        "data_format": data_format,
    }


def kwargs_of(case):
    """The case's constructor arguments, `input_shape` as a tuple."""
    kwargs = dict(case["kwargs"])
    if kwargs.get("input_shape") is not None:
        kwargs["input_shape"] = tuple(kwargs["input_shape"])
    return kwargs


def images_of(case):
    """The case's random images, pixels in [0, 255]."""
    return np.random.default_rng(1).uniform(0, 255, case["images"]).astype(np.float32)


def random_values(variables, rng):
    """Numpy values for `variables` that keep activations of order 1: kernels scaled by their
    fan-in, scales and variances around 1, other vectors small."""
    values = []
    for variable in variables:
        shape = tuple(variable.shape)
        name = variable.path.rsplit("/", 1)[-1]
        if len(shape) >= 2:
            fan_in = math.prod(shape[:2] if "depthwise" in name else shape[:-1])
            value = rng.standard_normal(shape, dtype=np.float32) / np.float32(math.sqrt(fan_in))
        elif name in ("gamma", "moving_variance", "variance") or "layer_scale" in variable.path:
            value = rng.uniform(0.5, 1.5, shape).astype(np.float32)
        elif name == "count":
            value = np.full(shape, 7)
        else:
            value = 0.1 * rng.standard_normal(shape, dtype=np.float32)
        values.append(value.astype(np.dtype(variable.dtype)))
    return values


def keras_architecture(case):
    """Keras's model for `case`, built inside a `StatelessScope` that defers variable
    initialization (Keras initializes variables one at a time, compiling a program per shape:
    tens of seconds for the larger models); its variables have shapes but no values until
    assigned."""
    keras.backend.clear_session()
    keras.config.set_image_data_format(case.get("data_format", "channels_last"))
    try:
        with keras.StatelessScope(initialize_variables=False):
            return getattr(keras.applications, case["constructor"])(**kwargs_of(case))
    finally:
        keras.config.set_image_data_format("channels_last")


def keras_model(case, seed=0):
    """`keras_architecture(case)` with `random_values` in its variables."""
    model = keras_architecture(case)
    for variable, value in zip(model.weights,
                               random_values(model.weights, np.random.default_rng(seed))):
        variable.assign(value)
    # Every variable has a value: the deferred initializers are dropped with the session.
    keras.backend.clear_session()
    return model


def structure(model, layers, weights_of):
    """What must be equal between the two frameworks' builds of an architecture, JSON-able:
    the model name, `summary()` rows, parameter count, variable paths and the legacy weight
    layout of `layers` (the order Keras's published `.h5` files load in)."""
    return {
        "name": model.name,
        "rows": summary_rows(model),
        "params": int(model.count_params()),
        "paths": variable_paths(model),
        "layout": legacy_layout(layers, weights_of),
    }


def keras_structure(model):
    """`structure` of a Keras model."""
    return structure(model, model.layers,
                     lambda layer: layer.trainable_weights + layer.non_trainable_weights)


def compile_forward(model, images):
    """`run()` -> `model`'s inference outputs on `images` with its current variable values,
    through its `stateless_call` compiled once with XLA's cheap optimization level."""

    def call(trainable, non_trainable, x):
        return model.stateless_call(trainable, non_trainable, x, training=False)[0]

    def values():
        return ([v.value for v in model.trainable_variables],
                [v.value for v in model.non_trainable_variables])

    compiled = jax.jit(call).lower(*values(), images).compile(FAST_COMPILE)
    return lambda: np.asarray(compiled(*values(), images))


def summary_rows(model):
    """`[name, class name]` of every row of `model.summary()`."""
    text = io.StringIO()
    model.summary(line_length=400, print_fn=lambda line, **kwargs: text.write(line + "\n"))
    return [list(row) for row in re.findall(r"^│ (\S+) \((\w+)\)", text.getvalue(), re.MULTILINE)]


def legacy_layout(layers, weights_of):
    """`[layer name, [weight shapes]]` of the layers with weights, in the order a legacy `.h5`
    file is matched to them (by topology)."""
    return [
        [layer.name, [list(w.shape) for w in weights_of(layer)]]
        for layer in layers
        if weights_of(layer)
    ]


def variable_paths(model):
    """The sorted variable paths. Unnamed weights are numbered by a global counter in Keras
    (`variable_12`) and not in jkeras; the number is left out."""
    return sorted(re.sub(r"/variable_\d+$", "/variable", v.path) for v in model.weights)


def assert_close(actual, expected, tolerance=1e-4):
    """Equal within `tolerance`, relative to the outputs' magnitude (at least 1)."""
    assert actual.shape == expected.shape
    scale = max(1.0, float(np.max(np.abs(expected))))
    error = float(np.max(np.abs(actual - expected)))
    assert error <= tolerance * scale, f"max difference {error:.3g} (output scale {scale:.3g})"
