"""`set_random_seed`: one call makes every jkeras draw reproducible."""

import random

import numpy as np

from jkeras.random import seed_generator


def set_random_seed(seed):
    """Seed Python's `random`, numpy's global RNG and jkeras's global seed.

    Afterwards, layers, initializers, dropout and `fit`'s shuffling created in the same order
    draw the same numbers. Arrays are JAX's, which has no global RNG to seed.
    """
    if not isinstance(seed, (int, np.integer)):
        raise ValueError(f"Expected `seed` argument to be an integer. Received: seed={seed!r}")
    random.seed(seed)
    np.random.seed(seed)
    seed_generator.set_global_seed(int(seed))
