"""`IndexLookup`: the vocabulary lookup behind `StringLookup` and `IntegerLookup`.

Indices follow Keras 3: with a mask token in `"int"` mode index 0 is the mask, then come
`num_oov_indices` out-of-vocabulary indices, then the vocabulary in order. `adapt` counts
tokens and keeps the most frequent (ties broken by the larger token first, as Keras's sort).
The lookup runs on the host in numpy (`HostLayer`); the vocabulary is saved as Keras saves it
(`assets/.../vocabulary.txt` in `.keras` files, or in the config when given as a list), and
TF-IDF weights as the `idf_weights` entry of the layer's weights.
"""

import collections
import os

import numpy as np

from jkeras.layers.preprocessing import adapt_data, encoding, string_hashing
from jkeras.layers.preprocessing.hashing import standardize_salt
from jkeras.layers.preprocessing.host_layer import HostLayer, to_numpy
from jkeras.layers.preprocessing.vocabulary_table import VocabularyTable

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")
_DROPPED_INDEX = np.iinfo(np.int64).max  # a mask token in the encoded modes counts nowhere


def _check_arguments(max_tokens, num_oov_indices, pad_to_max_tokens, oov_method, output_mode,
                     invert, sparse, idf_weights, name):
    if max_tokens is not None and max_tokens <= 1:
        raise ValueError(
            f"If set, `max_tokens` must be greater than 1. Received: max_tokens={max_tokens}")
    if pad_to_max_tokens and max_tokens is None:
        raise ValueError(
            f"If pad_to_max_tokens is True, must set `max_tokens`. Received: "
            f"max_tokens={max_tokens}")
    if num_oov_indices < 0:
        raise ValueError(
            "`num_oov_indices` must be greater than or equal to 0. Received: "
            f"num_oov_indices={num_oov_indices}")
    if oov_method not in ("floormod", "farmhash"):
        raise ValueError(
            f"Unknown value for `oov_method` argument of layer {name}. Allowed values are: "
            f"('floormod', 'farmhash'). Received: {oov_method}")
    if output_mode not in OUTPUT_MODES:
        raise ValueError(
            f"Unknown value for `output_mode` argument of layer {name}. Allowed values are: "
            f"{OUTPUT_MODES}. Received: {output_mode}")
    if invert and output_mode != "int":
        raise ValueError(
            "`output_mode` must be `'int'` when `invert` is true. Received: "
            f"output_mode={output_mode}")
    if sparse and output_mode == "int":
        raise ValueError(
            "`sparse` may only be true if `output_mode` is `'one_hot'`, `'multi_hot'`, "
            f"`'count'` or `'tf_idf'`. Received: sparse={sparse} and output_mode={output_mode}")
    if sparse:
        raise ValueError("`sparse=True` can only be used with the TensorFlow backend.")
    if idf_weights is not None and output_mode != "tf_idf":
        raise ValueError(
            "`idf_weights` should only be set if `output_mode` is `'tf_idf'`. Received: "
            f"idf_weights={idf_weights} and output_mode={output_mode}")


def _listify(value):
    if value is None or isinstance(value, str):
        return value
    return np.asarray(value).tolist()


