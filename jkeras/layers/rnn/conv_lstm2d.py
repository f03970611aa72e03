"""`ConvLSTM2D`: a convolutional LSTM over sequences of 2D data."""

from jkeras.layers.rnn.conv_lstm import ConvLSTM


class ConvLSTM2D(ConvLSTM):
    """A convolutional LSTM whose gates convolve the rows and columns of each step.

    Arguments, call arguments and output: as `ConvLSTM`'s, with `kernel_size`, `strides` and
    `dilation_rate` an int or 2 ints.

    Input shape: `(batch, time, rows, cols, channels)` (channels_last), the spatial sizes known.

    Example:
        >>> layer = jkeras.layers.ConvLSTM2D(4, 3, padding="same")
        >>> layer(np.ones((2, 3, 8, 8, 1))).shape
        (2, 8, 8, 4)
    """

    rank = 2
