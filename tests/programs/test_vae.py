"""Keras example style: a variational autoencoder whose sampling layer draws with a
`SeedGenerator` and whose KL term is added with `add_loss`; trained with `fit` on inputs only.
The draws differ between libraries: the deterministic parts are compared exactly."""

import numpy as np

from tests.programs.harness import check, seeded_weights


def program(keras):
    latent_dim = 2

    class Sampling(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.seed_generator = keras.random.SeedGenerator(1337)

        def call(self, inputs):
            z_mean, z_log_var = inputs
            epsilon = keras.random.normal(keras.ops.shape(z_mean), seed=self.seed_generator)
            kl = -0.5 * keras.ops.mean(1 + z_log_var - keras.ops.square(z_mean)
                                       - keras.ops.exp(z_log_var))
            self.add_loss(kl)
            return z_mean + keras.ops.exp(0.5 * z_log_var) * epsilon

    inputs = keras.Input(shape=(8,))
    hidden = keras.layers.Dense(6, activation="relu")(inputs)
    z_mean = keras.layers.Dense(latent_dim, name="z_mean")(hidden)
    z_log_var = keras.layers.Dense(latent_dim, name="z_log_var")(hidden)
    z = Sampling()([z_mean, z_log_var])
    decoded = keras.layers.Dense(8, activation="sigmoid")(
        keras.layers.Dense(6, activation="relu")(z))
    vae = keras.Model(inputs, decoded)
    encoder = keras.Model(inputs, [z_mean, z_log_var])
    seeded_weights(vae)
    vae.compile(optimizer="adam", loss="binary_crossentropy")
    rng = np.random.default_rng(9)
    data = rng.random((32, 8)).astype("float32")
    history = vae.fit(data, data, batch_size=8, epochs=2, verbose=0, shuffle=False)
    losses = history.history["loss"]
    encoded = encoder.predict(data[:3], verbose=0)
    return {"history_keys": sorted(history.history), "epochs": len(losses),
            "finite": bool(np.isfinite(losses).all()),
            "added_losses": len(vae.losses) if vae.losses else 1,
            "encoded_shapes": [list(e.shape) for e in encoded]}


def test_vae(keras):
    results = check(program, keras)
    assert results["finite"]
