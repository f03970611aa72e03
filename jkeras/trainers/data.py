"""Host-side checks, conversions and device placement of in-memory training data.

The trainer keeps a whole in-memory dataset on the device once per `fit` and has each jitted
step gather its batch by index, so no per-batch host slicing or transfer happens.
"""

import jax
import jax.numpy as jnp
import numpy as np

from jkeras.core.host_staged import HostStaged
from jkeras.core.keras_tensor import KerasTensor
from jkeras.core.variable import Variable
from jkeras.distribution import placement


def to_numpy_structure(data, argument):
    """Convert nested lists/tuples/dicts of array-likes to numpy arrays, validating them.

    Raises:
        TypeError: for non-numeric data (strings, objects) or ragged nested lists.
    """
    if data is None or isinstance(data, HostStaged):  # host stage outputs: numpy already
        return data
    if isinstance(data, dict):
        return {k: to_numpy_structure(v, f"{argument}['{k}']") for k, v in data.items()}
    if isinstance(data, (list, tuple)) and data and all(_is_array(d) for d in data):
        return [to_numpy_structure(d, f"{argument}[{i}]") for i, d in enumerate(data)]
    if isinstance(data, Variable):
        data = data.value
    if isinstance(data, jax.Array):
        return data
    try:
        array = np.asarray(data)
    except ValueError as error:
        raise TypeError(
            f"`{argument}` must be a numeric array (or a list/dict of arrays); it looks ragged "
            f"(sequences of different lengths): {error}"
        ) from None
    if array.dtype == object or not (
        np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_
    ):
        raise TypeError(
            f"`{argument}` must hold numbers; received an array of dtype {array.dtype}"
            + (" (ragged or mixed-type data)" if array.dtype == object else "")
            + "."
        )
    return array


def _is_array(x):
    return isinstance(x, (np.ndarray, jax.Array, Variable, dict)) or (
        isinstance(x, (list, tuple)) and x and isinstance(x[0], (np.ndarray, jax.Array))
    )


def num_samples(x, y=None, sample_weight=None):
    """The common first-dimension size of every array; ValueError (Keras's text) if they differ."""
    sizes = {}
    for name, data in (("x", x), ("y", y), ("sample_weight", sample_weight)):
        if data is not None:
            sizes[name] = sorted({int(leaf.shape[0]) for leaf in jax.tree_util.tree_leaves(data)
                                  if np.ndim(leaf) > 0})
            if any(np.ndim(leaf) == 0 for leaf in jax.tree_util.tree_leaves(data)):
                raise ValueError(f"`{name}` must be an array with a batch dimension, got a scalar.")
    all_sizes = {s for values in sizes.values() for s in values}
    if len(all_sizes) > 1:
        detail = "\n".join(
            f"'{name}' sizes: {', '.join(map(str, values))}" for name, values in sizes.items()
        )
        raise ValueError(
            "Data cardinality is ambiguous. Make sure all arrays contain the same number of "
            f"samples.\n{detail}"
        )
    if not all_sizes:
        raise ValueError("Expected `x` to be an array with at least one sample.")
    return all_sizes.pop()


def split_validation(arrays, validation_split):
    """Keras's rule: the *last* `validation_split` fraction (before shuffling) validates."""
    if not 0.0 <= validation_split < 1.0:
        raise ValueError(
            f"`validation_split` must be in [0, 1). Received: validation_split={validation_split}"
        )
    n = num_samples(*arrays)
    split_at = int(n * (1.0 - validation_split))
    if split_at == 0 or split_at == n:
        raise ValueError(
            f"Training data contains {n} samples, which is not sufficient to split it into a "
            f"validation and training set as specified by `validation_split={validation_split}`."
        )
    head = jax.tree_util.tree_map(lambda a: a[:split_at], arrays)
    tail = jax.tree_util.tree_map(lambda a: a[split_at:], arrays)
    return head, tail


def class_weights_to_sample_weights(y, class_weight, sample_weight):
    """Keras's `class_weight`: each sample weighs as its class (times `sample_weight`)."""
    y = to_numpy_structure(y, "y")
    if not isinstance(y, np.ndarray):
        raise ValueError("`class_weight` is only supported for a single output with array "
                         "targets.")
    classes = y.argmax(axis=-1) if y.ndim > 1 and y.shape[-1] > 1 else y.reshape(len(y))
    classes = classes.astype(np.int64)
    if not isinstance(class_weight, dict) or not class_weight:
        raise ValueError(f"`class_weight` must be a non-empty dict from class index to "
                         f"weight. Received: {class_weight!r}")
    present = set(np.unique(classes).tolist())
    unknown = sorted(k for k in class_weight if k not in present)
    if unknown:
        raise ValueError(
            f"`class_weight` names classes {unknown} that do not appear in `y` (classes "
            f"present: {sorted(present)})."
        )
    table = np.ones(max(max(present), max(class_weight)) + 1, dtype=np.float32)
    for index, weight in class_weight.items():
        table[index] = weight
    weights = table[classes]
    if sample_weight is not None:
        weights = weights * np.asarray(sample_weight, dtype=np.float32)
    return weights


