"""Masks attached to tensors, as Keras 3 attaches them (`_keras_mask`): a layer that produces a
mask sets it on its outputs, and the next layer called on them receives it.

A `KerasTensor` holds its mask in `keras_mask`. JAX arrays and tracers take no attributes, so
their masks are kept by object id while the array lives (Keras 3 does the same on JAX).
"""

import weakref

from jkeras.core.keras_tensor import KerasTensor

_masks = {}  # id(array) -> mask, cleared when the array is collected


def get_keras_mask(x):
    """The mask attached to `x`, or None."""
    if isinstance(x, KerasTensor):
        return x.keras_mask
    return _masks.get(id(x)) if _masks else None


def set_keras_mask(x, mask):
    """Attach `mask` to `x` (None detaches it); a no-op for what holds no mask (None,
    Python numbers)."""
    if isinstance(x, KerasTensor):
        x.keras_mask = mask
        return
    if mask is None:
        _masks.pop(id(x), None)
        return
    try:
        weakref.finalize(x, _masks.pop, id(x), None)
    except TypeError:  # not weak-referenceable: nothing outlives the call to attach it to
        return
    _masks[id(x)] = mask
