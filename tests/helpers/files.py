"""`.keras` files across the two libraries."""

import keras

import jkeras


def load_both_ways(ours, theirs, directory):
    """`(in_keras, in_jkeras)`: the jkeras model `ours` saved as a `.keras` file in
    `directory` and loaded by Keras 3, and Keras's model `theirs` loaded by jkeras."""
    ours.save(directory / "ours.keras")
    theirs.save(directory / "theirs.keras")
    return (keras.saving.load_model(directory / "ours.keras"),
            jkeras.saving.load_model(directory / "theirs.keras"))
