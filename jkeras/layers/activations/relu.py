"""`ReLU`: rectified linear unit with optional cap, threshold and leak."""

from jkeras import activations
from jkeras.layers.layer import Layer


class ReLU(Layer):
    """Rectified linear unit.

    `f(x) = max_value` for `x >= max_value`, `x` for `threshold <= x < max_value`, and
    `negative_slope * (x - threshold)` otherwise.

    Args:
        max_value: float >= 0, the largest output (None: no cap).
        negative_slope: float >= 0, the slope below the threshold.
        threshold: float >= 0, the threshold below which values are damped.

    Input shape: any. Output shape: same as input.

    Example:
        >>> np.asarray(jkeras.layers.ReLU(max_value=1.0)(np.array([-1.0, 0.5, 2.0])))
        array([0. , 0.5, 1. ], dtype=float32)
    """

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0.0:
            raise ValueError(
                f"max_value of ReLU layer '{self.name}' cannot be a negative value. "
                f"Received: max_value={max_value}"
            )
        if negative_slope is None or negative_slope < 0.0:
            raise ValueError(
                f"negative_slope of ReLU layer '{self.name}' cannot be None or a negative "
                f"value. Received: negative_slope={negative_slope}"
            )
        if threshold is None or threshold < 0.0:
            raise ValueError(
                f"threshold of ReLU layer '{self.name}' cannot be None or a negative value. "
                f"Received: threshold={threshold}"
            )
        self.max_value = max_value
        self.negative_slope = negative_slope
        self.threshold = threshold
        self.supports_masking = True

    def call(self, inputs):
        return activations.relu(
            inputs,
            negative_slope=self.negative_slope,
            max_value=self.max_value,
            threshold=self.threshold,
        )

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "max_value": self.max_value,
            "negative_slope": self.negative_slope,
            "threshold": self.threshold,
        }
