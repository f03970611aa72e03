"""`VocabularyTable`: token -> position lookups over numpy arrays (strings or integers)."""

import numpy as np


class VocabularyTable:
    """The positions of tokens in a vocabulary; -1 for tokens not in it.

    Strings are looked up through a dict; integers by a binary search over the sorted tokens
    (vectorized).
    """

    def __init__(self, tokens):
        self.tokens = list(tokens)
        self._is_string = bool(self.tokens) and isinstance(self.tokens[0], str)
        if self._is_string:
            self._positions = {token: i for i, token in enumerate(self.tokens)}
        else:
            keys = np.asarray(self.tokens, dtype=np.int64)
            self._order = np.argsort(keys, kind="stable")
            self._sorted = keys[self._order]

    def __len__(self):
        return len(self.tokens)

    def lookup(self, values):
        """int64 positions of `values` (a numpy array), -1 where absent."""
        values = np.asarray(values)
        if not self.tokens:
            return np.full(values.shape, -1, dtype=np.int64)
        if self._is_string:
            get = self._positions.get
            flat = [get(v, -1) for v in values.reshape(-1).tolist()]
            return np.asarray(flat, dtype=np.int64).reshape(values.shape)
        if values.dtype.kind not in "iub":
            raise TypeError(
                f"Expected integer inputs for an integer vocabulary; received dtype {values.dtype}."
            )
        values = values.astype(np.int64)
        where = np.searchsorted(self._sorted, values)
        where = np.minimum(where, len(self._sorted) - 1)
        found = self._sorted[where] == values
        return np.where(found, self._order[where], -1).astype(np.int64)
