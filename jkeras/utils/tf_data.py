"""Recognizing `tf.data.Dataset`s without importing TensorFlow, and importing it where a
`tf.data.Dataset` is asked for (TensorFlow is optional)."""


def is_tf_dataset(x):
    """Whether `x` is a `tf.data.Dataset`, judged by its classes' names and modules, so that
    TensorFlow is never imported unless the caller already has a dataset from it."""
    return any(
        parent.__name__ == "DatasetV2" and parent.__module__.startswith("tensorflow.")
        for parent in type(x).__mro__
    )


def import_tensorflow():
    """Imports TensorFlow for `format="tf"`, with a clear error when it is not installed."""
    try:  # on use: TensorFlow is optional
        import tensorflow as tf
    except ImportError as error:
        raise ImportError(
            '`format="tf"` returns a `tf.data.Dataset` and needs TensorFlow (`pip install '
            'tensorflow`). jkeras\'s own format, `format="pydataset"` (the default), needs no '
            "TensorFlow."
        ) from error
    return tf
