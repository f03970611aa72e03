"""`BackupAndRestore`'s h5 backup: one `.weights.h5` file in Keras 3's layout (the model's
and the optimizer's `vars` groups, which Keras 3 loads too) plus a `jkeras_backup` group with
the next epoch (an attribute) and the seed generators' `[seed, counter]` states (datasets
"0", "1", ...). Writing everything to one file, replaced atomically, is what makes a backup
consistent whenever the process dies."""

import numpy as np

from jkeras.saving import weights_io
from jkeras.saving.atomic_files import atomic_write

GROUP = "jkeras_backup"


def seed_state_variables(model):
    """The state variables of `model`'s seed generators, in `model.variables`' order."""
    weights = {id(v) for v in model.weights}
    return [v for v in model.variables if id(v) not in weights]


def write(model, filepath, next_epoch):
    """Write the backup of `model` to `filepath`, atomically."""
    import h5py  # on use: h5py is an optional dependency

    with atomic_write(filepath) as temporary, h5py.File(temporary, "w") as h5file:
        weights_io.write(model, h5file)
        group = h5file.create_group(GROUP)
        group.attrs["next_epoch"] = int(next_epoch)
        for index, variable in enumerate(seed_state_variables(model)):
            group[str(index)] = np.asarray(variable.value)


def read_state(filepath):
    """`(next epoch, [seed states])` of a backup; `(None, None)` for a file without the
    group (Keras 3's backups)."""
    import h5py  # on use: h5py is an optional dependency

    with h5py.File(filepath, "r") as h5file:
        if GROUP not in h5file:
            return None, None
        group = h5file[GROUP]
        count = len(group.keys())
        return int(group.attrs["next_epoch"]), [np.asarray(group[str(i)][()])
                                                for i in range(count)]
