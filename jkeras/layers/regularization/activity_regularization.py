"""`ActivityRegularization`: add an L1/L2 penalty on the activations to the loss."""

from jkeras import regularizers
from jkeras.layers.layer import Layer


class ActivityRegularization(Layer):
    """Returns its input unchanged and adds `(l1 * sum|x| + l2 * sum x²) / batch_size` to the
    loss with `add_loss` (Keras divides activity penalties by the batch size too).

    Args:
        l1: L1 regularization factor (positive float).
        l2: L2 regularization factor (positive float).

    Input shape: any. Output shape: same as input.
    """

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.l1 = l1
        self.l2 = l2
        self._penalty = regularizers.L1L2(l1=l1, l2=l2)

    def call(self, inputs):
        penalty = self._penalty(inputs)
        if inputs.ndim > 0 and inputs.shape[0]:
            penalty = penalty / inputs.shape[0]
        self.add_loss(penalty)
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "l1": self.l1, "l2": self.l2}
