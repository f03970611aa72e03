"""Keras guide style ("mixed precision"): under the `mixed_bfloat16` global policy a small
classifier computes in bfloat16 with float32 variables, its softmax kept in float32, and is
trained; under `mixed_float16` `compile` wraps the optimizer in a `LossScaleOptimizer`. The
policy is restored to float32 whatever happens."""

import numpy as np

from tests.programs.harness import check, history_of, seeded_weights


def program(keras):
    try:
        keras.mixed_precision.set_global_policy("mixed_bfloat16")
        results = _train(keras)
        keras.mixed_precision.set_global_policy("mixed_float16")
        results["float16"] = _loss_scaled(keras)
        return results
    finally:
        keras.mixed_precision.set_global_policy("float32")


def _loss_scaled(keras):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="tanh"),
                              keras.layers.Dense(1, dtype="float32")])
    seeded_weights(model, seed=1)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    rng = np.random.default_rng(8)
    x = rng.normal(size=(32, 4)).astype("float32")
    y = x.sum(axis=1, keepdims=True).astype("float32")
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0, shuffle=False)
    optimizer = model.optimizer
    return {"optimizer": type(optimizer).__name__,
            "inner_optimizer": type(optimizer.inner_optimizer).__name__,
            "scale": float(optimizer.dynamic_scale),
            "hidden_compute": model.layers[0].compute_dtype,
            "history": history_of(history),
            "predictions": model.predict(x[:4], verbose=0)}


def _train(keras):
    policy = keras.mixed_precision.global_policy()
    inputs = keras.Input((6,), name="features")
    hidden = keras.layers.Dense(16, activation="relu", name="hidden")(inputs)
    hidden = keras.layers.LayerNormalization(name="norm")(hidden)
    logits = keras.layers.Dense(3, name="logits")(hidden)
    probabilities = keras.layers.Activation("softmax", dtype="float32", name="probabilities")(
        logits)
    model = keras.Model(inputs, probabilities)
    seeded_weights(model)

    rng = np.random.default_rng(4)
    x = rng.normal(size=(48, 6)).astype("float32")
    y = (x[:, 0] > 0).astype("int32") + (x[:, 1] > 0.5).astype("int32")
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, batch_size=16, epochs=3, verbose=0, shuffle=False)
    layers = {layer.name: {"compute": layer.compute_dtype, "variable": layer.variable_dtype,
                           "policy": layer.dtype_policy.name,
                           "config_dtype": layer.get_config()["dtype"]}
              for layer in model.layers[1:]}
    symbolic = {"logits": logits.dtype, "probabilities": probabilities.dtype}
    logits_model = keras.Model(inputs, logits)
    return {
        "policy": {"name": policy.name, "compute": policy.compute_dtype,
                   "variable": policy.variable_dtype},
        "layers": layers,
        "symbolic_dtypes": symbolic,
        "variable_dtypes": sorted({str(w.dtype) for w in model.weights}),
        "logits_dtype": str(logits_model(x[:2]).dtype),
        "output_dtype": str(model(x[:2]).dtype),
        "predict_dtype": str(model.predict(x[:2], verbose=0).dtype),
        "history": history_of(history),
        "evaluation": model.evaluate(x, y, batch_size=16, verbose=0, return_dict=True),
        "probabilities": model.predict(x[:5], verbose=0),
        "kernel": model.get_layer("logits").kernel.numpy(),
        "from_config_policies": [layer.dtype_policy.name for layer in
                                 keras.Model.from_config(model.get_config()).layers],
    }


def test_mixed_precision(keras):
    # bfloat16 keeps 8 bits of mantissa: each library's rounding order moves the results
    # by a few parts in a thousand.
    results = check(program, keras, rtol=2e-2, atol=1e-2)
    assert keras.mixed_precision.global_policy().name == "float32"
    assert results["output_dtype"] == "float32" and results["logits_dtype"] == "bfloat16"
    assert results["float16"]["optimizer"] == "LossScaleOptimizer"
