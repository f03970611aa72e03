"""`Softmax`: softmax along an axis, with Keras's masking."""

import jax
import jax.numpy as jnp

from jkeras import activations
from jkeras.layers.layer import Layer


def _large_negative_number(dtype):
    """A very negative number that the dtype can hold (masked logits)."""
    return -3e4 if jnp.dtype(dtype) == jnp.float16 else -1e9


class Softmax(Layer):
    """Softmax activation: `exp(x) / sum(exp(x))` along `axis`.

    Args:
        axis: int or tuple/list of ints, the axes to normalize over (default -1).

    Call arguments:
        inputs: the logits.
        mask: optional tensor broadcastable to `inputs` (bool, or numbers with True meaning
            > 0.5); masked positions get logit -1e9 (-3e4 in float16) and output exactly 0.

    Input shape: any. Output shape: same as input.

    Example:
        >>> layer = jkeras.layers.Softmax()
        >>> np.asarray(layer(np.array([1.0, 2.0, 1.0]), mask=np.array([True, True, False])))
        array([0.26894143, 0.7310586 , 0.        ], dtype=float32)
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.supports_masking = True

    def call(self, inputs, mask=None):
        inputs = jnp.asarray(inputs)
        if mask is not None:
            mask = jnp.asarray(mask)
            if mask.ndim > inputs.ndim or any(
                m != 1 and m != i for m, i in zip(mask.shape[::-1], inputs.shape[::-1])
            ):
                raise ValueError(
                    f"The `mask` of Softmax layer '{self.name}' must be broadcastable to "
                    "`inputs`: each mask dimension must be 1 or match the corresponding input "
                    f"dimension. Received: inputs.shape={inputs.shape}, mask.shape={mask.shape}"
                )
            if mask.dtype != jnp.bool_:
                mask = mask > jnp.asarray(0.5, mask.dtype)
            inputs = jnp.where(mask, inputs, _large_negative_number(inputs.dtype))
        if isinstance(self.axis, (tuple, list)) and len(self.axis) > 1:
            axis = tuple(self.axis)
            outputs = jnp.exp(inputs - jax.nn.logsumexp(inputs, axis=axis, keepdims=True))
        else:
            axis = self.axis[0] if isinstance(self.axis, (tuple, list)) else self.axis
            outputs = activations.softmax(inputs, axis=axis)
        if mask is not None:
            outputs = jnp.where(mask, outputs, 0.0)
        return outputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
