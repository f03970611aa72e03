"""`save`, `save_weights`, `load_weights` and `to_json`: the saving methods of `Model`."""


class ModelSavingMixin:
    """Keras 3's saving methods; the formats live in `jkeras.saving.saving_lib`."""

    def save(self, filepath, overwrite=True, zipped=None, **kwargs):
        """Save the model (config, weights, optimizer state) to a `.keras` file.

        Args:
            filepath: path ending in `.keras`.
            overwrite: replace an existing file (jkeras raises `FileExistsError` instead of
                prompting when False).
            zipped: only the zipped format is supported (None or True).
        """
        from jkeras.saving import saving_lib

        if zipped is False:
            raise NotImplementedError("jkeras saves only the zipped `.keras` format.")
        if kwargs:
            raise ValueError(f"Unrecognized arguments for `save`: {sorted(kwargs)}")
        saving_lib.save_model(self, filepath, overwrite=overwrite)

    def save_weights(self, filepath, overwrite=True, max_shard_size=None):
        """Save the weights (and optimizer state) to a `.weights.h5` file in Keras 3's layout."""
        from jkeras.saving import saving_lib

        if max_shard_size is not None:
            raise NotImplementedError("Sharded weight files are not supported yet.")
        saving_lib.save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, skip_mismatch=False, **kwargs):
        """Load weights from a `.weights.h5` or `.keras` file (written by jkeras or Keras 3).

        Every array is read and checked before any is assigned: on error the model is
        unchanged. `skip_mismatch=True` skips (with a warning) layers whose variables differ.
        """
        from jkeras.saving import saving_lib

        if kwargs:
            raise ValueError(f"Unrecognized arguments for `load_weights`: {sorted(kwargs)}")
        saving_lib.load_weights(self, filepath, skip_mismatch=skip_mismatch)

    def to_json(self, **kwargs):
        """The model's config (with `compile_config` if compiled) as a JSON string."""
        from jkeras.saving import saving_lib

        return saving_lib.model_to_json(self, **kwargs)
