"""Keras guide style: writing a training loop from scratch in JAX, with `stateless_call`,
`optimizer.stateless_apply` and the stateless metric API under `jax.jit`."""

import jax
import numpy as np

from tests.programs.harness import check, seeded_weights


def program(keras):
    model = keras.Sequential([
        keras.Input(shape=(6,)),
        keras.layers.Dense(12, activation="relu"),
        keras.layers.Dense(3),
    ])
    seeded_weights(model)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    optimizer = keras.optimizers.Adam(learning_rate=1e-2)
    optimizer.build(model.trainable_variables)
    train_acc = keras.metrics.SparseCategoricalAccuracy()

    def compute_loss_and_updates(trainable_variables, non_trainable_variables, x, y):
        y_pred, non_trainable_variables = model.stateless_call(
            trainable_variables, non_trainable_variables, x, training=True)
        return loss_fn(y, y_pred), (y_pred, non_trainable_variables)

    grad_fn = jax.value_and_grad(compute_loss_and_updates, has_aux=True)

    @jax.jit
    def train_step(state, data):
        trainable_variables, non_trainable_variables, optimizer_variables, metric_variables = \
            state
        x, y = data
        (loss, (y_pred, non_trainable_variables)), grads = grad_fn(
            trainable_variables, non_trainable_variables, x, y)
        trainable_variables, optimizer_variables = optimizer.stateless_apply(
            optimizer_variables, grads, trainable_variables)
        metric_variables = train_acc.stateless_update_state(metric_variables, y, y_pred)
        return loss, (trainable_variables, non_trainable_variables, optimizer_variables,
                      metric_variables)

    rng = np.random.default_rng(1)
    x = rng.normal(size=(48, 6)).astype("float32")
    y = x[:, :3].argmax(axis=1).astype("int32")
    state = ([v.value for v in model.trainable_variables],
             [v.value for v in model.non_trainable_variables],
             [v.value for v in optimizer.variables],
             [v.value for v in train_acc.variables])
    losses, accuracies = [], []
    for epoch in range(2):
        for step in range(0, 48, 12):
            loss, state = train_step(state, (x[step:step + 12], y[step:step + 12]))
            losses.append(float(loss))
        accuracies.append(float(train_acc.stateless_result(state[3])))
        state = state[:3] + (train_acc.stateless_reset_state(),)

    trainable_variables, non_trainable_variables = state[0], state[1]
    for variable, value in zip(model.trainable_variables, trainable_variables):
        variable.assign(value)
    for variable, value in zip(model.non_trainable_variables, non_trainable_variables):
        variable.assign(value)
    return {"losses": losses, "accuracies": accuracies,
            "logits": model.predict(x[:3], verbose=0),
            "weights": [np.asarray(w) for w in model.get_weights()]}


def test_custom_training_loop(keras):
    results = check(program, keras)
    assert results["losses"][-1] < results["losses"][0]
