"""Keras example style: text classification from raw strings: `TextVectorization` adapted on
the training texts and applied to the data, an `Embedding`, average pooling and a sigmoid
output; new strings go through the same vectorization."""

import numpy as np

from tests.programs.harness import check, history_of, seeded_weights

TEXTS = ["a great movie", "what a terrible film", "great acting and a great plot",
         "terrible plot", "I loved it", "I hated it", "loved the acting", "hated the plot"]
LABELS = np.array([1, 0, 1, 0, 1, 0, 1, 0], "float32")


def program(keras):
    vectorize = keras.layers.TextVectorization(max_tokens=20, output_mode="int",
                                               output_sequence_length=6)
    vectorize.adapt(TEXTS)
    sequences = np.asarray(vectorize(TEXTS))  # preprocessing outside the model
    inputs = keras.Input(shape=(6,), dtype="int32")
    x = keras.layers.Embedding(20, 4)(inputs)
    outputs = keras.layers.Dense(1, activation="sigmoid")(keras.layers.GlobalAveragePooling1D()(x))
    model = keras.Model(inputs, outputs)
    seeded_weights(model)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(sequences, LABELS, batch_size=4, epochs=2, verbose=0, shuffle=False)
    return {"vocabulary": vectorize.get_vocabulary(), "sequences": sequences,
            "history": history_of(history),
            "predictions": model(vectorize(["great plot", "hated it"]))}


def test_text_classification(keras):
    check(program, keras)
