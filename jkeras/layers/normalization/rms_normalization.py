"""`RMSNormalization`: `x * rsqrt(mean(x**2) + epsilon) * scale` (Zhang and Sennrich, 2019)."""

from jkeras.layers.layer import Layer
from jkeras.ops.nn import rms_normalization


class RMSNormalization(Layer):
    """Root-mean-square normalization with a learned `scale` (initialized to ones).

    Unlike `LayerNormalization`, the mean is not subtracted and there is no offset. The
    normalization computes in at least float32 and returns the input's dtype.

    Args:
        axis: int or list of ints, the axes normalized over; `scale` has their sizes (and,
            as in Keras, multiplies the output with numpy broadcasting).
        epsilon: added to the mean square.

    Input shape: any; output shape: the input's.

    Example:
        >>> layer = jkeras.layers.RMSNormalization()
        >>> layer(np.ones((2, 10))).shape
        (2, 10)
    """

    def __init__(self, axis=-1, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.epsilon = epsilon

    def build(self, input_shape):
        # As Keras, `axis` becomes a (sorted) list once built, which its config then shows.
        if isinstance(self.axis, (list, tuple)):
            self.axis = sorted(self.axis)
        else:
            self.axis = [self.axis]
        for axis in self.axis:
            if not -len(input_shape) <= axis < len(input_shape):
                raise ValueError(
                    f"Axis {axis} is out of bounds for input shape {tuple(input_shape)} in "
                    f"layer '{self.name}'. Received: axis={self.axis}"
                )
        shape = tuple(input_shape[axis] for axis in self.axis)
        self.scale = self.add_weight(name="scale", shape=shape, initializer="ones")

    def call(self, x):
        return rms_normalization(x, scale=self.scale.value, axis=self.axis,
                                 epsilon=self.epsilon)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon}
