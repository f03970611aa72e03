"""`InputLayer` and `Input`: the entry point of a model, a symbolic `KerasTensor`."""

from jkeras.core.keras_tensor import KerasTensor
from jkeras.core.variable import standardize_dtype
from jkeras.layers.layer import Layer


class InputLayer(Layer):
    """Declares a model input of `shape` (one sample, without the batch dimension).

    Args:
        shape: tuple of ints or None (unknown size).
        batch_size: optional fixed batch size.
        dtype: the input's dtype (`layer.dtype`), default `jkeras.config.floatx()`. The
            layer's `dtype_policy` is the global policy, as any layer's without `dtype`.
        batch_shape: the full shape including the batch dimension (instead of shape).
    """

    def __init__(
        self, shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None,
        input_tensor=None, name=None, ragged=None, optional=False, **kwargs
    ):
        super().__init__(name=name, **kwargs)
        if sparse:
            raise ValueError(f"InputLayer '{self.name}': sparse inputs are not supported.")
        if ragged:
            raise ValueError(f"InputLayer '{self.name}': ragged inputs are not supported.")
        if optional:
            raise ValueError(f"InputLayer '{self.name}': optional inputs are not supported.")
        if input_tensor is not None:
            batch_shape = input_tensor.shape
            dtype = input_tensor.dtype
        if batch_shape is None:
            if shape is None:
                raise ValueError(
                    f"InputLayer '{self.name}' needs `shape` (or `batch_shape`). Received "
                    "neither."
                )
            if isinstance(shape, int):
                shape = (shape,)
            batch_shape = (batch_size,) + tuple(shape)
        self.batch_shape = tuple(batch_shape)
        self._input_dtype = standardize_dtype(dtype)
        self._output = input_tensor or KerasTensor(self.batch_shape, self._input_dtype, name=name)
        self._output.input_layer = self
        self.built = True

    @property
    def dtype(self):
        """The dtype of the input tensor (not of the layer's policy)."""
        return self._input_dtype

    @property
    def output(self):
        return self._output

    def call(self, inputs):
        return inputs

    def get_config(self):
        return {"batch_shape": self.batch_shape, "dtype": self._input_dtype, "sparse": False,
                "ragged": False, "name": self.name, "optional": False}


def Input(shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None, name=None,
          tensor=None):
    """A symbolic input tensor of `shape` (without the batch dimension).

    Example:
        >>> x = jkeras.Input(shape=(784,))
        >>> x.shape
        (None, 784)
    """
    layer = InputLayer(
        shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse,
        batch_shape=batch_shape, input_tensor=tensor, name=name,
    )
    return layer.output
