"""The calibration windows of GPTQ and AWQ: token ids cut from a dataset, as Keras 3 cuts them.

The dataset's samples (strings, tokenized by `tokenizer.tokenize`, or token arrays) are
joined into one stream, repeated until it holds `num_samples * sequence_length` tokens, and
`num_samples` windows of `sequence_length` tokens are taken from it.
"""

import math

import numpy as np

from jkeras.ops import convert_to_numpy


def _token_stream(tokenizer, dataset, eos_id):
    samples = list(dataset)
    if not samples:
        raise ValueError("Provided dataset is empty.")
    pieces = []
    if isinstance(samples[0], str):
        for index, text in enumerate(samples):
            pieces.append(convert_to_numpy(tokenizer.tokenize(text)).reshape(-1))
            if eos_id is not None and index < len(samples) - 1:  # no window across documents
                pieces.append(np.array([eos_id], dtype=np.int32))
    else:
        pieces = [convert_to_numpy(sample).reshape(-1) for sample in samples]
    return np.concatenate(pieces).astype(np.int32, copy=False)


def _window_starts(strategy, max_start, num_samples, seed, stride):
    if strategy == "random":
        return np.random.default_rng(seed).integers(0, max_start + 1, size=num_samples,
                                                    dtype=np.int64)
    if strategy == "linspace":
        return np.linspace(0, max_start, num_samples, dtype=np.int64)
    if strategy == "strided":
        if stride is None:
            stride = max(1, (max_start + 1) // num_samples)
        # Keras's offset: Python's hash of a tuple with a string, so it changes from process
        # to process unless PYTHONHASHSEED is set (the same in-process value as Keras's).
        offset = abs(hash(("gptq-calib", seed))) % (max_start + 1) if max_start > 0 else 0
        return (offset + np.arange(num_samples, dtype=np.int64) * stride) % (max_start + 1)
    raise ValueError(f"Unknown strategy: {strategy}")


def calibration_windows(tokenizer, sequence_length, dataset, num_samples=128, *,
                        strategy="strided", seed=42, stride=None, eos_id=None):
    """The calibration inputs: `num_samples` windows of token ids, on the host.

    Args:
        tokenizer: has `tokenize(text)` (used only for string samples).
        sequence_length: tokens per window.
        dataset: an iterable of strings or of token-id arrays (not a string).
        num_samples: how many windows.
        strategy: where windows start: `"strided"` (evenly spaced from a hashed offset),
            `"linspace"` or `"random"` (with `seed`).
        stride: the distance between `"strided"` starts (default: the stream's length over
            `num_samples`).
        eos_id: a token put between string samples.

    Returns:
        An int32 array `(num_samples, 1, sequence_length)`.
    """
    if not hasattr(dataset, "__iter__") or isinstance(dataset, (str, bytes)):
        raise TypeError(
            "The `dataset` argument must be an iterable (e.g., a list of strings, a generator, "
            f"or a NumPy array). Got type: {type(dataset).__name__}. Please pass the loaded "
            "dataset directly."
        )
    tokens = _token_stream(tokenizer, dataset, eos_id)
    required = num_samples * sequence_length
    if tokens.size < required:
        tokens = np.tile(tokens, math.ceil(required / max(1, tokens.size)))
    max_start = tokens.size - sequence_length
    if max_start < 0:
        raise ValueError(
            f"Not enough tokens to form one sample of length {sequence_length} "
            f"(have {tokens.size})."
        )
    starts = _window_starts(strategy, max_start, num_samples, seed, stride)
    windows = np.lib.stride_tricks.sliding_window_view(tokens, sequence_length)[starts]
    return windows.astype(np.int32)[:, None, :]
