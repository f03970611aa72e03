"""Keras guide style (functional API): a question-answer matching model whose two inputs go
through the same `Embedding` and `Dense` layers, with two named outputs trained with a loss,
a loss weight and metrics each."""

import numpy as np

from tests.programs.harness import check, history_of, seeded_weights


def program(keras):
    vocabulary, length = 15, 5
    question = keras.Input(shape=(length,), dtype="int32", name="question")
    answer = keras.Input(shape=(length,), dtype="int32", name="answer")
    embed = keras.layers.Embedding(vocabulary, 6, name="shared_embedding")
    encode = keras.layers.Dense(4, activation="relu", name="shared_encoder")
    pool = keras.layers.GlobalAveragePooling1D(name="pool")
    question_code = pool(encode(embed(question)))
    answer_code = pool(encode(embed(answer)))
    joined = keras.layers.Concatenate(name="joined")([question_code, answer_code])
    match = keras.layers.Dense(1, activation="sigmoid", name="match")(joined)
    score = keras.layers.Dense(1, name="score")(keras.layers.Subtract(name="difference")([question_code,
                                                                         answer_code]))
    model = keras.Model([question, answer], {"match": match, "score": score},
                        name="matcher")
    seeded_weights(model)
    model.compile(
        optimizer=keras.optimizers.Adam(0.01),
        loss={"match": keras.losses.BinaryCrossentropy(), "score": "mse"},
        loss_weights={"match": 2.0, "score": 0.5},
        metrics={"match": ["accuracy", keras.metrics.AUC(name="auc")],
                 "score": [keras.metrics.MeanAbsoluteError(name="mae"), "mse"]})

    rng = np.random.default_rng(5)
    questions = rng.integers(0, vocabulary, size=(24, length)).astype("int32")
    answers = rng.integers(0, vocabulary, size=(24, length)).astype("int32")
    targets = {"match": (questions[:, 0] % 2 == answers[:, 0] % 2).astype("float32"),
               "score": (questions.mean(axis=1) - answers.mean(axis=1)).astype("float32")}
    history = model.fit([questions, answers], targets, batch_size=8, epochs=3, verbose=0,
                        shuffle=False, validation_data=([questions[:8], answers[:8]],
                                                        {k: v[:8] for k, v in targets.items()}))
    shared = model.get_layer("shared_embedding")
    predictions = model.predict([questions[:4], answers[:4]], verbose=0)
    return {
        "history": history_of(history),
        "history_keys": sorted(history.history),
        "evaluation": model.evaluate([questions, answers], targets, batch_size=8, verbose=0,
                                     return_dict=True),
        "evaluation_list": model.evaluate([questions, answers], targets, batch_size=8,
                                          verbose=0),
        "metrics_names": list(model.metrics_names),
        "output_names": list(model.output_names),
        "layer_names": [layer.name for layer in model.layers],
        "weight_count": len(model.weights),
        "params": model.count_params(),
        "shared_output": shared(questions[:2, :2]),
        # Which calls feed which: the shared layers' two nodes and their node indices.
        "config_layers": [(layer["name"], [_histories(node["args"])
                                           for node in layer["inbound_nodes"]])
                          for layer in model.get_config()["layers"]],
        "rebuilt": keras.Model.from_config(model.get_config()).count_params(),
        "match": predictions["match"], "score": predictions["score"]}


def _histories(arguments):
    """The `keras_history` of every tensor in a node's serialized arguments."""
    if isinstance(arguments, dict):
        if arguments.get("class_name") == "__keras_tensor__":
            return [list(arguments["config"]["keras_history"])]
        arguments = list(arguments.values())
    if isinstance(arguments, (list, tuple)):
        return [h for argument in arguments for h in _histories(argument)]
    return []


def test_shared_layers(keras):
    results = check(program, keras)
    assert "val_match_auc" in results["history_keys"]
