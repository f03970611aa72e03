"""`Conv1D`: temporal convolution."""

from jkeras.layers.convolutional.base_conv import BaseConv


class Conv1D(BaseConv):
    """1D convolution layer (e.g. temporal convolution).

    Args: as `BaseConv`; `padding` may also be "causal" (left padding by
    `dilation_rate * (kernel_size - 1)`, so `output[t]` never depends on `input[t + 1:]`).

    Input shape:
        `(batch, steps, channels)` for "channels_last", `(batch, channels, steps)` for
        "channels_first".

    Output shape:
        `(batch, new_steps, filters)` or `(batch, filters, new_steps)`.

    Example:
        >>> jkeras.layers.Conv1D(32, 3, activation="relu")(np.ones((4, 10, 128))).shape
        (4, 8, 32)
    """

    rank = 1
    allow_causal = True


Convolution1D = Conv1D
