"""`HashedCrossing`: crosses of categorical features hashed into bins, on the host."""

import numpy as np

from jkeras.core.keras_tensor import KerasTensor
from jkeras.layers.preprocessing import encoding, string_hashing
from jkeras.layers.preprocessing.host_layer import HostLayer, is_string_array, to_numpy


class HashedCrossing(HostLayer):
    """Hashes the combination of two or more categorical features into `num_bins` bins, with
    the values of Keras 3 (TensorFlow's `tf.sparse.cross_hashed`: each feature's fingerprint,
    strings by FarmHash Fingerprint64 and integers as they are, chained by `FingerprintCat64`).

    Args:
        num_bins: number of bins.
        output_mode: `"int"` (bin indices, int64) or `"one_hot"`.
        sparse: must be False (TensorFlow only).

    Input shape: a list of at least two arrays of equal shape `()`, `(batch,)` or
    `(batch, 1)`, of integers or strings. Output shape: the inputs' for `"int"`, else with a
    last axis of `num_bins`.

    Example:
        >>> layer = jkeras.layers.HashedCrossing(num_bins=5)
        >>> layer((np.array([1, 2, 3, 4]), np.array(["A", "B", "A", "B"]))).shape
        (4,)
    """

    def __init__(self, num_bins, output_mode="int", sparse=False, name=None, dtype=None,
                 **kwargs):
        del kwargs  # Keras 3 accepts and ignores others (`trainable` from base configs)
        if output_mode == "int" and dtype is None:
            dtype = "int64"
        super().__init__(name=name, dtype=dtype)
        if sparse:
            raise ValueError("`sparse=True` can only be used with the TensorFlow backend.")
        if output_mode not in ("int", "one_hot"):
            raise ValueError(
                "Unknown value for `output_mode` argument of layer HashedCrossing. Allowed "
                f"values are: ('int', 'one_hot'). Received: {output_mode}")
        self.num_bins = num_bins
        self.output_mode = output_mode
        self.sparse = sparse

    @property
    def output_dtype(self):
        return self.compute_dtype

    def compute_output_shape(self, input_shape):
        if (len(input_shape) != 2 or not isinstance(input_shape[0], tuple)
                or not isinstance(input_shape[1], tuple)):
            raise ValueError(
                "Expected as input a list/tuple of 2 tensors. "
                f"Received input_shape={input_shape}")
        if input_shape[0][-1] != input_shape[1][-1]:
            raise ValueError(
                "Expected the two input tensors to have identical shapes. "
                f"Received input_shape={input_shape}")
        first = tuple(input_shape[0])
        if self.output_mode == "int":
            return first
        if first[-1] != 1:
            return first + (self.num_bins,)
        return first[:-1] + (self.num_bins,)

    def compute_output_spec(self, inputs):
        shapes = tuple(tuple(x.shape) for x in inputs)
        return KerasTensor(self.compute_output_shape(shapes[:2]), self.output_dtype)

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(  # noqa: TRY004 (Keras's type)
                "`HashedCrossing` should be called on a list or tuple of inputs. Received: "
                f"inputs={inputs}")
        if len(inputs) < 2:
            raise ValueError(
                "`HashedCrossing` should be called on at least two inputs. Received: "
                f"inputs={inputs}")
        inputs = [to_numpy(x) for x in inputs]
        self._check_inputs(inputs)
        shape = inputs[0].shape
        crossed = np.full(inputs[0].size, string_hashing.CROSS_HASH_KEY, dtype=np.uint64)
        for feature in inputs:
            crossed = string_hashing.fingerprint_cat64(
                crossed, string_hashing.cross_feature_hashes(feature.reshape(-1)))
        bins = (crossed % np.uint64(self.num_bins)).astype(np.int64).reshape(shape)
        return encoding.encode_host(bins, self.output_mode, self.num_bins, self.compute_dtype)

    def _check_inputs(self, inputs):
        shape = inputs[0].shape
        if len(shape) > 2 or (len(shape) == 2 and shape[-1] != 1):
            raise ValueError(
                "All `HashedCrossing` inputs should have shape `()`, `(batch_size)` or "
                f"`(batch_size, 1)`. Received: shapes {[x.shape for x in inputs]}")
        if any(x.shape != shape for x in inputs[1:]):
            raise ValueError(
                "All `HashedCrossing` inputs should have equal shape. Received: shapes "
                f"{[x.shape for x in inputs]}")
        if not all(x.dtype.kind in "iu" or is_string_array(x) for x in inputs):
            raise ValueError(
                "All `HashedCrossing` inputs should have an integer or string dtype. "
                f"Received: dtypes {[str(x.dtype) for x in inputs]}")

    def get_config(self):
        return {"num_bins": self.num_bins, "output_mode": self.output_mode,
                "sparse": self.sparse, "name": self.name, "dtype": self.dtype}
