"""`GlobalAveragePooling1D` (alias `GlobalAvgPool1D`)."""

import jax.numpy as jnp

from jkeras.layers.pooling.base_global_pooling import BaseGlobalPooling


class GlobalAveragePooling1D(BaseGlobalPooling):
    """Global mean pooling over the steps dimension.

    Args:
        data_format: "channels_last" (default) or "channels_first".
        keepdims: keep the pooled dimension with size 1 (default False).

    Call arguments:
        mask: optional `(batch, steps)` booleans; masked steps are left out of the mean.

    Input shape:
        `(batch, steps, channels)` ("channels_last") or `(batch, channels, steps)`.

    Output shape:
        `(batch, channels)`; with `keepdims`, the input's rank with the pooled dimensions 1.

    Example:
        >>> jkeras.layers.GlobalAveragePooling1D()(np.ones((2, 6, 3))).shape
        (2, 3)
    """

    rank = 1
    pool_mode = "average"

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(data_format=data_format, keepdims=keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return super().call(inputs)
        steps_axis = self._spatial_axes()[0]
        weights = jnp.expand_dims(mask.astype(inputs.dtype), 2 if steps_axis == 1 else 1)
        total = jnp.sum(jnp.where(weights > 0, inputs, 0), axis=steps_axis, keepdims=self.keepdims)
        return total / jnp.sum(weights, axis=steps_axis, keepdims=self.keepdims)


GlobalAvgPool1D = GlobalAveragePooling1D
