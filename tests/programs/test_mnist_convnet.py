"""Keras example style: a simple convnet for MNIST-shaped digits (here random 12x12 images
given as `(n, 12, 12)` arrays for an `Input((12, 12, 1))`), with `to_categorical` labels."""

import numpy as np

from tests.programs.harness import check, history_of, seeded_weights


def program(keras):
    num_classes = 4
    rng = np.random.default_rng(11)
    x_train = rng.integers(0, 256, size=(32, 12, 12)).astype("float32") / 255
    y_train = keras.utils.to_categorical(rng.integers(0, num_classes, size=32), num_classes)
    model = keras.Sequential([
        keras.Input(shape=(12, 12, 1)),
        keras.layers.Conv2D(4, kernel_size=(3, 3), activation="relu"),
        keras.layers.MaxPooling2D(pool_size=(2, 2)),
        keras.layers.Flatten(),
        keras.layers.Dropout(0.0),
        keras.layers.Dense(num_classes, activation="softmax"),
    ])
    seeded_weights(model)
    lines = []
    model.summary(print_fn=lambda text, **kwargs: lines.append(text))
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=8, epochs=2, validation_split=0.25,
                        verbose=0, shuffle=False)
    score = model.evaluate(x_train, y_train, verbose=0)
    return {"history": history_of(history), "score": score,
            "params": model.count_params(), "labels": y_train[:3]}


def test_mnist_convnet(keras):
    results = check(program, keras)
    assert results["params"] == 4 * 9 + 4 + 100 * 4 + 4
