"""`jkeras.legacy`: Keras 3's `keras.legacy` namespace (the Keras 2 serialization format)."""

from jkeras.legacy import saving

__all__ = ["saving"]
