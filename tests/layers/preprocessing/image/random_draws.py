"""What the image-layer tests share: a layer's random transformation drawn in one jitted
call (instead of one compilation per operation), with numpy leaves."""

import jax
import numpy as np


def _is_key(value):
    return jax.dtypes.issubdtype(value.dtype, jax.dtypes.prng_key)


def numpy_tree(tree):
    """`tree` with its arrays as numpy arrays (JAX keys stay JAX arrays)."""
    return jax.tree_util.tree_map(
        lambda v: np.asarray(v) if hasattr(v, "shape") and not _is_key(v) else v, tree)


def draw_transformation(layer, data, seed=3):
    """`layer.get_random_transformation(data)` drawn with key `seed` inside `jax.jit`: its
    arrays come back as numpy arrays, its Python numbers (image sizes) as they are."""
    traced = {}

    def arrays(data):
        transformation = layer.get_random_transformation(data, training=True,
                                                         seed=jax.random.key(seed))
        traced["leaves"], traced["treedef"] = jax.tree_util.tree_flatten(transformation)
        return [x for x in traced["leaves"] if isinstance(x, jax.core.Tracer)]

    values = iter(jax.jit(arrays)(data))
    leaves = [next(values) if isinstance(x, jax.core.Tracer) else x for x in traced["leaves"]]
    return numpy_tree(jax.tree_util.tree_unflatten(traced["treedef"], leaves))
