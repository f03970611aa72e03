"""`jkeras.optimizers.legacy`: Keras 3 keeps these names only to say that the Keras 2
(`tf.keras`) legacy optimizers are gone; creating one raises `ImportError`."""


class LegacyOptimizerWarning:
    """Stands for every `keras.optimizers.legacy` name; instantiating it raises ImportError."""

    def __init__(self, *args, **kwargs):
        raise ImportError(
            "`keras.optimizers.legacy` is not supported in Keras 3 (nor in jkeras). Use the "
            "optimizers of `jkeras.optimizers` (e.g. `jkeras.optimizers.Adam`); for the Keras 2 "
            "legacy optimizers, install `tf_keras` and set `TF_USE_LEGACY_KERAS=True`."
        )


Adagrad = Adam = Ftrl = Optimizer = RMSprop = SGD = LegacyOptimizerWarning
