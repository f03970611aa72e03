"""`ConvLSTM3D`: a convolutional LSTM over sequences of 3D data."""

from jkeras.layers.rnn.conv_lstm import ConvLSTM


class ConvLSTM3D(ConvLSTM):
    """A convolutional LSTM whose gates convolve the three spatial axes of each step.

    Arguments, call arguments and output: as `ConvLSTM`'s, with `kernel_size`, `strides` and
    `dilation_rate` an int or 3 ints.

    Input shape: `(batch, time, dim1, dim2, dim3, channels)` (channels_last), the spatial sizes known.

    Example:
        >>> layer = jkeras.layers.ConvLSTM3D(4, 3, padding="same")
        >>> layer(np.ones((2, 3, 4, 4, 4, 1))).shape
        (2, 4, 4, 4, 4)
    """

    rank = 3
