"""`jkeras.export`: serving export with `jax.export` (`model.export(path)`) and its loader.

Keras 3 exports TensorFlow SavedModels (`format="tf_saved_model"`); jkeras, which has no
TensorFlow, exports a serialized `jax.export.Exported` plus its weights instead
(`format="jax_export"`, the default). See `jax_export.py`.
"""

from jkeras.export.export_archive import ExportArchive, ExportedArchive
from jkeras.export.jax_export import ExportedModel, export_jax
from jkeras.export.loading import load_exported

EXPORT_FORMATS = ("jax_export",)


def check_export_format(format):
    """A clear error for a format jkeras cannot write (only "jax_export")."""
    if format == "tf_saved_model":
        raise NotImplementedError(
            "jkeras cannot export a TensorFlow SavedModel (format='tf_saved_model'): it does "
            "not depend on TensorFlow. Use format='jax_export' (the default) to export a "
            "serialized `jax.export` serving function, and `jkeras.export.load_exported` to "
            "load it."
        )
    if format not in EXPORT_FORMATS:
        raise ValueError(
            f"Unrecognized format={format}. Supported formats are: {list(EXPORT_FORMATS)}."
        )


def export_model(model, filepath, format="jax_export", verbose=None, input_signature=None,
                 model_inputs=None, **kwargs):
    """`model.export(...)`: write `model` for serving in `format` (only "jax_export"); see
    `export_jax` for the arguments."""
    check_export_format(format)
    platforms = kwargs.pop("platforms", None)
    if kwargs:
        raise ValueError(f"Unrecognized arguments for `export`: {sorted(kwargs)}")
    export_jax(model, filepath, verbose=verbose, input_signature=input_signature,
               platforms=platforms, model_inputs=model_inputs)
