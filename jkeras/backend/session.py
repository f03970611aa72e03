"""`clear_session` and `get_uid`: the global state behind auto-generated names, the global dtype
policy, the global seed generator and the current distribution."""

import gc

from jkeras.core import naming
from jkeras.distribution import distribution_lib
from jkeras.dtype_policies import dtype_policy
from jkeras.random import seed_generator


def get_uid(prefix=""):
    """How many names `prefix` has had, this one included: 1 on the first call.

    It shares its counters with auto-generated layer names (`dense`, `dense_1`, ...), as in
    Keras 3: after two `Dense` layers, `get_uid("dense")` returns 3.
    """
    return naming.next_uid(prefix)


def clear_session(free_memory=True):
    """Reset the global state jkeras keeps, as Keras 3's `clear_session` does.

    Afterwards, auto-generated names start again (`dense`, not `dense_10`), layers created
    without a `dtype` take `floatx`'s policy (`set_global_policy` is undone), unseeded draws
    come from a new global seed generator (seeded from jkeras's Python RNG, which
    `set_random_seed` seeds and this leaves alone) and no distribution is set.
    `floatx`, `epsilon` and `image_data_format` keep their values. Existing models and layers
    keep working.

    Args:
        free_memory: whether to run Python's garbage collector afterwards (Keras's default).
    """
    naming.reset_names()
    dtype_policy.reset_global_policy()
    seed_generator.reset_global_generator()
    distribution_lib.set_distribution(None)
    if free_memory:
        gc.collect()
