"""`Masking`: marks the time steps whose features all equal `mask_value` as padding."""

import jax.numpy as jnp

from jkeras.layers.layer import Layer


class Masking(Layer):
    """Masks a sequence by using a mask value to skip timesteps.

    A time step (axis 1) whose entries (last axis) all equal `mask_value` is masked: its
    output is zeroed, and the layers after it that support masking (e.g. `LSTM`) skip it.

    Args:
        mask_value: the padding value; default 0.0.

    Input shape: `(batch, timesteps, features)`, or any rank >= 2.
    Output shape: same as the input.

    Example:
        >>> x = np.random.random((32, 10, 8)).astype("float32")
        >>> x[:, 3, :] = 0.0
        >>> model = jkeras.Sequential([jkeras.layers.Masking(0.0), jkeras.layers.LSTM(32)])
        >>> model(x).shape  # time step 3 is skipped by the LSTM
        (32, 32)
    """

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True

    def compute_mask(self, inputs, previous_mask=None):
        """`True` where any feature differs from `mask_value`, `(batch, timesteps)`."""
        return jnp.any(jnp.not_equal(inputs, self.mask_value), axis=-1)

    def call(self, inputs):
        inputs = jnp.asarray(inputs)
        keep = jnp.any(jnp.not_equal(inputs, self.mask_value), axis=-1, keepdims=True)
        return jnp.where(keep, inputs, jnp.zeros((), inputs.dtype))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}
