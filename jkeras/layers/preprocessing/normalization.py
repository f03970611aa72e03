"""`Normalization`: standardize features with a mean and variance, given or `adapt`ed."""

import itertools
import math

import jax.numpy as jnp
import numpy as np

from jkeras import config
from jkeras.layers.layer import Layer


class Normalization(Layer):
    """Shifts and scales inputs to zero mean and unit variance: `(x - mean) / sqrt(var)`.

    The mean and variance are either given, or computed from data with `adapt(data)` (in
    numpy, before training) and stored in the non-trainable weights `mean`, `variance` and
    `count` (Keras 3's names and shapes, so `set_weights` copies them; like Keras, `adapt` leaves
    `count` at 0). The denominator is `max(sqrt(variance), jkeras.config.epsilon())`.

    Args:
        axis: int, tuple of ints or None: the axes that keep their own statistics (default
            -1, the features); every other axis is reduced over. None means one scalar mean
            and variance.
        mean / variance: optional values to use instead of `adapt`; scalars or arrays that
            broadcast over the kept axes. Both or neither must be given.
        invert: apply the inverse transformation, `x * sqrt(var) + mean`.

    Input shape: any; the kept axes must have known sizes. Output shape: same as input.

    Example:
        >>> layer = jkeras.layers.Normalization()
        >>> layer.adapt(np.array([[0.0, 10.0], [2.0, 30.0]]))
        >>> np.asarray(layer(np.array([[1.0, 20.0]])))
        array([[0., 0.]], dtype=float32)
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int):
            axis = (axis,)
        else:
            axis = tuple(axis)
        self.axis = axis
        self.input_mean = mean
        self.input_variance = variance
        self.invert = invert
        self.supports_masking = True
        self._build_input_shape = None
        if (mean is not None) != (variance is not None):
            raise ValueError(
                f"When setting values directly on layer '{self.name}', both `mean` and "
                f"`variance` must be set. Received: mean={mean} and variance={variance}"
            )
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError(
                    f"When setting values directly on layer '{self.name}', `mean` and "
                    f"`variance` must have the same shape. Received: mean shape "
                    f"{np.shape(mean)} and variance shape {np.shape(variance)}"
                )
            if len(np.shape(mean)) > len(self.axis):
                raise ValueError(
                    f"The rank of `mean` of layer '{self.name}' must be less than or equal to "
                    f"the number of axes ({len(self.axis)}). Received: mean shape "
                    f"{np.shape(mean)} for axis {self.axis}"
                )

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        ndim = len(input_shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(
                f"All `axis` values of layer '{self.name}' must be in the range [-ndim, ndim). "
                f"Received inputs with ndim={ndim}, while axis={self.axis}"
            )
        self._build_input_shape = input_shape
        self._keep_axis = tuple(sorted(a % ndim for a in self.axis))
        for axis in self._keep_axis:
            if input_shape[axis] is None:
                raise ValueError(
                    f"All `axis` values to be kept by layer '{self.name}' must have a known "
                    f"shape. Received axis={self.axis}, inputs.shape={input_shape}, with "
                    f"unknown axis at index {axis}"
                )
        self._reduce_axis = tuple(d for d in range(ndim) if d not in self._keep_axis)
        self._broadcast_shape = tuple(
            input_shape[d] if d in self._keep_axis else 1 for d in range(ndim)
        )
        self._mean_and_var_shape = tuple(input_shape[d] for d in self._keep_axis)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(
                name="mean", shape=self._mean_and_var_shape, initializer="zeros",
                trainable=False,
            )
            self.adapt_variance = self.add_weight(
                name="variance", shape=self._mean_and_var_shape, initializer="ones",
                trainable=False,
            )
            self.count = self.add_weight(
                name="count", shape=(), dtype="int32", initializer="zeros", trainable=False
            )
        else:
            # Fixed statistics are constants (numpy, so no tracer can be captured).
            self._fixed_mean = self._broadcast_given(self.input_mean)
            self._fixed_variance = self._broadcast_given(self.input_variance)

    def _broadcast_given(self, value):
        value = np.asarray(value, dtype=self.compute_dtype)
        if value.ndim > 0:
            expanded = [1] * len(self._broadcast_shape)
            for i in range(1, value.ndim + 1):
                expanded[self._keep_axis[-i]] = value.shape[-i]
            value = np.reshape(value, expanded)
        try:
            return np.broadcast_to(value, self._broadcast_shape)
        except ValueError:
            raise ValueError(
                f"The `mean`/`variance` of layer '{self.name}' (shape {value.shape}) do not "
                f"broadcast to the kept axes of inputs of shape {self._build_input_shape}."
            ) from None

    def _set_trainable(self, value):
        Layer.trainable.fset(self, value)
        # The base setter flips every own variable; the statistics must stay state.
        for variable in self._own_variables:
            variable.trainable = False

    trainable = property(Layer.trainable.fget, _set_trainable)

    @property
    def mean(self):
        """The mean, broadcastable against the inputs (None before the layer is built)."""
        if not self.built:
            return None
        if self.input_mean is not None:
            return jnp.asarray(self._fixed_mean)
        return jnp.reshape(self.adapt_mean.value, self._broadcast_shape).astype(self.compute_dtype)

    @property
    def variance(self):
        """The variance, broadcastable against the inputs (None before the layer is built)."""
        if not self.built:
            return None
        if self.input_variance is not None:
            return jnp.asarray(self._fixed_variance)
        return jnp.reshape(self.adapt_variance.value, self._broadcast_shape).astype(
            self.compute_dtype
        )

    def adapt(self, data):
        """Compute the mean and variance of `data` over the reduced axes (in numpy).

        Args:
            data: a numpy/JAX array, or an iterable of batches (arrays, or `(x, y, ...)` tuples
                whose first element is used); batch statistics are combined exactly.
        """
        if hasattr(data, "shape") and hasattr(data, "dtype"):
            batches, first = None, np.asarray(data)
        elif hasattr(data, "__iter__"):
            iterator = iter(data)
            first = next(iterator, None)
            if first is None:
                raise ValueError(
                    f"adapt() of layer '{self.name}' received an empty iterable (no batches). "
                    "Pass an array or a non-empty iterable of arrays."
                )
            first = np.asarray(_extract_batch(first))
            if first.ndim == 0:
                raise TypeError(
                    f"adapt() of layer '{self.name}' expects an array or an iterable of "
                    "batches (arrays); received an iterable of scalars. Pass `np.array(data)`."
                )
            batches = itertools.chain([first], iterator)
        else:
            raise TypeError(
                f"adapt() of layer '{self.name}' supports arrays and iterables of batches. "
                f"Received: {type(data)}"
            )
        if not self.built:
            self.build(first.shape)
        else:
            self._check_shape(first.shape)
        if self.input_mean is not None:
            raise ValueError(
                f"Layer '{self.name}' was given a fixed `mean` and `variance`; adapt() cannot "
                "change them."
            )
        if batches is None:
            total_mean = np.mean(first, axis=self._reduce_axis)
            total_var = np.var(first, axis=self._reduce_axis)
        else:
            total_mean, total_var, total_count = 0.0, 0.0, 0
            for batch in batches:
                batch = np.asarray(_extract_batch(batch), dtype=self.compute_dtype)
                self._check_shape(batch.shape)
                batch_mean = np.mean(batch, axis=self._reduce_axis)
                batch_var = np.var(batch, axis=self._reduce_axis)
                count = math.prod(batch.shape[d] for d in self._reduce_axis)
                total_count += count
                batch_weight = count / total_count
                existing_weight = 1.0 - batch_weight
                new_mean = total_mean * existing_weight + batch_mean * batch_weight
                total_var = (total_var + (total_mean - new_mean) ** 2) * existing_weight + (
                    batch_var + (batch_mean - new_mean) ** 2
                ) * batch_weight
                total_mean = new_mean
        self.adapt_mean.assign(np.asarray(total_mean).reshape(self._mean_and_var_shape))
        self.adapt_variance.assign(np.asarray(total_var).reshape(self._mean_and_var_shape))

    def _check_shape(self, shape):
        if len(shape) != len(self._build_input_shape) or any(
            shape[d] != self._build_input_shape[d] for d in self._keep_axis
        ):
            raise ValueError(
                f"Layer '{self.name}' was built with input_shape={self._build_input_shape}, "
                f"but adapt() is being called with data of an incompatible shape {tuple(shape)}."
            )

    def call(self, inputs):
        inputs = jnp.asarray(inputs, dtype=self.compute_dtype)
        denominator = jnp.maximum(jnp.sqrt(self.variance), config.epsilon())
        if self.invert:
            return self.mean + inputs * denominator
        return (inputs - self.mean) / denominator

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "axis": self.axis,
            "invert": self.invert,
            "mean": np.array(self.input_mean).tolist(),
            "variance": np.array(self.input_variance).tolist(),
        }


def _extract_batch(batch):
    """The inputs of a batch: `x` from `(x, y)` or `(x, y, sample_weight)`."""
    return batch[0] if isinstance(batch, tuple) else batch
