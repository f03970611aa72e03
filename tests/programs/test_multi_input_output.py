"""Keras guide style (functional API): a ticket-ranking model with dict inputs (title, body,
tags) and two named outputs (priority, department), losses and weights per output."""

import numpy as np

from tests.programs.harness import check, history_of, seeded_weights


def program(keras):
    num_tags, num_words, num_departments = 6, 20, 3
    title_input = keras.Input(shape=(None,), name="title")
    body_input = keras.Input(shape=(None,), name="body")
    tags_input = keras.Input(shape=(num_tags,), name="tags")
    embedding = keras.layers.Embedding(num_words, 4)
    title_features = keras.layers.LSTM(5)(embedding(title_input))
    body_features = keras.layers.GlobalAveragePooling1D()(embedding(body_input))
    x = keras.layers.Concatenate()([title_features, body_features, tags_input])
    priority = keras.layers.Dense(1, activation="sigmoid", name="priority")(x)
    department = keras.layers.Dense(num_departments, activation="softmax", name="department")(x)
    model = keras.Model(inputs={"title": title_input, "body": body_input, "tags": tags_input},
                        outputs={"priority": priority, "department": department})
    seeded_weights(model)
    model.compile(optimizer=keras.optimizers.RMSprop(1e-2),
                  loss={"priority": "binary_crossentropy",
                        "department": "sparse_categorical_crossentropy"},
                  loss_weights={"priority": 1.0, "department": 0.5},
                  metrics={"department": ["accuracy"]})
    rng = np.random.default_rng(7)
    data = {"title": rng.integers(0, num_words, size=(20, 4)),
            "body": rng.integers(0, num_words, size=(20, 7)),
            "tags": rng.integers(0, 2, size=(20, num_tags)).astype("float32")}
    targets = {"priority": rng.random((20, 1)).astype("float32"),
               "department": rng.integers(0, num_departments, size=(20,))}
    history = model.fit(data, targets, batch_size=5, epochs=2, verbose=0, shuffle=False)
    predictions = model.predict(data, verbose=0)
    return {"history": history_of(history), "output_names": sorted(model.output_names),
            "priority": predictions["priority"][:3],
            "department": predictions["department"][:3],
            "evaluation": model.evaluate(data, targets, verbose=0, return_dict=True)}


def test_multi_input_output(keras):
    check(program, keras)
