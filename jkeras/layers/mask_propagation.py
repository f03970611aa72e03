"""Keras 3's mask propagation through layer calls, on symbolic tensors and on arrays alike.

Masks travel attached to tensors (`jkeras.core.tensor_masks`). Before a layer's `call`, the
masks of its tensor arguments fill the mask arguments the caller left at None: with one
tensor argument `mask` (the structure of that argument's masks), with several
`<argument>_mask` for each (MultiHeadAttention's `query_mask`, `value_mask`, ...). After the
call, a layer that `supports_masking` attaches `compute_mask(first argument, previous mask)`
to its outputs; one that does not drops the mask, with Keras's warning.
"""

import functools
import inspect
import warnings

import jax

from jkeras.core.keras_tensor import KerasTensor, output_spec
from jkeras.core.tensor_masks import get_keras_mask, set_keras_mask


@functools.cache
def _signature(call):
    return inspect.signature(call)


def _is_tensor(x):
    return isinstance(x, (KerasTensor, jax.Array))


def _leaves(structure):
    return jax.tree_util.tree_leaves(structure, is_leaf=lambda x: x is None or _is_tensor(x))


def _is_tensor_argument(value):
    if _is_tensor(value):
        return True
    if isinstance(value, (list, tuple, dict)) and value:
        leaves = _leaves(value)
        return bool(leaves) and all(x is None or _is_tensor(x) for x in leaves)
    return False


def _masks_of(value):
    return jax.tree_util.tree_map(get_keras_mask, value, is_leaf=_is_tensor)


def fill_mask_arguments(layer, args, kwargs):
    """`(kwargs with the mask arguments filled in, previous mask, first argument)` for
    `layer.call(*args, **kwargs)`; the previous mask is the one `compute_mask` gets (the
    `mask` argument when there is one, else the first argument's masks)."""
    try:
        bound = _signature(type(layer).call).bind(None, *args, **kwargs)
    except TypeError:
        return kwargs, None, args[0] if args else None  # the call itself will say what is wrong
    bound.apply_defaults()
    arguments = dict(list(bound.arguments.items())[1:])  # without `self`
    tensor_arguments = {name: v for name, v in arguments.items() if _is_tensor_argument(v)}
    filled = dict(kwargs)
    if len(tensor_arguments) == 1:
        if "mask" in arguments and arguments["mask"] is None:
            filled["mask"] = _masks_of(next(iter(tensor_arguments.values())))
    else:
        for name, value in tensor_arguments.items():
            if f"{name}_mask" in arguments and arguments[f"{name}_mask"] is None:
                filled[f"{name}_mask"] = _masks_of(value)
    first = next(iter(arguments.values()), None)
    mask = filled.get("mask")
    previous_mask = mask if mask is not None else _masks_of(first)
    return filled, previous_mask, first


def attach_output_masks(layer, first, previous_mask, outputs):
    """Attach `layer`'s output masks to `outputs` (computed abstractly for symbolic outputs),
    or warn as Keras when a layer that does not support masking drops a mask."""
    if not layer.supports_masking:
        if any(m is not None for m in _leaves(previous_mask)):
            warnings.warn(
                f"Layer '{layer.name}' (of type {type(layer).__name__}) was passed an input with "
                "a mask attached to it. However, this layer does not support masking and will "
                "therefore destroy the mask information. Downstream layers will not see the "
                "mask.", stacklevel=3)
        return
    flat_outputs = [x for x in _leaves(outputs) if x is not None]
    if all(get_keras_mask(x) is not None for x in flat_outputs):
        return  # the call attached them (e.g. its outputs are its inputs)
    masks = _output_masks(layer, first, previous_mask, flat_outputs)
    if masks is None:
        return
    for tensor, mask in zip(flat_outputs, _leaves(masks)):
        if get_keras_mask(tensor) is None and mask is not None:
            set_keras_mask(tensor, mask)


def _output_masks(layer, first, previous_mask, flat_outputs):
    symbolic = any(isinstance(x, KerasTensor) for x in flat_outputs)
    if symbolic and type(layer).compute_mask is not _base_compute_mask(layer):
        # jax functions cannot take KerasTensors: the mask's spec, by abstract tracing.
        return output_spec(layer.compute_mask, (first, previous_mask), {})
    return layer.compute_mask(first, previous_mask)


def _base_compute_mask(layer):
    """The base `Layer.compute_mask` (the mask passed through), found along the MRO."""
    return next(vars(c)["compute_mask"] for c in reversed(type(layer).__mro__)
                if "compute_mask" in vars(c))


def default_supports_masking(layer):
    """Keras 3's default for `supports_masking`: whether the class overrides `compute_mask`."""
    return type(layer).compute_mask is not _base_compute_mask(layer)
