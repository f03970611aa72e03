"""Keras example style: a siamese network with a shared tower, a `Lambda` distance layer and
a custom contrastive loss function."""

import numpy as np

from tests.programs.harness import check, history_of, seeded_weights


def program(keras):
    def euclidean_distance(vectors):
        left, right = vectors
        squared = keras.ops.sum(keras.ops.square(left - right), axis=1, keepdims=True)
        return keras.ops.sqrt(keras.ops.maximum(squared, keras.backend.epsilon()))

    def contrastive_loss(margin=1.0):
        def loss(y_true, y_pred):
            square_pred = keras.ops.square(y_pred)
            margin_square = keras.ops.square(keras.ops.maximum(margin - y_pred, 0))
            return keras.ops.mean((1 - y_true) * square_pred + y_true * margin_square)
        return loss

    tower_input = keras.Input((6,))
    tower = keras.Model(tower_input, keras.layers.Dense(4, activation="tanh")(
        keras.layers.Dense(8, activation="relu")(tower_input)), name="tower")
    left, right = keras.Input((6,)), keras.Input((6,))
    distance = keras.layers.Lambda(euclidean_distance, output_shape=(1,))(
        [tower(left), tower(right)])
    outputs = keras.layers.Dense(1, activation="sigmoid")(
        keras.layers.BatchNormalization()(distance))
    siamese = keras.Model([left, right], outputs)
    seeded_weights(siamese)

    rng = np.random.default_rng(4)
    a = rng.normal(size=(32, 6)).astype("float32")
    same = rng.integers(0, 2, size=(32, 1)).astype("float32")
    b = np.where(same == 1, rng.normal(size=(32, 6)), a + 0.05 * rng.normal(size=(32, 6)))
    b = b.astype("float32")
    siamese.compile(loss=contrastive_loss(margin=1.0), optimizer="rmsprop",
                    metrics=["accuracy"])
    history = siamese.fit([a, b], same, batch_size=8, epochs=2, verbose=0, shuffle=False)
    return {"history": history_of(history),
            "evaluation": siamese.evaluate([a, b], same, verbose=0),
            "tower_shared": len(siamese.get_layer("tower").trainable_weights),
            "predictions": siamese.predict([a[:4], b[:4]], verbose=0)}


def test_siamese(keras):
    check(program, keras)
