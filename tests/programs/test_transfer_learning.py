"""Keras guide style: transfer learning and fine-tuning: a frozen base model (its
BatchNormalization in inference mode while frozen), a new head trained, then the base unfrozen
and fine-tuned with a low learning rate (recompiling). As in Keras 3, `fit`'s training=True
reaches the unfrozen base despite `base_model(inputs, training=False)` (keras-team/keras#20285),
so its BatchNormalization statistics move while fine-tuning (`moving_mean`)."""

import numpy as np

from tests.programs.harness import check, history_of, seeded_weights


def program(keras):
    base_input = keras.Input((6,))
    base_output = keras.layers.Dense(8, activation="relu")(
        keras.layers.BatchNormalization()(keras.layers.Dense(8)(base_input)))
    base_model = keras.Model(base_input, base_output, name="base")
    seeded_weights(base_model, seed=1)
    base_model.trainable = False

    inputs = keras.Input((6,))
    x = base_model(inputs, training=False)
    outputs = keras.layers.Dense(1)(keras.layers.Dropout(0.0)(x))
    model = keras.Model(inputs, outputs)
    seeded_weights(model.layers[-1], seed=2)
    counts = {"trainable": len(model.trainable_weights),
              "non_trainable": len(model.non_trainable_weights)}
    model.compile(optimizer=keras.optimizers.Adam(1e-2),
                  loss=keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[keras.metrics.BinaryAccuracy()])
    rng = np.random.default_rng(10)
    x_data = rng.normal(size=(32, 6)).astype("float32")
    y_data = (x_data[:, :1] > 0).astype("float32")
    head = model.fit(x_data, y_data, batch_size=8, epochs=2, verbose=0, shuffle=False)

    base_model.trainable = True
    counts["unfrozen_trainable"] = len(model.trainable_weights)
    model.compile(optimizer=keras.optimizers.Adam(1e-4),
                  loss=keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[keras.metrics.BinaryAccuracy()])
    fine = model.fit(x_data, y_data, batch_size=8, epochs=1, verbose=0, shuffle=False)
    return {"counts": counts, "head": history_of(head), "fine": history_of(fine),
            "moving_mean": np.asarray(base_model.layers[2].moving_mean),
            "predictions": model.predict(x_data[:4], verbose=0)}


def test_transfer_learning(keras):
    check(program, keras)
