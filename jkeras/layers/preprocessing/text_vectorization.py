"""`TextVectorization`: strings to token indices or token-count vectors, on the host.

Each string is standardized, split into tokens, grouped into n-grams and looked up in a
vocabulary (a `StringLookup` with mask token `""`), as Keras 3 does with TensorFlow's string
ops; these run in Python here, with TensorFlow's rules: lowercasing changes ASCII letters
only, whitespace splitting splits on ASCII whitespace, `"character"` splits Unicode code points.
"""

import re

import numpy as np

from jkeras.layers import function_config
from jkeras.layers.preprocessing import adapt_data
from jkeras.layers.preprocessing.host_layer import HostLayer, to_numpy
from jkeras.layers.preprocessing.index_lookup import OUTPUT_MODES
from jkeras.layers.preprocessing.string_lookup import StringLookup

_PUNCTUATION = re.compile(r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']')
_STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
_SPLIT = ("whitespace", "character")


def _check_choice(value, allowed, argument):
    if value is not None and not callable(value) and value not in allowed:
        raise ValueError(
            f"Unknown value for `{argument}` argument of layer TextVectorization. Allowed "
            f"values are: {allowed}. Received: {value}")


def _lower_ascii(text):
    return text.encode("utf-8").lower().decode("utf-8")


def _ngrams(tokens, widths):
    return [" ".join(tokens[i:i + width]) for width in widths
            for i in range(len(tokens) - width + 1)]


