"""`Hashing`: strings or integers hashed into a fixed number of bins, on the host."""

import numpy as np

from jkeras import config
from jkeras.layers.preprocessing import encoding, string_hashing
from jkeras.layers.preprocessing.host_layer import HostLayer, to_numpy


def standardize_salt(salt, layer_name):
    """Keras's salt forms: an int (used for both key halves) or a pair of ints."""
    if salt is None:
        return None
    if isinstance(salt, (tuple, list)) and len(salt) == 2:
        return list(salt)
    if isinstance(salt, int):
        return [salt, salt]
    raise ValueError(
        f"The `salt` argument for `{layer_name}` can only be a tuple of size 2 integers, or a "
        f"single integer. Received: salt={salt}."
    )


class Hashing(HostLayer):
    """Hashes each value into one of `num_bins` bins, with Keras 3's (TensorFlow's) values.

    Strings are hashed with FarmHash Fingerprint64, or with SipHash-2-4 keyed by `salt`; other
    values as their decimal text (floats truncated to integers first). With `mask_value`, bin 0
    is reserved for it and the others hash into bins `1..num_bins - 1`.

    Args:
        num_bins: number of bins, including the mask bin if `mask_value` is set.
        mask_value: a value mapped to bin 0 (None: no mask bin).
        salt: an int or a pair of ints: use SipHash keyed by it instead of FarmHash.
        output_mode: `"int"` (bin indices), `"one_hot"`, `"multi_hot"` or `"count"`
            (see `jkeras.layers.CategoryEncoding`).
        sparse: must be False (JAX has no sparse tensors here).

    Input shape: any; strings or integers. Output shape: the input's for `"int"`, else the
    encoded shape.

    Example:
        >>> jkeras.layers.Hashing(num_bins=3)([["A"], ["B"], ["C"]])
        array([[1], [0], [1]])
    """

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False,
                 **kwargs):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else config.floatx()
        super().__init__(**kwargs)
        if num_bins is None or num_bins <= 0:
            raise ValueError(
                "The `num_bins` for `Hashing` cannot be `None` or non-positive values. "
                f"Received: num_bins={num_bins}."
            )
        if output_mode == "int" and self.dtype_policy.name not in ("int32", "int64"):
            raise ValueError(
                'When `output_mode="int"`, `dtype` should be an integer type, \'int32\' or '
                f"'in64'. Received: dtype={kwargs['dtype']}"
            )
        if output_mode not in encoding.OUTPUT_MODES:
            raise ValueError(
                "Invalid value for argument `output_mode`. Expected one of "
                f"{encoding.OUTPUT_MODES}. Received: output_mode={output_mode}"
            )
        if sparse and output_mode == "int":
            raise ValueError(
                '`sparse` may only be true if `output_mode` is `"one_hot"`, `"multi_hot"`, '
                f'or `"count"`. Received: sparse={sparse} and output_mode={output_mode}'
            )
        if sparse:
            raise ValueError("`sparse=True` can only be used with the TensorFlow backend.")
        self.num_bins = num_bins
        self.mask_value = mask_value
        self.strong_hash = salt is not None
        self.output_mode = output_mode
        self.sparse = sparse
        self.salt = standardize_salt(salt, "Hashing")

    @property
    def output_dtype(self):
        return self.compute_dtype

    def hash_to_bins(self, values):
        """Bin indices (int64) of a numpy array of values."""
        bins = self.num_bins
        mask = None
        if self.mask_value is not None and bins > 1:
            bins -= 1
            mask = values == self.mask_value
        indices = string_hashing.hash_buckets(values, bins, key=self.salt)
        if mask is not None:
            indices = np.where(mask, 0, indices + 1)
        return indices

    def call(self, inputs):
        inputs = to_numpy(inputs)
        if self.output_mode == "one_hot" and inputs.ndim and inputs.shape[-1] == 1:
            inputs = inputs.reshape(inputs.shape[:-1])
        indices = self.hash_to_bins(inputs)
        return encoding.encode_host(indices, self.output_mode, self.num_bins, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        if not input_shape:
            return (self.num_bins,)
        if self.output_mode == "one_hot" and input_shape[-1] != 1:
            return input_shape + (self.num_bins,)
        return input_shape[:-1] + (self.num_bins,)

    def get_config(self):
        return {
            **super().get_config(),
            "num_bins": self.num_bins,
            "salt": self.salt,
            "mask_value": self.mask_value,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
        }
