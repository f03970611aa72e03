"""Keras guide style: understanding masking and padding: `pad_sequences`, an `Embedding`
with `mask_zero=True`, masks propagated to an LSTM and to a masked average pooling."""

import numpy as np

from tests.programs.harness import check, history_of, seeded_weights


def program(keras):
    raw_inputs = [[7, 3, 9], [4, 2, 8, 6, 1], [5, 1], [3, 3, 3, 3], [9], [2, 6, 4]]
    padded = keras.utils.pad_sequences(raw_inputs, padding="post", maxlen=5)
    truncated = keras.utils.pad_sequences(raw_inputs, maxlen=3, truncating="pre", value=-1)

    embedding = keras.layers.Embedding(input_dim=10, output_dim=4, mask_zero=True)
    inputs = keras.Input(shape=(None,), dtype="int32")
    embedded = embedding(inputs)
    sequence = keras.layers.LSTM(6, return_sequences=True)(embedded)
    pooled = keras.layers.GlobalAveragePooling1D()(sequence)  # masked mean
    outputs = keras.layers.Dense(1, activation="sigmoid")(pooled)
    model = keras.Model(inputs, outputs)
    seeded_weights(model)
    labels = np.array([[1], [0], [1], [0], [1], [0]], "float32")
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(padded, labels, batch_size=3, epochs=2, verbose=0, shuffle=False)
    mask = embedding.compute_mask(padded)
    return {"padded": padded, "truncated": truncated, "mask": np.asarray(mask),
            "history": history_of(history),
            "predictions": model.predict(padded, verbose=0),
            "padding_ignored": model.predict(np.pad(padded, ((0, 0), (0, 3))), verbose=0)}


def test_masking_padding(keras):
    results = check(program, keras)
    assert results["padded"].shape == (6, 5)
    np.testing.assert_allclose(results["padding_ignored"], results["predictions"], atol=1e-5)