class TextVectorization(HostLayer):
    """Turns strings into sequences of token indices (`"int"`) or into vectors over the
    vocabulary (`"multi_hot"`, `"count"`, `"tf_idf"`), with Keras 3's vocabulary and indices:
    0 is padding, 1 the OOV token, then the vocabulary, most frequent first after `adapt`.

    Args:
        max_tokens: maximum vocabulary size, padding and OOV tokens included.
        standardize: `"lower_and_strip_punctuation"`, `"lower"`, `"strip_punctuation"`, None,
            or a callable taking and returning a numpy array of strings (as Keras 3 calls it
            on its non-TensorFlow backends).
        split: `"whitespace"`, `"character"`, None, or a callable taking a 1D numpy array of
            strings and returning, for each, its list of tokens.
        ngrams: None, an int n (n-grams of 1..n tokens) or a tuple of widths.
        output_mode: `"int"`, `"multi_hot"`, `"count"` or `"tf_idf"` (`"one_hot"` without
            splitting).
        output_sequence_length: in `"int"` mode, pad or truncate every sequence to it (by
            default, to the longest sequence of the batch).
        pad_to_max_tokens: encoded outputs have `max_tokens` columns.
        vocabulary: a list/array of strings or the path of a file with one per line.
        idf_weights: IDF weights of the vocabulary (`"tf_idf"` mode).
        sparse, ragged: must be False (TensorFlow only).
        encoding: the text encoding of byte strings (`"utf-8"`).

    Input shape: `(batch,)` or `(batch, 1)` strings. Output shape: `(batch, sequence length)`
    int64 indices, or `(batch, vocabulary size)`. Outputs are numpy arrays.

    Example:
        >>> layer = jkeras.layers.TextVectorization(output_sequence_length=4)
        >>> layer.adapt(["foo bar", "bar baz", "baz bada boom"])
        >>> layer([["foo qux bar"], ["qux baz"]])
        array([[4, 1, 3, 0], [1, 2, 0, 0]])
    """

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation",
                 split="whitespace", ngrams=None, output_mode="int", output_sequence_length=None,
                 pad_to_max_tokens=False, vocabulary=None, idf_weights=None, sparse=False,
                 ragged=False, encoding="utf-8", name=None, **kwargs):
        if sparse or ragged:
            argument = "sparse" if sparse else "ragged"
            raise ValueError(f"`{argument}=True` can only be used with the TensorFlow backend.")
        _check_choice(standardize, _STANDARDIZE, "standardize")
        _check_choice(split, _SPLIT, "split")
        output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
        if output_mode not in OUTPUT_MODES:
            raise ValueError(
                "Unknown value for `output_mode` argument of layer TextVectorization. Allowed "
                f"values are: {OUTPUT_MODES}. Received: {output_mode}")
        if not (ngrams is None or isinstance(ngrams, int) or (
                isinstance(ngrams, tuple) and all(isinstance(n, int) for n in ngrams))):
            raise ValueError(
                f"`ngrams` must be None, an integer, or a tuple of integers. Received: "
                f"ngrams={ngrams}")
        if output_mode == "int" and not (output_sequence_length is None
                                         or isinstance(output_sequence_length, int)):
            raise ValueError(
                "`output_sequence_length` must be either None or an integer when "
                f"`output_mode` is 'int'. Received: "
                f"output_sequence_length={output_sequence_length}")
        if output_mode != "int" and output_sequence_length is not None:
            raise ValueError(
                "`output_sequence_length` must not be set if `output_mode` is not 'int'. "
                f"Received output_sequence_length={output_sequence_length}.")
        has_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        vocabulary_size = kwargs.pop("vocabulary_size", None)
        super().__init__(name=name, **kwargs)
        self._max_tokens = max_tokens
        self._standardize = standardize
        self._split = split
        self._ngrams_arg = ngrams
        self._ngrams = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else ngrams
        self._ragged = ragged
        self._output_mode = output_mode
        self._output_sequence_length = output_sequence_length
        self._encoding = encoding
        self._has_input_vocabulary = has_vocabulary
        self._lookup_layer = StringLookup(
            max_tokens=max_tokens, vocabulary=vocabulary, idf_weights=idf_weights,
            pad_to_max_tokens=pad_to_max_tokens, mask_token="", output_mode=output_mode,
            sparse=sparse, has_input_vocabulary=has_vocabulary, encoding=encoding,
            vocabulary_size=vocabulary_size)

    @property
    def has_input_vocabulary(self):
        """Whether the vocabulary was given (then `adapt` has nothing to learn)."""
        return self._has_input_vocabulary

    @property
    def compute_dtype(self):
        return "string"

    @property
    def variable_dtype(self):
        return "string"

    @property
    def output_dtype(self):
        return "int64" if self._output_mode == "int" else "float32"

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self._output_mode == "int":
            return (input_shape[0], self._output_sequence_length)
        if self._split is None:
            if len(input_shape) <= 1:
                input_shape = input_shape + (1,)
        else:
            input_shape = input_shape + (None,)
        return self._lookup_layer.compute_output_shape(input_shape)

    # --------------------------------------------------------------- preprocessing

    def _standardized(self, inputs):
        if callable(self._standardize):
            return to_numpy(self._standardize(inputs))
        if self._standardize is None:
            return inputs
        lower = self._standardize in ("lower", "lower_and_strip_punctuation")
        strip = self._standardize in ("strip_punctuation", "lower_and_strip_punctuation")

        def one(text):
            text = _lower_ascii(text) if lower else text
            return _PUNCTUATION.sub("", text) if strip else text

        return np.array([one(t) for t in inputs.reshape(-1).tolist()],
                        dtype=object).reshape(inputs.shape).astype(str)

    def _split_texts(self, texts):
        if self._split == "whitespace":
            return [t.encode("utf-8").split() for t in texts.tolist()]
        if self._split == "character":
            return [list(t) for t in texts.tolist()]
        return [[str(token) for token in to_numpy(row).reshape(-1).tolist()]
                for row in self._split(texts)]

    def _preprocess(self, inputs):
        """Standardized, split and n-grammed `inputs`: a list of token lists per row (with a
        split or n-grams), else a numpy string array."""
        inputs = to_numpy(inputs)
        if inputs.dtype.kind not in "U":
            raise ValueError(
                f"Layer '{self.name}' expects string inputs (str or bytes); received dtype "
                f"{inputs.dtype}.")
        inputs = self._standardized(inputs)
        if self._split is not None:
            if inputs.ndim > 1:
                if inputs.shape[-1] != 1:
                    raise ValueError(
                        "When using `TextVectorization` to tokenize strings, the input rank "
                        "must be 1 or the last shape dimension must be 1. Received: "
                        f"inputs.shape={inputs.shape} with rank={inputs.ndim}")
                inputs = inputs.reshape(inputs.shape[:-1])
            rows = self._split_texts(inputs.reshape(-1))
            rows = [[t.decode("utf-8") if isinstance(t, bytes) else t for t in row]
                    for row in rows]
        elif self._ngrams is not None:
            rows = [list(row) for row in np.atleast_2d(inputs).tolist()]
        else:
            return inputs
        if self._ngrams is not None:
            rows = [_ngrams(row, self._ngrams) for row in rows]
        return rows

    # ------------------------------------------------------------------- vocabulary

    def adapt(self, data, batch_size=None, steps=None):
        """Build the vocabulary from `data` (strings: an array, a list, a `tf.data.Dataset`, a
        `PyDataset` or an iterable of batches), most frequent tokens first."""
        del batch_size
        self.reset_state()
        for batch in adapt_data.token_batches(data, steps, self.name):
            self.update_state(batch)
        self.finalize_state()

    def update_state(self, data):
        self._lookup_layer.update_state(self._preprocess(data))

    def finalize_state(self):
        self._lookup_layer.finalize_state()

    def reset_state(self):
        self._lookup_layer.reset_state()

    def get_vocabulary(self, include_special_tokens=True):
        """The vocabulary in index order (with `""` and `"[UNK]"` first unless
        `include_special_tokens=False`)."""
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self):
        """The vocabulary's size, padding and OOV tokens included."""
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Set the vocabulary (a list/array of strings, or a file path), and the IDF weights
        in `"tf_idf"` mode."""
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights=idf_weights)

    # --------------------------------------------------------------------------- call

    def call(self, inputs):
        tokens = self._preprocess(inputs)
        lookup = self._lookup_layer
        if not isinstance(tokens, list):  # not split: a lookup of whole strings
            output = lookup(tokens)
            if self._output_mode == "int" and self._output_sequence_length is not None:
                output = _fit_length(output, self._output_sequence_length)
            return output
        lengths = np.array([len(row) for row in tokens], dtype=np.int64)
        flat = np.array([t for row in tokens for t in row], dtype=str)
        indices = lookup.lookup(flat) if flat.size else np.zeros((0,), np.int64)
        if self._output_mode == "int":
            width = self._output_sequence_length
            if width is None:
                width = int(lengths.max()) if lengths.size else 0
            output = np.zeros((len(tokens), width), dtype=np.int64)
            starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
            for row, (start, length) in enumerate(zip(starts, lengths)):
                keep = min(length, width)
                output[row, :keep] = indices[start:start + keep]
            return output
        if self._output_mode == "one_hot":
            raise ValueError(
                "`output_mode='one_hot'` encodes each element of unsplit inputs; with `split`, "
                "use `'multi_hot'` or `'count'` (or `'int'` and `CategoryEncoding`).")
        rows = np.repeat(np.arange(len(tokens)), lengths)
        return lookup.encode_rows(rows, indices, len(tokens))

    # ------------------------------------------------------------------ config, saving

    def get_config(self):
        standardize, split = self._standardize, self._split
        if callable(standardize):
            standardize = function_config.serialize_function(
                standardize, f"TextVectorization layer '{self.name}'")
        if callable(split):
            split = function_config.serialize_function(
                split, f"TextVectorization layer '{self.name}'")
        lookup = self._lookup_layer
        return {
            **super().get_config(),
            "max_tokens": lookup.max_tokens,
            "standardize": standardize,
            "split": split,
            "ngrams": self._ngrams_arg,
            "output_mode": self._output_mode,
            "output_sequence_length": self._output_sequence_length,
            "pad_to_max_tokens": lookup.pad_to_max_tokens,
            "sparse": lookup.sparse,
            "ragged": self._ragged,
            "vocabulary": lookup.get_config()["vocabulary"],
            "idf_weights": lookup.get_config()["idf_weights"],
            "encoding": self._encoding,
            "vocabulary_size": self.vocabulary_size(),
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        for key in ("standardize", "split"):
            if function_config.is_function_config(config.get(key)):
                config[key] = function_config.deserialize_function(
                    config[key], custom_objects, kind="TextVectorization")
        if isinstance(config.get("ngrams"), list):
            config["ngrams"] = tuple(config["ngrams"])
        return cls(**config)

    def save_own_variables(self, store):
        self._lookup_layer.save_own_variables(store)

    def load_own_variables(self, store):
        self._lookup_layer.load_own_variables(store)

    def save_assets(self, dir_path):
        self._lookup_layer.save_assets(dir_path)

    def load_assets(self, dir_path):
        self._lookup_layer.load_assets(dir_path)


def _fit_length(output, length):
    """`output` truncated or zero-padded along its last axis to `length`."""
    output = output[..., :length]
    missing = length - output.shape[-1]
    if missing > 0:
        output = np.pad(output, [(0, 0)] * (output.ndim - 1) + [(0, missing)])
    return output