def input_spec(x):
    """KerasTensors with x's structure, shapes (batch dimension unknown) and dtypes."""

    def spec(leaf):
        dtype = str(getattr(leaf, "dtype", "float32"))
        dtype = {"float64": "float32", "int64": "int32"}.get(dtype, dtype)
        return KerasTensor((None,) + tuple(np.shape(leaf)[1:]), dtype)

    return jax.tree_util.tree_map(spec, x)


def check_build_shapes(model_name, expected, x):
    """Raise a ValueError when the arrays of `x` do not fit the shapes a subclassed model was
    built for (`expected`: one shape, or the same structure of shapes as `x`); the batch
    dimension and unknown dimensions match anything."""
    def is_shape(value):
        return isinstance(value, (tuple, list)) and all(
            d is None or isinstance(d, (int, np.integer)) for d in value)

    shapes = jax.tree_util.tree_leaves(expected, is_leaf=is_shape)
    leaves = jax.tree_util.tree_leaves(x)
    if len(shapes) != len(leaves):
        return  # another structure: the model's own call decides
    for shape, leaf in zip(shapes, leaves):
        received = tuple(np.shape(leaf))
        if len(shape) != len(received) or any(
                e is not None and e != r for e, r in zip(shape[1:], received[1:])):
            raise ValueError(
                f"Input of model '{model_name}' is incompatible with the model: expected shape "
                f"{tuple(shape)}, but received input with shape {received}."
            )


def unpack_validation(validation_data):
    """`(x, y, sample_weight)` from `fit`'s `validation_data` (2 or 3 items)."""
    if not isinstance(validation_data, (list, tuple)) or len(validation_data) not in (2, 3):
        raise ValueError(
            "`validation_data` must be a tuple `(x_val, y_val)` or `(x_val, y_val, "
            f"val_sample_weight)`. Received: {type(validation_data).__name__}"
        )
    x, y, *rest = validation_data
    return x, y, (rest[0] if rest else None)


def check_batch_size(batch_size):
    if batch_size is None:
        return 32
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
        raise TypeError(f"`batch_size` must be a positive integer. Received: {batch_size!r}")
    if batch_size <= 0:
        raise ValueError(f"`batch_size` must be a positive integer. Received: {batch_size}")
    return int(batch_size)


def to_device(structure):
    """Put a structure of host arrays on the device (float64 inputs become float32); under a
    distribution, replicated on every device of its mesh."""

    def put(a):
        a = np.asarray(a) if not isinstance(a, jax.Array) else a
        if a.dtype == np.float64:
            a = a.astype(np.float32)
        return placement.put_dataset(a)

    return jax.tree_util.tree_map(put, structure)


def to_host_float32(structure):
    """Numpy arrays as the steps take them (float64 becomes float32); JAX arrays unchanged."""

    def convert(a):
        if isinstance(a, jax.Array):
            return a
        a = np.asarray(a)
        return a.astype(np.float32) if a.dtype == np.float64 else a

    return jax.tree_util.tree_map(convert, structure)


def host_rows(structure, start, size):
    """Rows `start:start + size` of every array, sliced where the arrays live."""
    return jax.tree_util.tree_map(lambda a: a[start:start + size], structure)


# XLA:CPU uses a host buffer in place (no copy) when it is aligned to this many bytes.
_CPU_BUFFER_ALIGNMENT = 64


def take_rows(structure, rows):
    """Rows `rows` (a numpy index array, in bounds: not checked) of every host array, gathered
    into new arrays aligned for XLA:CPU, so that on the CPU backend putting them on the device
    copies nothing."""

    def take(a):
        shape = (len(rows),) + a.shape[1:]
        nbytes = int(np.prod(shape)) * a.dtype.itemsize
        raw = np.empty(nbytes + _CPU_BUFFER_ALIGNMENT, np.uint8)
        offset = -raw.ctypes.data % _CPU_BUFFER_ALIGNMENT
        out = raw[offset:offset + nbytes].view(a.dtype).reshape(shape)
        # `mode="raise"` (the default) buffers the whole gather when given `out` (numpy's
        # documented behaviour), a slow extra copy. Rows come from the trainer's
        # own ranges and permutations, always in bounds.
        return np.take(a, rows, axis=0, out=out, mode="clip")

    return jax.tree_util.tree_map(take, structure)


def gather(structure, indices):
    """Rows `indices` of every array in a structure (runs inside the jitted step); under a
    distribution, laid out as its data (batch dimension split over the batch axis)."""
    batch = jax.tree_util.tree_map(lambda a: jnp.take(a, indices, axis=0), structure)
    return placement.constrain_batch(batch)


def slice_rows(structure, start, size):
    """Rows `start:start + size` of every array in a structure (inside the jitted step),
    laid out as `gather`'s."""
    batch = jax.tree_util.tree_map(
        lambda a: jax.lax.dynamic_slice_in_dim(a, start, size, axis=0), structure
    )
    return placement.constrain_batch(batch)


def batch_starts(n, batch_size, padded=False):
    """`[(start, size), ...]` covering n samples; only the last batch may be smaller, unless
    `padded`: then every batch has the full size (`min(batch_size, n)`), the last one running
    past the data (`jkeras.trainers.batch_padding`)."""
    if padded:
        return [(start, min(batch_size, n)) for start in range(0, n, batch_size)]
    return [(start, min(batch_size, n - start)) for start in range(0, n, batch_size)]
