"""Preprocessing layers inside `tf.data` pipelines, without TensorFlow as a dependency.

`dataset.map(layer)` calls a layer on symbolic TensorFlow tensors. jkeras layers compute with
numpy (host layers) or JAX, so such a call runs the layer on the tensors' numpy values through
`tf.numpy_function`, with the output shapes and dtypes the layer declares for its inputs.
TensorFlow is imported only when a TensorFlow tensor is passed, so it stays optional.
"""

import jax
import numpy as np

from jkeras.core.keras_tensor import KerasTensor


def is_tf_tensor(x):
    """Whether `x` is a TensorFlow tensor, judged by its class's module (no TF import)."""
    return type(x).__module__.startswith("tensorflow.") and hasattr(x, "dtype")


def _leaves(structure):
    return jax.tree_util.tree_flatten(structure, is_leaf=is_tf_tensor)


def any_tf_tensor(*structures):
    return any(is_tf_tensor(leaf) for leaf in _leaves(structures)[0])


def _tf_dtype_name(dtype):
    return "string" if dtype.name == "string" else dtype.name


def _from_tf(array):
    """Strings arrive from `tf.numpy_function` as bytes objects: decoded to `str`."""
    if array.dtype == object or array.dtype.kind == "S":
        return np.char.decode(array.astype(np.bytes_), "utf-8") if array.size else array.astype(str)
    return array


def _to_tf(value, dtype):
    value = np.asarray(value)
    if dtype == "string":
        return np.char.encode(value.astype(str), "utf-8") if value.size else value.astype(bytes)
    return value.astype(dtype)


class TFDataCallable:
    """Mixin for layers usable in `tf.data.Dataset.map`: called on TensorFlow tensors, the
    layer runs eagerly on their numpy values inside `tf.numpy_function`."""

    def __call__(self, *args, **kwargs):
        if any_tf_tensor(args, kwargs):
            return call_on_tf_tensors(self, args, kwargs)
        return super().__call__(*args, **kwargs)


def call_on_tf_tensors(layer, args, kwargs):
    """`layer(*args, **kwargs)` for TensorFlow tensor arguments, as TensorFlow tensors."""
    import tensorflow as tf  # on use: only given TensorFlow tensors, TensorFlow is imported

    leaves, treedef = _leaves((args, kwargs))
    positions = [i for i, leaf in enumerate(leaves) if is_tf_tensor(leaf)]
    symbolic = list(leaves)
    for i in positions:
        shape = leaves[i].shape
        if shape.rank is None:
            raise ValueError(
                f"Layer '{layer.name}' received a TensorFlow tensor of unknown rank inside a "
                "tf.data pipeline; give the dataset's elements a known rank (e.g. batch them)."
            )
        symbolic[i] = KerasTensor(tuple(shape.as_list()), _tf_dtype_name(leaves[i].dtype))
    spec_args, spec_kwargs = jax.tree_util.tree_unflatten(treedef, symbolic)
    if spec_args:
        layer._maybe_build(spec_args[0])
    spec = layer.compute_output_spec(*spec_args, **spec_kwargs)
    spec_leaves, spec_tree = jax.tree_util.tree_flatten(
        spec, is_leaf=lambda x: isinstance(x, KerasTensor))

    def run(*arrays):
        filled = list(leaves)
        for i, array in zip(positions, arrays):
            filled[i] = _from_tf(array)
        call_args, call_kwargs = jax.tree_util.tree_unflatten(treedef, filled)
        outputs = jax.tree_util.tree_leaves(layer(*call_args, **call_kwargs))
        return [_to_tf(value, s.dtype) for value, s in zip(outputs, spec_leaves)]

    out_types = [tf.string if s.dtype == "string" else tf.as_dtype(s.dtype) for s in spec_leaves]
    results = tf.numpy_function(run, [leaves[i] for i in positions], out_types, stateful=False)
    for result, s in zip(results, spec_leaves):
        result.set_shape(s.shape)
    return jax.tree_util.tree_unflatten(spec_tree, list(results))
