"""`Identity`: returns its input unchanged."""

from jkeras.layers.layer import Layer


class Identity(Layer):
    """A placeholder layer that returns its input (any structure) unchanged; masks pass through.

    Input shape: any. Output shape: same as input.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape
