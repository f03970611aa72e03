"""Masks attached to tensors, as Keras 3 attaches them (`_keras_mask`): a layer that produces a
mask sets it on its outputs, and the next layer called on them receives it.

A `KerasTensor` holds its mask in `keras_mask`. A concrete JAX array takes the `_keras_mask`
attribute, so user code reads `output._keras_mask` as with Keras 3; tracers and NumPy arrays
take no attributes, so their masks are kept by object id while the array lives (Keras 3 does
the same on JAX).
"""

import weakref

from jkeras.core.keras_tensor import KerasTensor

_ATTRIBUTE = "_keras_mask"
_masks = {}  # id(array) -> mask, for arrays that take no attribute; cleared on collection


def get_keras_mask(x):
    """The mask attached to `x`, or None."""
    if isinstance(x, KerasTensor):
        return x.keras_mask
    if _masks and id(x) in _masks:
        return _masks[id(x)]
    return getattr(x, _ATTRIBUTE, None)


def set_keras_mask(x, mask):
    """Attach `mask` to `x` (None detaches it); a no-op for what holds no mask (None,
    Python numbers)."""
    if isinstance(x, KerasTensor):
        x.keras_mask = mask
        return
    _masks.pop(id(x), None)
    try:
        setattr(x, _ATTRIBUTE, mask)
        return
    except AttributeError:
        pass
    if mask is None:
        return
    try:
        weakref.finalize(x, _masks.pop, id(x), None)
    except TypeError:  # not weak-referenceable: nothing outlives the call to attach it to
        return
    _masks[id(x)] = mask
