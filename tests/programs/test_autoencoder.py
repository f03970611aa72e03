"""Keras example style: a convolutional denoising autoencoder (Conv2D, MaxPooling2D,
Conv2DTranspose) on small images given without their channel axis."""

import numpy as np

from tests.programs.harness import check, history_of, seeded_weights


def program(keras):
    rng = np.random.default_rng(5)
    images = rng.random((24, 8, 8)).astype("float32")
    noisy = np.clip(images + 0.2 * rng.normal(size=images.shape), 0, 1).astype("float32")

    inputs = keras.Input(shape=(8, 8, 1))
    x = keras.layers.Conv2D(4, 3, activation="relu", padding="same")(inputs)
    x = keras.layers.MaxPooling2D(2, padding="same")(x)
    x = keras.layers.Conv2DTranspose(4, 3, strides=2, activation="relu", padding="same")(x)
    outputs = keras.layers.Conv2D(1, 3, activation="sigmoid", padding="same")(x)
    autoencoder = keras.Model(inputs, outputs)
    seeded_weights(autoencoder)
    autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
    history = autoencoder.fit(noisy, images, epochs=2, batch_size=8, shuffle=False, verbose=0,
                              validation_data=(noisy[:8], images[:8]))
    denoised = autoencoder.predict(noisy[:2], verbose=0)
    return {"history": history_of(history), "denoised": denoised,
            "shape": list(denoised.shape)}


def test_autoencoder(keras):
    results = check(program, keras)
    assert results["shape"] == [2, 8, 8, 1]
