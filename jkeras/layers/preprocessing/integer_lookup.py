"""`IntegerLookup`: integers to indices through a vocabulary (or back), on the host."""

from jkeras.layers.preprocessing.index_lookup import IndexLookup


class IntegerLookup(IndexLookup):
    """Maps integers to indices in a vocabulary given or learned with `adapt` (Keras 3's
    indices, vocabulary order and output modes; see `IndexLookup` for the rules).

    Args:
        max_tokens: maximum vocabulary size, mask and OOV indices included (None: no limit).
        num_oov_indices: number of out-of-vocabulary indices; with more than one, OOV values
            go to `value % num_oov_indices` (`oov_method="floormod"`) or are hashed as text
            (`"farmhash"`; SipHash keyed by `salt`); with 0, an OOV input raises.
        mask_token: a value mapped to index 0 in `"int"` mode (dropped in the other modes).
        oov_token: the value `invert=True` returns for OOV indices (default -1).
        vocabulary: a list/array of integers, or the path of a file with one per line.
        vocabulary_dtype: must be `"int64"`.
        idf_weights: the IDF weights of the vocabulary (`"tf_idf"` mode).
        invert: map indices back to values.
        output_mode: `"int"`, `"one_hot"`, `"multi_hot"`, `"count"` or `"tf_idf"`.
        sparse: must be False (TensorFlow only).
        pad_to_max_tokens: encoded outputs have `max_tokens` columns.
        oov_method: `"floormod"` or `"farmhash"`.
        salt: an int or a pair of ints keying the OOV hash (with `"farmhash"`).

    Input shape: any, of integers. Output shape: the input's in `"int"` mode, else the encoded
    shape. Outputs are numpy arrays (`int64` indices; `float32` TF-IDF).

    Example:
        >>> layer = jkeras.layers.IntegerLookup(vocabulary=[12, 36, 1138, 42])
        >>> layer([[12, 1138, 42], [42, 1000, 36]])
        array([[1, 3, 4], [4, 0, 2]])
    """

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1,
                 vocabulary=None, vocabulary_dtype="int64", idf_weights=None, invert=False,
                 output_mode="int", sparse=False, pad_to_max_tokens=False,
                 oov_method="floormod", salt=None, name=None, **kwargs):
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(
                "If `max_tokens` is set for `IntegerLookup`, it must be greater than 1. "
                f"Received: max_tokens={max_tokens}")
        if num_oov_indices < 0:
            raise ValueError(
                "The value of `num_oov_indices` argument for `IntegerLookup` must >= 0. "
                f"Received: num_oov_indices={num_oov_indices}")
        if vocabulary_dtype != "int64":
            raise ValueError(
                "Only `vocabulary_dtype='int64'` is supported at this time. Received: "
                f"vocabulary_dtype={vocabulary_dtype}")
        super().__init__(
            max_tokens=max_tokens, num_oov_indices=num_oov_indices, mask_token=mask_token,
            oov_token=oov_token, vocabulary=vocabulary, vocabulary_dtype=vocabulary_dtype,
            idf_weights=idf_weights, invert=invert, output_mode=output_mode, sparse=sparse,
            pad_to_max_tokens=pad_to_max_tokens, oov_method=oov_method, salt=salt, name=name,
            **kwargs)

    def get_config(self):
        config = super().get_config()
        for key in ("oov_token", "mask_token"):
            if config[key] is not None:
                config[key] = int(config[key])
        if config["vocabulary"] is not None:
            config["vocabulary"] = [int(v) for v in config["vocabulary"]]
        return config
