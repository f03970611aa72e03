"""`GlobalAveragePooling2D` (alias `GlobalAvgPool2D`)."""

from jkeras.layers.pooling.base_global_pooling import BaseGlobalPooling


class GlobalAveragePooling2D(BaseGlobalPooling):
    """Global mean pooling over the rows, cols dimensions.

    Args:
        data_format: "channels_last" (default) or "channels_first".
        keepdims: keep the pooled dimensions with size 1 (default False).

    Input shape:
        `(batch, rows, cols, channels)` ("channels_last") or `(batch, channels, rows, cols)`.

    Output shape:
        `(batch, channels)`; with `keepdims`, the input's rank with the pooled dimensions 1.

    Example:
        >>> jkeras.layers.GlobalAveragePooling2D()(np.ones((2, 6, 6, 3))).shape
        (2, 3)
    """

    rank = 2
    pool_mode = "average"


GlobalAvgPool2D = GlobalAveragePooling2D
