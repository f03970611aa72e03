"""`Dot`: batchwise dot product of two tensors along chosen axes."""

import jax
import jax.numpy as jnp

from jkeras import config
from jkeras.layers.merging.merge import Merge


class Dot(Merge):
    """Dot product of two samples along `axes`, for each sample of the batch.

    For inputs of shapes `(batch, *a)` and `(batch, *b)`, contracting axis `i` of the first with
    axis `j` of the second, the output has the first's remaining axes followed by the second's
    (Keras's `batch_dot`); a result with no axis but the batch one gets shape `(batch, 1)`.

    Args:
        axes: int, or tuple of 2 ints: the axis of each input to contract (not 0, the batch
            axis; negative values count from the end).
        normalize: whether to L2-normalize both inputs along the contracted axes first, so the
            output is the cosine similarity.

    Input shape: a list of 2 tensors, rank >= 2, with equal batch sizes.

    Example:
        >>> x, y = np.ones((2, 3, 5)), np.ones((2, 10, 3))
        >>> jkeras.layers.Dot(axes=(1, 2))([x, y]).shape
        (2, 5, 10)
    """

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axes, int):
            if not isinstance(axes, (list, tuple)):
                raise TypeError(
                    f"Invalid type for argument `axes` of Dot layer '{self.name}': it should be "
                    f"a list or an int. Received: axes={axes!r}"
                )
            if len(axes) != 2:
                raise ValueError(
                    f"Invalid format for argument `axes` of Dot layer '{self.name}': it should "
                    f"contain two elements. Received: axes={axes!r}"
                )
            if not all(isinstance(a, int) for a in axes):
                raise ValueError(
                    f"Invalid format for argument `axes` of Dot layer '{self.name}': list "
                    f"elements should be integers. Received: axes={axes!r}"
                )
        self.axes = axes
        self.normalize = normalize
        self.supports_masking = True

    def _axes_for(self, shape1, shape2):
        axes = [self.axes] * 2 if isinstance(self.axes, int) else list(self.axes)
        return [a % len(shape) if a < 0 else a for a, shape in zip(axes, (shape1, shape2))]

    def _check(self, shapes):
        if not isinstance(shapes, (list, tuple)) or len(shapes) != 2 or not all(
            isinstance(s, (list, tuple)) for s in shapes
        ):
            raise ValueError(
                f"A `Dot` layer ('{self.name}') should be called on a list of 2 inputs. "
                f"Received: input_shape={shapes}"
            )
        shape1, shape2 = (tuple(s) for s in shapes)
        if len(shape1) < 2 or len(shape2) < 2:
            raise ValueError(
                f"Dot layer '{self.name}' needs inputs of rank >= 2 (a batch axis and at "
                f"least one more). Received input shapes {shape1} and {shape2}."
            )
        axes = self._axes_for(shape1, shape2)
        for axis, shape in zip(axes, (shape1, shape2)):
            if not 0 < axis < len(shape):
                raise ValueError(
                    f"Invalid `axes` {self.axes!r} of Dot layer '{self.name}' for input shapes "
                    f"{shape1} and {shape2}: each axis must be a non-batch axis of its input."
                )
        size1, size2 = shape1[axes[0]], shape2[axes[1]]
        if size1 is not None and size2 is not None and size1 != size2:
            raise ValueError(
                f"Incompatible input shapes for Dot layer '{self.name}': axis values {size1} (at "
                f"axis {axes[0]}) != {size2} (at axis {axes[1]}). Full input shapes: {shape1}, "
                f"{shape2}"
            )
        batch1, batch2 = shape1[0], shape2[0]
        if batch1 is not None and batch2 is not None and batch1 != batch2:
            raise ValueError(
                f"Dot layer '{self.name}' needs inputs with equal batch sizes. Received input "
                f"shapes {shape1} and {shape2}."
            )
        return axes

    def build(self, input_shape):
        self._check(input_shape)

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError(
                f"A `Dot` layer ('{self.name}') should be called on a list of exactly 2 inputs. "
                f"Received: {type(inputs).__name__} of length {len(inputs)}"
            )
        x1, x2 = jnp.asarray(inputs[0]), jnp.asarray(inputs[1])
        axes = self._check([x1.shape, x2.shape])
        if self.normalize:
            x1, x2 = _l2_normalize(x1, axes[0]), _l2_normalize(x2, axes[1])
        output = jax.lax.dot_general(x1, x2, (([axes[0]], [axes[1]]), ([0], [0])))
        return output[:, None] if output.ndim == 1 else output

    def compute_output_shape(self, input_shape):
        axes = self._check(input_shape)
        shape1, shape2 = list(input_shape[0]), list(input_shape[1])
        shape1.pop(axes[0])
        shape2.pop(axes[1])
        output_shape = shape1 + shape2[1:]
        return tuple(output_shape + [1] if len(output_shape) == 1 else output_shape)

    def compute_mask(self, inputs, previous_mask):
        return None

    def get_config(self):
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def _l2_normalize(x, axis):
    """Keras's `ops.normalize(x, axis)`: `x * min(rsqrt(sum(x²)), 1 / epsilon)`."""
    square_sum = jnp.sum(jnp.square(x), axis=axis, keepdims=True)
    return x * jnp.minimum(jax.lax.rsqrt(square_sum), 1.0 / config.epsilon())
