"""`Discretization`: continuous values to bin indices (or encodings of them)."""

import functools

import jax
import jax.numpy as jnp
import numpy as np

from jkeras.core.keras_tensor import KerasTensor
from jkeras.layers.layer import Layer
from jkeras.layers.preprocessing import adapt_data, encoding, quantile_summary
from jkeras.layers.preprocessing.tf_data_bridge import TFDataCallable


@functools.partial(jax.jit, static_argnums=(1, 2, 3))
def _discretize(inputs, boundaries, output_mode, dtype):
    """Bin indices of `inputs`, encoded: one compiled computation per shape and boundaries."""
    indices = jnp.digitize(inputs, jnp.asarray(boundaries, dtype="float32")).astype("int32")
    return encoding.encode(indices, output_mode, len(boundaries) + 1, dtype)


class Discretization(TFDataCallable, Layer):
    """Buckets values by `bin_boundaries` (given, or `adapt`ed to `num_bins` quantiles, with
    Keras 3's approximate-quantile algorithm and numbers). Runs in JAX (inside compiled steps);
    the boundaries are constants of the compiled computation.

    Bin `i` holds `bin_boundaries[i-1] <= x < bin_boundaries[i]`.

    Args:
        bin_boundaries: sorted list of boundaries (None: `adapt` with `num_bins`).
        num_bins: number of bins to `adapt` to.
        epsilon: error tolerance of the quantiles (about `1 / epsilon` summary points).
        output_mode: `"int"` (int32 bin indices), `"one_hot"`, `"multi_hot"` or `"count"`.
        sparse: must be False (JAX arrays are dense).

    Input shape: any. Output shape: the input's for `"int"`, else the encoded shape.

    Example:
        >>> layer = jkeras.layers.Discretization(bin_boundaries=[0.0, 1.0, 2.0])
        >>> np.asarray(layer([[-1.5, 1.0, 3.4, 0.5], [0.0, 3.0, 1.3, 0.0]]))
        array([[0, 2, 3, 1], [1, 3, 2, 1]], dtype=int32)
    """

    # A pure function of its inputs: in a model's host stage it also runs on the host where a
    # host layer needs its outputs (a `HashedCrossing` of discretized values).
    runs_on_host_when_needed = True

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int",
                 sparse=False, dtype=None, name=None):
        super().__init__(name=name, dtype=dtype)
        if sparse and output_mode == "int":
            raise ValueError(
                "`sparse=True` may only be used if `output_mode` is `'one_hot'`, "
                f"`'multi_hot'`, or `'count'`. Received: sparse={sparse} and "
                f"output_mode={output_mode}")
        if sparse:
            raise ValueError("`sparse=True` cannot be used with backend jax")
        if output_mode not in encoding.OUTPUT_MODES:
            raise ValueError(
                "Unknown value for `output_mode` argument of layer Discretization. Allowed "
                f"values are: {encoding.OUTPUT_MODES}. Received: {output_mode}")
        if num_bins is not None and num_bins < 0:
            raise ValueError(
                f"`num_bins` must be greater than or equal to 0. Received: `num_bins={num_bins}`")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError(
                "Both `num_bins` and `bin_boundaries` should not be set. Received: "
                f"`num_bins={num_bins}` and `bin_boundaries={bin_boundaries}`")
        if num_bins is None and bin_boundaries is None:
            raise ValueError("You need to set either `num_bins` or `bin_boundaries`.")
        self.bin_boundaries = bin_boundaries
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = sparse
        self.summary = None if bin_boundaries else quantile_summary.empty()
        self._convert_input_args = False

    @property
    def output_dtype(self):
        return self.compute_dtype if self.output_mode != "int" else "int32"

    def adapt(self, data, steps=None):
        """Compute `num_bins` quantile boundaries of `data` (an array, a `tf.data.Dataset`, a
        `PyDataset` or an iterable of batches)."""
        if self.num_bins is None:
            raise ValueError(
                "Cannot adapt a Discretization layer that has been initialized with "
                "`bin_boundaries`, use `num_bins` instead.")
        self.reset_state()
        for batch in adapt_data.batches(data, steps, self.name, lists_are_arrays=False):
            self.update_state(batch)
        self.finalize_state()

    def update_state(self, data):
        data = np.array(data).astype("float32")
        self.summary = quantile_summary.merge(
            quantile_summary.summarize(data, self.epsilon), self.summary, self.epsilon)

    def finalize_state(self):
        if self.num_bins is not None:
            self.bin_boundaries = quantile_summary.bin_boundaries(
                self.summary, self.num_bins).tolist()

    def reset_state(self):
        if self.num_bins is not None:
            self.summary = quantile_summary.empty()

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError(
                "You need to either pass the `bin_boundaries` argument at construction time or "
                "call `adapt(dataset)` before you can start using the `Discretization` layer.")
        inputs = jnp.asarray(inputs)
        if jnp.issubdtype(inputs.dtype, jnp.floating):
            inputs = inputs.astype(self.compute_dtype)
        return _discretize(inputs, tuple(self.bin_boundaries), self.output_mode,
                           self.output_dtype)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        depth = (len(self.bin_boundaries) + 1 if self.bin_boundaries is not None
                 else self.num_bins)
        if self.output_mode == "one_hot":
            if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
                return input_shape[:-1] + (depth,)
            return input_shape + (depth,)
        if len(input_shape) >= 2:
            return (input_shape[0],) + input_shape[2:] + (depth,)
        return (depth,)

    def compute_output_spec(self, inputs):
        return KerasTensor(self.compute_output_shape(inputs.shape), self.output_dtype)

    def get_config(self):
        return {
            "bin_boundaries": self.bin_boundaries,
            "num_bins": self.num_bins,
            "epsilon": self.epsilon,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "name": self.name,
            "dtype": self.dtype,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if config.get("bin_boundaries") is not None and config.get("num_bins") is not None:
            # Adapted: both are set, which the constructor refuses; boundaries come after.
            boundaries = config.pop("bin_boundaries")
            layer = cls(**config)
            layer.bin_boundaries = boundaries
            return layer
        return cls(**config)
