"""`save`, `save_weights`, `load_weights` and `to_json`: the saving methods of `Model`."""


class ModelSavingMixin:
    """Keras 3's saving methods; the formats live in `jkeras.saving.saving_lib`."""

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
        from jkeras.saving import saving_lib

        if zipped is False:
            raise NotImplementedError("jkeras saves only the zipped `.keras` format.")
        include_optimizer = kwargs.pop("include_optimizer", True)
        if kwargs:
            raise ValueError(f"Unrecognized arguments for `save`: {sorted(kwargs)}")
        saving_lib.save_model(self, filepath, overwrite=overwrite,
                              include_optimizer=include_optimizer)

    def save_weights(self, filepath, overwrite=True, max_shard_size=None):
        """Save the weights (and optimizer state) to a `.weights.h5` file in Keras 3's layout."""
        from jkeras.saving import saving_lib

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
        from jkeras.saving import saving_lib

        by_name = kwargs.pop("by_name", None)
        if kwargs:
            raise ValueError(f"Unrecognized arguments for `load_weights`: {sorted(kwargs)}")
        saving_lib.load_weights(self, filepath, skip_mismatch=skip_mismatch, by_name=by_name)

    def export(self, filepath, format="jax_export", verbose=None, input_signature=None,
               **kwargs):
        """Export the model's inference function for serving, as one file.

        Keras 3 defaults to `format="tf_saved_model"`; jkeras has no TensorFlow and writes
        `format="jax_export"` instead: a serialized `jax.export.Exported` taking
        `(params, inputs)`, with the weights stored next to it and a symbolic batch size.
        Load it with `jkeras.export.load_exported(filepath)`, without the model's code.

        Args:
            filepath: the file to write (replaced atomically).
            format: "jax_export" (the only format; "tf_saved_model" raises an error).
            verbose: print a message when done.
            input_signature: a structure of `jkeras.InputSpec`, `KerasTensor`,
                `jax.ShapeDtypeStruct` or arrays; default: the model's inputs.
            **kwargs: `platforms`, e.g. `("cpu", "cuda")` (default: JAX's default backend).
        """
        from jkeras.export import export_model

        export_model(self, filepath, format=format, verbose=verbose,
                     input_signature=input_signature, **kwargs)

    def to_json(self, **kwargs):
        """The model's config (with `compile_config` if compiled) as a JSON string."""
        from jkeras.saving import saving_lib

        return saving_lib.model_to_json(self, **kwargs)
