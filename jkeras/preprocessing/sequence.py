"""`jkeras.preprocessing.sequence`: sequence padding."""

from jkeras.utils.sequence_utils import pad_sequences

__all__ = ["pad_sequences"]
