"""`StringLookup`: strings to integer indices through a vocabulary (or back), on the host."""

from jkeras.layers.preprocessing.index_lookup import IndexLookup


class StringLookup(IndexLookup):
    """Maps strings to indices in a vocabulary given or learned with `adapt` (Keras 3's
    indices, vocabulary order and output modes; see `IndexLookup` for the rules).

    Args:
        max_tokens: maximum vocabulary size, mask and OOV indices included (None: no limit).
        num_oov_indices: number of out-of-vocabulary indices; with more than one, OOV strings
            are hashed into them (FarmHash Fingerprint64, or SipHash keyed by `salt`); with 0,
            an OOV input raises.
        mask_token: a token mapped to index 0 in `"int"` mode (dropped in the other modes).
        oov_token: the token `invert=True` returns for OOV indices.
        vocabulary: a list/array of strings, or the path of a file with one per line.
        idf_weights: the IDF weights of the vocabulary (`"tf_idf"` mode).
        invert: map indices back to strings.
        output_mode: `"int"`, `"one_hot"`, `"multi_hot"`, `"count"` or `"tf_idf"`.
        pad_to_max_tokens: encoded outputs have `max_tokens` columns.
        sparse: must be False (TensorFlow only).
        encoding: the text encoding of byte strings (`"utf-8"`).
        salt: an int or a pair of ints keying the OOV hash.

    Input shape: any, of strings (lists, numpy arrays, bytes as from `tf.data`). Output shape:
    the input's in `"int"` mode, else the encoded shape. Outputs are numpy arrays (`int64`
    indices; `float32` TF-IDF).

    Example:
        >>> layer = jkeras.layers.StringLookup(vocabulary=["a", "b", "c"])
        >>> layer([["a", "c", "d"]])
        array([[1, 3, 0]])
    """

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]",
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 pad_to_max_tokens=False, sparse=False, encoding="utf-8", name=None, salt=None,
                 **kwargs):
        kwargs.pop("vocabulary_dtype", None)
        self.encoding = encoding
        super().__init__(
            max_tokens=max_tokens, num_oov_indices=num_oov_indices, mask_token=mask_token,
            oov_token=oov_token, vocabulary=vocabulary, idf_weights=idf_weights, invert=invert,
            output_mode=output_mode, pad_to_max_tokens=pad_to_max_tokens, sparse=sparse,
            name=name, salt=salt, vocabulary_dtype="string", **kwargs)

    def get_config(self):
        config = super().get_config()
        del config["vocabulary_dtype"]
        return {**config, "encoding": self.encoding}
