"""Keras example style: a character-level sequence-to-sequence LSTM (encoder states feed the
decoder, teacher forcing), trained briefly, then decoding step by step with inference models."""

import numpy as np

from tests.programs.harness import check, history_of, seeded_weights


def program(keras):
    tokens, latent = 6, 8
    rng = np.random.default_rng(3)
    encoder_data = np.eye(tokens, dtype="float32")[rng.integers(0, tokens, size=(16, 5))]
    target_ids = rng.integers(0, tokens, size=(16, 4))
    decoder_data = np.eye(tokens, dtype="float32")[target_ids]
    decoder_targets = np.roll(decoder_data, -1, axis=1)

    encoder_inputs = keras.Input(shape=(None, tokens))
    _, state_h, state_c = keras.layers.LSTM(latent, return_state=True)(encoder_inputs)
    decoder_inputs = keras.Input(shape=(None, tokens))
    decoder_lstm = keras.layers.LSTM(latent, return_sequences=True, return_state=True)
    decoder_outputs, _, _ = decoder_lstm(decoder_inputs, initial_state=[state_h, state_c])
    decoder_dense = keras.layers.Dense(tokens, activation="softmax")
    model = keras.Model([encoder_inputs, decoder_inputs], decoder_dense(decoder_outputs))
    seeded_weights(model)
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit([encoder_data, decoder_data], decoder_targets, batch_size=8, epochs=2,
                        verbose=0, shuffle=False)

    encoder_model = keras.Model(encoder_inputs, [state_h, state_c])
    state_input_h, state_input_c = keras.Input(shape=(latent,)), keras.Input(shape=(latent,))
    step_outputs, h, c = decoder_lstm(decoder_inputs, initial_state=[state_input_h,
                                                                     state_input_c])
    decoder_model = keras.Model([decoder_inputs, state_input_h, state_input_c],
                                [decoder_dense(step_outputs), h, c])
    states = encoder_model.predict(encoder_data[:2], verbose=0)
    token = np.zeros((2, 1, tokens), "float32")
    token[:, 0, 0] = 1.0
    decoded = []
    for _ in range(3):
        probabilities, h, c = decoder_model.predict([token] + list(states), verbose=0)
        decoded.append(probabilities[:, -1])
        token = np.eye(tokens, dtype="float32")[probabilities[:, -1].argmax(-1)][:, None]
        states = [h, c]
    return {"history": history_of(history), "decoded": np.stack(decoded, 1)}


def test_seq2seq(keras):
    check(program, keras)
