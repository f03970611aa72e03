"""Approximate quantiles for `Discretization.adapt`, batch by batch, with Keras 3's numbers.

A summary is a `(2, k)` float32 array: sorted sample values and the weight (number of samples)
each stands for. A batch is summarized by keeping about `1 / epsilon` evenly spaced values of
its sorted samples; summaries merge by concatenation and sorting, then are compressed back to
`1 / epsilon` points by interpolating their cumulative weights. The bin boundaries are the
compression to `num_bins` points, without the last (the maximum).
"""

import numpy as np


def empty():
    return np.zeros((2, 0), dtype="float32")


def summarize(values, epsilon):
    """The summary of one batch of values (any shape)."""
    values = np.sort(np.reshape(values, [-1]))
    step = max(values.size * epsilon, 1)
    kept = values[int(step - 1)::int(step)]
    return np.stack([kept, np.ones_like(kept) * step])


def merge(first, second, epsilon):
    """The compressed summary of two summaries' values together."""
    both = np.concatenate((first, second), axis=1)
    both = np.take(both, np.argsort(both[0]), axis=1)
    return compress(both, epsilon)


def compress(summary, epsilon):
    """About `1 / epsilon` points interpolated from the summary's cumulative weights (the
    summary itself when it has fewer points)."""
    if summary.shape[1] * epsilon < 1:
        return summary
    targets = epsilon + np.arange(0.0, 1.0, epsilon)
    cumulative = summary[1].cumsum()
    fractions = cumulative / cumulative[-1]
    points = np.interp(targets, fractions, summary[0])
    at_points = np.interp(targets, fractions, cumulative)
    weights = np.diff(at_points, prepend=0.0)
    return np.stack((points, weights)).astype("float32")


def bin_boundaries(summary, num_bins):
    """The `num_bins - 1` boundaries splitting the summarized values into equal-weight bins."""
    return compress(summary, 1.0 / num_bins)[0, :-1]
