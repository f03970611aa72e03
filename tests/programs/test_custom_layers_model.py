"""Keras guide style ("making new layers and models via subclassing"): custom layers that
create their weights in `build` with regularizers and constraints, behave differently in
training (dropout, batch normalization), add losses in `call` and compute their output shape,
assembled in a subclassed model that is trained, evaluated and inspected."""

import numpy as np

from tests.programs.harness import check, history_of, seeded_weights


def program(keras):
    class NormedDense(keras.layers.Layer):
        """A dense layer with an L2-regularized kernel kept within a max norm, a non-negative
        bias, and an activity penalty on its outputs."""

        def __init__(self, units, activity_penalty=1e-3, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.activity_penalty = activity_penalty

        def build(self, input_shape):
            self.kernel = self.add_weight(
                shape=(input_shape[-1], self.units), initializer="glorot_uniform",
                regularizer=keras.regularizers.L2(1e-2),
                constraint=keras.constraints.MaxNorm(1.5), name="kernel")
            self.bias = self.add_weight(shape=(self.units,), initializer="zeros",
                                        constraint=keras.constraints.NonNeg(), name="bias")

        def call(self, inputs):
            outputs = keras.ops.matmul(inputs, self.kernel) + self.bias
            self.add_loss(self.activity_penalty * keras.ops.mean(keras.ops.square(outputs)))
            return outputs

        def compute_output_shape(self, input_shape):
            return tuple(input_shape[:-1]) + (self.units,)

    class Block(keras.layers.Layer):
        """NormedDense -> BatchNormalization -> relu -> Dropout; the sublayers see
        `training`."""

        def __init__(self, units, rate=0.5, **kwargs):
            super().__init__(**kwargs)
            self.dense = NormedDense(units)
            self.norm = keras.layers.BatchNormalization(momentum=0.5)
            self.dropout = keras.layers.Dropout(rate)

        def call(self, inputs, training=None):
            x = self.norm(self.dense(inputs), training=training)
            return self.dropout(keras.ops.relu(x), training=training)

        def compute_output_shape(self, input_shape):
            return self.dense.compute_output_shape(input_shape)

    class Regressor(keras.Model):
        def __init__(self, rate=0.5, **kwargs):
            super().__init__(**kwargs)
            self.block = Block(8, rate=rate, name="block")
            self.head = NormedDense(1, activity_penalty=0.0, name="head")

        def call(self, inputs, training=None):
            return self.head(self.block(inputs, training=training))

    rng = np.random.default_rng(3)
    x = rng.normal(size=(32, 5)).astype("float32")
    y = (x @ rng.normal(size=(5, 1)) + 0.5).astype("float32")
    # Dropout draws differ between libraries: the trained model drops nothing, and a block of
    # its own shows what Dropout does in training, as checks that hold for any draw.
    block = Block(8, rate=0.5)
    inference = keras.ops.convert_to_numpy(block(x, training=False))
    inference_again = keras.ops.convert_to_numpy(block(x, training=False))
    dropped = keras.ops.convert_to_numpy(block(x, training=True))
    kept = keras.ops.convert_to_numpy(
        keras.ops.relu(block.norm(block.dense(x), training=True)))
    dropout = {
        "inference_is_deterministic": bool(np.array_equal(inference, inference_again)),
        "kept_scaled_by_2": bool(np.all((dropped == 0) | np.isclose(dropped, 2 * kept,
                                                                    atol=1e-6))),
        "some_dropped": bool(np.sum((dropped == 0) & (kept > 0)) > 0)}

    model = Regressor(rate=0.0, name="regressor")
    model(x[:1])  # builds the weights (Keras's build(shape) would not create them)
    seeded_weights(model)
    eager = model(x[:8], training=False)
    inference_losses = [float(loss) for loss in model.losses]
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse", metrics=["mae"])
    history = model.fit(x, y, batch_size=8, epochs=3, verbose=0, shuffle=False)
    kernel_norms = np.sqrt(np.sum(np.square(model.block.dense.kernel.numpy()), axis=0))
    return {
        "eager": eager,
        "inference_losses": inference_losses,
        "loss_count": len(model.losses),
        "output_shape": list(model.block.compute_output_shape((None, 5))),
        "symbolic_shape": list(NormedDense(3)(keras.Input((5,))).shape),
        "layer_names": [layer.name for layer in model.layers],
        "block_trainable_names": [w.path for w in model.block.trainable_weights],
        "dropout": dropout,
        "count_params": model.count_params(),
        "weight_paths": [w.path for w in model.weights],
        "weight_names": [w.name for w in model.weights],
        "trainable_names": [w.name for w in model.trainable_weights],
        "non_trainable_names": [w.name for w in model.non_trainable_weights],
        "history": history_of(history),
        "kernel_within_max_norm": bool(np.all(kernel_norms <= 1.5 + 1e-5)),
        "bias_non_negative": bool(np.all(model.block.dense.bias.numpy() >= 0)),
        "moving_mean": model.block.norm.moving_mean.numpy(),
        "evaluation": model.evaluate(x, y, batch_size=8, verbose=0, return_dict=True),
        "predictions": model.predict(x[:4], verbose=0),
        "frozen": _frozen_counts(model),
    }


def _frozen_counts(model):
    """Weight counts with the block frozen, then the whole model unfrozen again."""
    model.block.trainable = False
    counts = [len(model.trainable_weights), len(model.non_trainable_weights)]
    model.trainable = True
    return counts + [len(model.trainable_weights), len(model.non_trainable_weights)]


def test_custom_layers_model(keras):
    results = check(program, keras, rtol=1e-4, atol=1e-5)
    assert results["kernel_within_max_norm"] and results["bias_non_negative"]
    assert all(results["dropout"].values())
