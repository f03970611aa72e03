"""`GlobalAveragePooling3D` (alias `GlobalAvgPool3D`)."""

from jkeras.layers.pooling.base_global_pooling import BaseGlobalPooling


class GlobalAveragePooling3D(BaseGlobalPooling):
    """Global mean pooling over the d1, d2, d3 dimensions.

    Args:
        data_format: "channels_last" (default) or "channels_first".
        keepdims: keep the pooled dimensions with size 1 (default False).

    Input shape:
        `(batch, d1, d2, d3, channels)` ("channels_last") or `(batch, channels, d1, d2, d3)`.

    Output shape:
        `(batch, channels)`; with `keepdims`, the input's rank with the pooled dimensions 1.

    Example:
        >>> jkeras.layers.GlobalAveragePooling3D()(np.ones((2, 6, 6, 6, 3))).shape
        (2, 3)
    """

    rank = 3
    pool_mode = "average"


GlobalAvgPool3D = GlobalAveragePooling3D
