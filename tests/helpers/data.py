"""Small seeded datasets and models for tests that train."""

import numpy as np

import jkeras


def classification_data(n=64, features=4, classes=3, seed=0):
    """`(x, y)`: `x` float32 `(n, features)` from a seeded standard normal, `y` int32 labels
    `argmax(x[:, :classes])`, so that they depend on the inputs and training makes progress."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype("float32")
    return x, x[:, :classes].argmax(axis=1).astype("int32")


def regression_data(n=64, features=4, seed=0, noise=False):
    """`(x, y)`: `x` float32 `(n, features)` from a seeded standard normal; `y` float32 `(n, 1)`,
    `x @ [1, -2, 0.5, 0, ...]` (learnable), or with `noise` independent normal draws."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype("float32")
    if noise:
        return x, rng.normal(size=(n, 1)).astype("float32")
    weights = np.zeros((features, 1))
    weights[:3, 0] = [1.0, -2.0, 0.5][:features]
    return x, (x @ weights).astype("float32")


def mlp(library=jkeras, inputs=4, hidden=(8,), outputs=2, output_activation=None,
        dropout=None, batch_norm=False):
    """A small `library.Sequential` (jkeras or keras): `Input((inputs,))`, for each size in
    `hidden` a relu `Dense` (then `Dropout(dropout)` and `BatchNormalization()` when asked),
    and a `Dense(outputs, output_activation)`."""
    stack = [library.Input((inputs,))]
    for units in hidden:
        stack.append(library.layers.Dense(units, activation="relu"))
        if dropout:
            stack.append(library.layers.Dropout(dropout))
        if batch_norm:
            stack.append(library.layers.BatchNormalization())
    stack.append(library.layers.Dense(outputs, activation=output_activation))
    return library.Sequential(stack)
