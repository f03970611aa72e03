"""`save`, `save_weights`, `load_weights` and `to_json`: the saving methods of `Model`."""

import io

from jkeras.saving import saving_lib, serialization


def _unpickle_model(archive):
    # Unpickling runs arbitrary code anyway, so safe mode would protect nothing.
    return saving_lib.load_archive(archive, safe_mode=False)


class ModelSavingMixin:
    """Keras 3's saving methods; the formats live in `jkeras.saving.saving_lib`."""

    def __reduce__(self):
        """Pickle a model as its in-memory `.keras` archive (as Keras 3 does)."""
        archive = io.BytesIO()
        saving_lib.write_archive(self, archive)
        archive.seek(0)
        return (_unpickle_model, (archive,))

    def save(self, filepath, overwrite=True, zipped=None, **kwargs):
        """Save the model (config, weights, optimizer state) to a `.keras` file.

        Args:
            filepath: path ending in `.keras` (or, with a warning as in Keras 3, `.h5` for
                the legacy HDF5 format).
            overwrite: replace an existing file (jkeras raises `FileExistsError` instead of
                prompting when False).
            zipped: only the zipped format is supported (None or True).
            include_optimizer: (legacy `.h5` only) also save the training config and
                optimizer state.
        """
        if zipped is False:
            raise NotImplementedError("jkeras saves only the zipped `.keras` format.")
        include_optimizer = kwargs.pop("include_optimizer", True)
        if kwargs:
            raise ValueError(f"Unrecognized arguments for `save`: {sorted(kwargs)}")
        saving_lib.save_model(self, filepath, overwrite=overwrite,
                              include_optimizer=include_optimizer)

    def save_weights(self, filepath, overwrite=True, max_shard_size=None):
        """Save the weights (and optimizer state) to a `.weights.h5` file in Keras 3's layout."""
        if max_shard_size is not None:
            raise NotImplementedError("Sharded weight files are not supported yet.")
        saving_lib.save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, skip_mismatch=False, **kwargs):
        """Load weights from a `.weights.h5` or `.keras` file (written by jkeras or Keras 3),
        or from a legacy `.h5` file (Keras 2 layout, matched by layer order, or by layer name
        with `by_name=True`).

        Every array is read and checked before any is assigned: on error the model is
        unchanged. `skip_mismatch=True` skips (with a warning) layers whose variables differ.
        """
        by_name = kwargs.pop("by_name", None)
        if kwargs:
            raise ValueError(f"Unrecognized arguments for `load_weights`: {sorted(kwargs)}")
        saving_lib.load_weights(self, filepath, skip_mismatch=skip_mismatch, by_name=by_name)

    def to_json(self, **kwargs):
        """The model's config (with `compile_config` if compiled) as a JSON string."""
        return serialization.model_to_json(self, **kwargs)
