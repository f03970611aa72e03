"""`GlobalMaxPooling1D` (alias `GlobalMaxPool1D`)."""

from jkeras.layers.pooling.base_global_pooling import BaseGlobalPooling


class GlobalMaxPooling1D(BaseGlobalPooling):
    """Global maximum pooling over the steps dimension.

    Args:
        data_format: "channels_last" (default) or "channels_first".
        keepdims: keep the pooled dimension with size 1 (default False).

    Input shape:
        `(batch, steps, channels)` ("channels_last") or `(batch, channels, steps)`.

    Output shape:
        `(batch, channels)`; with `keepdims`, the input's rank with the pooled dimensions 1.

    Example:
        >>> jkeras.layers.GlobalMaxPooling1D()(np.ones((2, 6, 3))).shape
        (2, 3)
    """

    rank = 1
    pool_mode = "max"


GlobalMaxPool1D = GlobalMaxPooling1D