class IndexLookup(HostLayer):
    """Maps tokens to indices from a vocabulary (or back, with `invert`). Not public: see
    `StringLookup` and `IntegerLookup` for the arguments."""

    def __init__(self, max_tokens, num_oov_indices, mask_token, oov_token, vocabulary_dtype,
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 sparse=False, pad_to_max_tokens=False, oov_method="floormod", name=None,
                 salt=None, **kwargs):
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode == "tf-idf":
            output_mode = "tf_idf"
        _check_arguments(max_tokens, num_oov_indices, pad_to_max_tokens, oov_method,
                         output_mode, invert, sparse, idf_weights, type(self).__name__)
        if salt is not None and vocabulary_dtype != "string" and oov_method != "farmhash":
            raise ValueError(
                "`salt` can only be used when `oov_method='farmhash'`. Received: "
                f"oov_method={oov_method}")
        salt = standardize_salt(salt, "IndexLookup")
        self._frozen_vocab_size = kwargs.pop("vocabulary_size", None)
        self._has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        kwargs.pop("trainable", None)
        kwargs.pop("dtype", None)
        if kwargs:
            raise ValueError(f"Unrecognized keyword argument(s): {kwargs}")
        super().__init__(name=name)
        self.invert = invert
        self.max_tokens = max_tokens
        self.num_oov_indices = num_oov_indices
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.output_mode = output_mode
        self.sparse = sparse
        self.pad_to_max_tokens = pad_to_max_tokens
        self.vocabulary_dtype = vocabulary_dtype
        self.oov_method = oov_method
        self.salt = salt
        # Kept for `get_config`; a vocabulary file's path is not (the file is saved as an asset).
        self.input_vocabulary = vocabulary if not isinstance(vocabulary, str) else None
        self.input_idf_weights = idf_weights
        self._table = VocabularyTable([])
        self.idf_weights = None
        if output_mode == "tf_idf":
            if self._has_input_vocabulary and idf_weights is None:
                raise ValueError(
                    "When specifying the `vocabulary` argument, in TF-IDF output mode, the "
                    "`idf_weights` argument must also be provided.")
            if idf_weights is not None:
                self.idf_weights = np.asarray(idf_weights, dtype="float32")
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        self.reset_state()

    # --------------------------------------------------------------------- vocabulary

    def _oov_start_index(self):
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self):
        return self._oov_start_index() + self.num_oov_indices

    def vocabulary_size(self):
        """The vocabulary's size, the mask and OOV indices included."""
        return len(self._table) + self._token_start_index()

    def get_vocabulary(self, include_special_tokens=True):
        """The vocabulary in index order (with the mask and OOV tokens unless
        `include_special_tokens=False`)."""
        special = [self.oov_token] * self._token_start_index()
        if self.mask_token is not None and self.output_mode == "int":
            special[0] = self.mask_token
        tokens = list(self._table.tokens)
        return special + tokens if include_special_tokens else tokens

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Set the vocabulary (a list/array of tokens, or a path to a file with one token per
        line), and the IDF weights in `"tf_idf"` mode; replaces any vocabulary."""
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError("`idf_weights` must be set if output_mode is 'tf_idf'.")
        elif idf_weights is not None:
            raise ValueError(
                "`idf_weights` should only be set if output_mode is `'tf_idf'`. Received: "
                f"output_mode={self.output_mode} and idf_weights={idf_weights}")
        if isinstance(vocabulary, (str, os.PathLike)):
            vocabulary = self._read_vocabulary_file(vocabulary)
        vocabulary = [self._token(t) for t in to_numpy(vocabulary).reshape(-1).tolist()]
        if not vocabulary:
            raise ValueError(f"Cannot set an empty vocabulary. Received: vocabulary={vocabulary}")
        token_start = self._token_start_index()
        special = [self.mask_token] * self._oov_start_index() + [
            self.oov_token] * self.num_oov_indices
        found_special = vocabulary[:token_start] == special
        tokens = vocabulary[token_start:] if found_special else vocabulary
        self._check_tokens(tokens, special)
        if self.max_tokens is not None and token_start + len(tokens) > self.max_tokens:
            raise ValueError(
                "Attempted to set a vocabulary larger than the maximum vocab size. Received "
                f"vocabulary size is {token_start + len(tokens)}; `max_tokens` is "
                f"{self.max_tokens}.")
        self._table = VocabularyTable(tokens)
        self._record_vocabulary_size()
        if self.output_mode == "tf_idf":
            self._set_idf_weights(idf_weights, len(vocabulary), found_special)

    def _read_vocabulary_file(self, path):
        if not os.path.exists(path):
            raise ValueError(f"Vocabulary file {path} does not exist.")
        if self.output_mode == "tf_idf":
            raise ValueError(
                "output_mode `'tf_idf'` does not support loading a vocabulary from file.")
        with open(path, encoding="utf-8") as f:
            return f.read().splitlines()

    def _check_tokens(self, tokens, special):
        repeated = [t for t, n in collections.Counter(tokens).items() if n > 1]
        if repeated:
            raise ValueError(
                "The passed vocabulary has at least one repeated term. Please uniquify your "
                f"dataset. The repeated terms are: {repeated}")
        reserved = (("mask_token", self.mask_token, self.mask_token is not None),
                    ("oov_token", self.oov_token, self.invert and self.oov_token is not None))
        for argument, token, checked in reserved:
            if checked and token in tokens:
                raise ValueError(
                    f"Found reserved {'mask' if argument == 'mask_token' else 'OOV'} token at "
                    "unexpected location in `vocabulary`. Note that passed `vocabulary` does "
                    "not need to include the OOV and mask tokens. Either remove all mask and "
                    "OOV tokens, or include them only at the start of the vocabulary in "
                    f"precisely this order: {special}. Received: {argument}={token} at "
                    f"vocabulary index {tokens.index(token) + self._token_start_index()}")

    def _set_idf_weights(self, idf_weights, vocabulary_length, found_special):
        idf_weights = np.asarray(idf_weights)
        if len(idf_weights) != vocabulary_length:
            raise ValueError(
                "`idf_weights` must be the same length as vocabulary. len(idf_weights) is "
                f"{len(idf_weights)}; len(vocabulary) is {vocabulary_length}")
        if idf_weights.ndim != 1:
            raise ValueError(
                f"TF-IDF data must be a 1-index array. Received: type(idf_weights)="
                f"{type(idf_weights)}")
        front = 0 if found_special else self._token_start_index()
        front_value = 0 if found_special else np.average(idf_weights)
        back = 0
        if self.pad_to_max_tokens and self.max_tokens is not None:
            back = self.max_tokens - front - len(idf_weights)
        weights = np.pad(idf_weights, (front, back), "constant",
                         constant_values=(front_value, 0))
        self.idf_weights = weights.astype("float32")

    def _record_vocabulary_size(self):
        size = self.vocabulary_size()
        if (self.output_mode != "int" and not self.pad_to_max_tokens
                and self._frozen_vocab_size is not None and size != self._frozen_vocab_size):
            raise RuntimeError(
                f"When using `output_mode={self.output_mode}` and `pad_to_max_tokens=False`, "
                "the vocabulary size cannot be changed after the layer is called. Old vocab "
                f"size is {self._frozen_vocab_size}, new vocab size is {size}")
        self._frozen_vocab_size = size

    def _token(self, value):
        """A vocabulary entry in the layer's token type (`str` or `int`)."""
        return str(value) if self.vocabulary_dtype == "string" else int(value)

    # -------------------------------------------------------------------------- adapt

    def adapt(self, data, steps=None):
        """Build the vocabulary from the tokens of `data` (an array, a list, a
        `tf.data.Dataset`, a `PyDataset` or an iterable of batches), most frequent first."""
        self.reset_state()
        for batch in adapt_data.token_batches(data, steps, self.name):
            self.update_state(batch)
        self.finalize_state()

    def reset_state(self):
        """Forget the counts gathered by `update_state`."""
        self._token_counts = collections.Counter()
        self._document_counts = collections.Counter()
        self._num_documents = 0

    def update_state(self, data):
        """Count the tokens of one batch (rows are documents; a 1D batch is one document)."""
        if self._has_input_vocabulary:
            raise ValueError(
                f"Cannot adapt layer '{self.name}' after setting a static vocabulary via "
                "`vocabulary` argument or `set_vocabulary()` method.")
        rows = self._rows(data)
        for row in rows:
            self._token_counts.update(row)
        if self.output_mode == "tf_idf":
            for row in rows:
                self._document_counts.update(set(row))
            self._num_documents += len(rows)

    def _rows(self, data):
        """A batch as a list of documents, each a list of tokens (ragged rows stay ragged)."""
        if isinstance(data, list) and data and isinstance(data[0], list):
            return data
        data = to_numpy(data)
        if data.ndim == 0:
            data = data[None]
        if data.ndim == 1:
            data = data[None]
        flat = data.reshape(data.shape[0], -1)
        return [[self._token(t) for t in row] for row in flat.tolist()]

    def finalize_state(self):
        """Turn the counts into the vocabulary (and IDF weights)."""
        if self._has_input_vocabulary or not self._token_counts:
            self._record_vocabulary_size()
            return
        for special in (self.mask_token, self.oov_token):
            if special is not None:
                self._token_counts.pop(special, None)
        ranked = sorted(self._token_counts.items(), key=lambda item: (item[1], item[0]),
                        reverse=True)
        if self.max_tokens:
            ranked = ranked[: self.max_tokens - self._token_start_index()]
        tokens = [token for token, _ in ranked]
        self._table = VocabularyTable(tokens)
        if self.output_mode == "tf_idf":
            self._adapt_idf_weights(tokens)
        self.reset_state()
        self._record_vocabulary_size()

    def _adapt_idf_weights(self, tokens):
        document_counts = np.array([self._document_counts[t] for t in tokens], dtype=np.float64)
        idf = np.log(1 + self._num_documents / (1 + document_counts)).astype("float32")
        weights = np.pad(idf, (self._token_start_index(), 0), constant_values=np.mean(idf))
        if self.pad_to_max_tokens and self.max_tokens is not None:
            weights = np.pad(weights, (0, self.max_tokens - weights.size))
        self.idf_weights = weights.astype("float32")

    # --------------------------------------------------------------------------- call

    def lookup(self, values):
        """Indices of a numpy array of tokens (or tokens of indices, with `invert`), with the
        mask and OOV rules; the shape of `values`."""
        values = self._check_input(to_numpy(values))
        if self.invert:
            return self._tokens_of(values)
        positions = self._table.lookup(values)
        oov_start = self._oov_start_index()
        absent = positions < 0
        if self.mask_token is not None:
            masked = values == self.mask_token
            absent &= ~masked
        if self.num_oov_indices == 0 and absent.any():
            raise ValueError(
                "When `num_oov_indices=0` all inputs should be in vocabulary, found OOV values "
                f"{values[absent].tolist()}, consider setting `num_oov_indices=1`.")
        if self.num_oov_indices > 1:
            if self.vocabulary_dtype != "string" and self.oov_method != "farmhash":
                buckets = np.mod(values.astype(np.int64), self.num_oov_indices)
            else:
                buckets = string_hashing.hash_buckets(values, self.num_oov_indices, self.salt)
            default = buckets + oov_start
        else:
            default = oov_start
        indices = np.where(absent, default, positions + self._token_start_index())
        if self.mask_token is not None:
            indices = np.where(masked, 0 if self.output_mode == "int" else _DROPPED_INDEX,
                               indices)
        return indices.astype(np.int64)

    def _check_input(self, values):
        is_text = values.dtype.kind in "US" or values.dtype == object
        if self.invert or self.vocabulary_dtype != "string":
            if is_text or values.dtype.kind == "f":
                raise TypeError(
                    f"Layer '{self.name}' expects integer inputs; received dtype "
                    f"{values.dtype}.")
            return values.astype(np.int64)
        if not is_text:
            raise TypeError(
                f"Layer '{self.name}' expects string inputs; received dtype {values.dtype}.")
        return values

    def _tokens_of(self, indices):
        tokens = np.asarray(self._table.tokens + [self.oov_token], dtype=object)
        positions = indices - self._token_start_index()
        positions = np.where((positions >= 0) & (positions < len(self._table)), positions,
                             len(self._table))
        result = tokens[positions]
        if self.mask_token is not None:
            result = np.where(indices == 0, self.mask_token, result)
        return result.astype(str if self.vocabulary_dtype == "string" else np.int64)

    def _depth(self):
        return self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size

    def _ensure_known_vocab_size(self):
        if self.output_mode == "int" or self.pad_to_max_tokens:
            return
        if self._frozen_vocab_size is None:
            raise RuntimeError(
                f"When using `output_mode={self.output_mode}` and `pad_to_max_tokens=False`, "
                "you must set the layer's vocabulary before calling it. Either pass a "
                "`vocabulary` argument to the layer, or call `adapt` with some sample data.")

    def encode_rows(self, rows, indices, num_rows):
        """`(num_rows, depth)` multi-hot/count/TF-IDF outputs of ragged documents: the
        looked-up `indices` with `rows[i]` the document of `indices[i]`."""
        self._ensure_known_vocab_size()
        counts = encoding.bincount_rows(rows, indices, num_rows, self._depth(),
                                        binary=self.output_mode == "multi_hot")
        return self._weighted(counts)

    def _weighted(self, counts):
        if self.output_mode != "tf_idf":
            return counts.astype(np.int64)
        if self.idf_weights is None:
            raise ValueError(
                "When `output_mode` is `'tf_idf'`, `idf_weights` must be provided.")
        return counts.astype("float32") * self.idf_weights

    def call(self, inputs):
        self._ensure_known_vocab_size()
        inputs = to_numpy(inputs)
        indices = self.lookup(inputs[None] if inputs.ndim == 0 else inputs)
        if self.output_mode == "int":
            return indices[0] if inputs.ndim == 0 else indices
        mode = "count" if self.output_mode == "tf_idf" else self.output_mode
        return self._weighted(encoding.encode_host(indices, mode, self._depth(), np.int64))

    @property
    def compute_dtype(self):
        return self.vocabulary_dtype

    @property
    def variable_dtype(self):
        return self.vocabulary_dtype

    @property
    def output_dtype(self):
        if self.output_mode != "int":
            return "float32"
        return self.vocabulary_dtype if self.invert else "int64"

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        depth = self._depth()
        if self.output_mode == "one_hot":
            if len(input_shape) > 1 and input_shape[-1] == 1:
                return input_shape[:-1] + (depth,)
            return input_shape + (depth,)
        return input_shape[:-1] + (depth,)

    # ------------------------------------------------------------------ config, saving

    def get_config(self):
        return {
            **super().get_config(),
            "invert": self.invert,
            "max_tokens": self.max_tokens,
            "num_oov_indices": self.num_oov_indices,
            "oov_token": self.oov_token,
            "mask_token": self.mask_token,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "pad_to_max_tokens": self.pad_to_max_tokens,
            "vocabulary_dtype": self.vocabulary_dtype,
            "idf_weights": _listify(self.input_idf_weights),
            "vocabulary": _listify(self.input_vocabulary),
            "vocabulary_size": self._frozen_vocab_size,
            "oov_method": self.oov_method,
            "salt": self.salt,
        }

    def save_own_variables(self, store):
        """Keras's weights entry: the TF-IDF weights as `store["idf_weights"]`."""
        if self.output_mode == "tf_idf":
            store["idf_weights"] = np.asarray(self.idf_weights)

    def load_own_variables(self, store):
        if self.output_mode == "tf_idf":
            self.idf_weights = np.asarray(store["idf_weights"], dtype="float32")

    def save_assets(self, dir_path):
        """Keras's asset: `vocabulary.txt`, one token per line, special tokens first (not
        written when the vocabulary is in the config)."""
        if self.input_vocabulary is not None:
            return
        with open(os.path.join(dir_path, "vocabulary.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(str(token) for token in self.get_vocabulary()))

    def load_assets(self, dir_path):
        if self.input_vocabulary is not None:
            return
        with open(os.path.join(dir_path, "vocabulary.txt"), encoding="utf-8") as f:
            lines = f.read().splitlines()
        while lines and lines[-1] == "":
            lines.pop()
        idf = self.idf_weights if self.output_mode == "tf_idf" else None
        self.set_vocabulary(lines, idf_weights=idf)
