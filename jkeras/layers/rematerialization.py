"""How a layer's call is rematerialized under the `RematScope` it was created in."""

import functools
import math

import jax

from jkeras.core.device import remat
from jkeras.core.keras_tensor import call_with_leaves


def remat_call(fn):
    """`fn` under `jax.checkpoint`, with only its array arguments traced (flags such as
    `training=False` and other Python values stay static)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        leaves, treedef = jax.tree_util.tree_flatten((args, kwargs))
        positions = [i for i, leaf in enumerate(leaves) if isinstance(leaf, jax.Array)
                     or hasattr(leaf, "__array__") and not isinstance(leaf, (bool, int, float))]
        run = call_with_leaves(fn, leaves, treedef, positions)
        return remat(run)(*[leaves[i] for i in positions])

    return wrapper


def output_size(fn, args, kwargs):
    """The number of elements `fn(*args, **kwargs)` returns (abstract evaluation)."""
    spec = jax.eval_shape(lambda: fn(*args, **kwargs))
    return sum(math.prod(leaf.shape) for leaf in jax.tree_util.tree_leaves(spec))


def rematerialized_call(layer, layer_call, args, kwargs):
    """`layer_call`, or its rematerialized form under `layer`'s remat mode: the whole call
    ("full", "list_of_layers" naming the layer, "larger_than" above the threshold) or only
    the layer's activation ("activations")."""
    mode = layer.remat_mode
    if mode is None or mode.mode is None:
        return layer_call
    if mode.mode == "activations":
        activation = getattr(layer, "activation", None)
        if activation is None:
            return layer_call

        @functools.wraps(layer_call)
        def with_remat_activation(*call_args, **call_kwargs):
            layer.activation = remat_call(activation)
            try:
                return layer_call(*call_args, **call_kwargs)
            finally:
                layer.activation = activation

        return with_remat_activation
    if mode.mode == "full":
        return remat_call(layer_call)
    if mode.mode == "list_of_layers":
        return remat_call(layer_call) if layer.name in mode.layer_names else layer_call
    if output_size(layer_call, args, kwargs) > mode.output_size_threshold:  # "larger_than"
        return remat_call(layer_call)
    return layer_call
