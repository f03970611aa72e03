"""Keras guide style: a custom layer and a custom model with `get_config`, registered, saved
to a `.keras` file and reloaded with the same predictions."""

import os
import tempfile

import numpy as np

from tests.programs.harness import check, seeded_weights


def program(keras):
    package = f"ProgramsSaving{keras.__name__}"

    @keras.saving.register_keras_serializable(package=package)
    class ScaledDense(keras.layers.Layer):
        def __init__(self, units, scale=1.0, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.scale = scale

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                     initializer="glorot_uniform", name="w")
            self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="b")

        def call(self, inputs):
            return self.scale * (keras.ops.matmul(inputs, self.w) + self.b)

        def get_config(self):
            config = super().get_config()
            config.update({"units": self.units, "scale": self.scale})
            return config

    @keras.saving.register_keras_serializable(package=package)
    class TwoLayerModel(keras.Model):
        def __init__(self, hidden=8, outputs=2, **kwargs):
            super().__init__(**kwargs)
            self.hidden = hidden
            self.outputs_count = outputs
            self.first = ScaledDense(hidden, scale=0.5)
            self.second = keras.layers.Dense(outputs)

        def call(self, inputs):
            return self.second(keras.ops.relu(self.first(inputs)))

        def get_config(self):
            return {"hidden": self.hidden, "outputs": self.outputs_count, "name": self.name}

    rng = np.random.default_rng(2)
    x = rng.normal(size=(32, 5)).astype("float32")
    y = rng.normal(size=(32, 2)).astype("float32")
    model = TwoLayerModel(name="two_layers")
    model(x[:1])
    seeded_weights(model)
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0, shuffle=False)
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "two_layers.keras")
        model.save(path)
        reloaded = keras.saving.load_model(path)
    return {"loss": history.history["loss"],
            "config": reloaded.get_config(),
            "layer_config": {k: v for k, v in reloaded.first.get_config().items()
                             if k in ("units", "scale", "name", "trainable")},
            "reloaded_class": type(reloaded).__name__,
            "predictions": reloaded.predict(x[:4], verbose=0),
            "same_as_saved": bool(np.allclose(reloaded.predict(x, verbose=0),
                                              model.predict(x, verbose=0), atol=1e-6))}


def test_custom_layer_saving(keras):
    results = check(program, keras)
    assert results["same_as_saved"]
