"""`GlobalMaxPooling3D` (alias `GlobalMaxPool3D`)."""

from jkeras.layers.pooling.base_global_pooling import BaseGlobalPooling


class GlobalMaxPooling3D(BaseGlobalPooling):
    """Global maximum pooling over the d1, d2, d3 dimensions.

    Args:
        data_format: "channels_last" (default) or "channels_first".
        keepdims: keep the pooled dimensions with size 1 (default False).

    Input shape:
        `(batch, d1, d2, d3, channels)` ("channels_last") or `(batch, channels, d1, d2, d3)`.

    Output shape:
        `(batch, channels)`; with `keepdims`, the input's rank with the pooled dimensions 1.

    Example:
        >>> jkeras.layers.GlobalMaxPooling3D()(np.ones((2, 6, 6, 6, 3))).shape
        (2, 3)
    """

    rank = 3
    pool_mode = "max"


GlobalMaxPool3D = GlobalMaxPooling3D
