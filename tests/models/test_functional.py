"""The functional API and subclassed models: graphs, shared layers, nesting, multi-output
training, custom train_step/compute_loss, config round trips and the bad inputs."""

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest

import jkeras
from jkeras import layers


def test_seed_two_input_model_with_shared_embedding():
    text_a = jkeras.Input(shape=(None,), dtype="int32", name="text_a")
    text_b = jkeras.Input(shape=(None,), dtype="int32", name="text_b")
    shared = layers.Embedding(1000, 128)
    encoded_a, encoded_b = shared(text_a), shared(text_b)
    assert encoded_a.shape == (None, None, 128)
    # jkeras.ops on symbolic tensors are recorded in the graph, as in Keras 3
    pa = layers.Dense(1, activation="sigmoid", name="prediction_a")(
        jkeras.ops.mean(encoded_a, axis=1))
    pb = layers.Dense(1, activation="sigmoid", name="prediction_b")(
        jkeras.ops.mean(encoded_b, axis=1))
    model = jkeras.Model(inputs=[text_a, text_b], outputs=[pa, pb])
    assert len(shared.weights) == 1 and model.count_params() == 1000 * 128 + 2 * 129
    a = np.random.default_rng(0).integers(0, 1000, size=(4, 7))
    b = np.random.default_rng(1).integers(0, 1000, size=(4, 5))
    out_a, out_b = model([a, b])
    emb = shared.embeddings.numpy()
    head = model.get_layer("prediction_a")
    logits = emb[a].mean(axis=1) @ head.kernel.numpy() + head.bias.numpy()
    np.testing.assert_allclose(np.asarray(out_a), 1 / (1 + np.exp(-logits)), rtol=1e-5)
    assert out_b.shape == (4, 1)


def test_residual_and_concatenate_model_trains():
    inputs = jkeras.Input((8,))
    x = layers.Dense(16, activation="relu")(inputs)
    y = layers.Dense(16, activation="relu")(x)
    x = layers.Add()([x, y])
    x = layers.Concatenate()([x, inputs])
    outputs = layers.Dense(1)(x)
    model = jkeras.Model(inputs, outputs)
    rng = np.random.default_rng(0)
    data = rng.normal(size=(256, 8)).astype("float32")
    target = (data[:, :1] * 2 - data[:, 1:2]).astype("float32")
    model.compile(jkeras.optimizers.Adam(0.01), "mse")
    history = model.fit(data, target, epochs=15, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < 0.1 * history.history["loss"][0]


def test_symbolic_arithmetic_and_ops_are_recorded():
    inputs = jkeras.Input((3,))
    doubled = 2 * inputs + 1
    negated = -doubled[:, :2]
    model = jkeras.Model(inputs, negated)
    x = np.arange(6, dtype="float32").reshape(2, 3)
    np.testing.assert_allclose(np.asarray(model(x)), -(2 * x + 1)[:, :2])
    assert model.layers == [model.layers[0]]  # only the InputLayer: operators are not layers


def test_multi_output_dict_losses_converge_and_history_names():
    rng = np.random.default_rng(0)
    title = jkeras.Input((6,), name="title")
    body = jkeras.Input((4,), name="body")
    features = layers.Concatenate()([layers.Dense(16, activation="relu")(title),
                                     layers.Dense(16, activation="relu")(body)])
    priority = layers.Dense(1, name="priority")(features)
    department = layers.Dense(3, activation="softmax", name="department")(features)
    model = jkeras.Model(inputs=[title, body], outputs=[priority, department])
    model.compile(
        optimizer=jkeras.optimizers.Adam(0.01),
        loss={"priority": "mse", "department": "sparse_categorical_crossentropy"},
        loss_weights={"priority": 1.0, "department": 0.5},
        metrics={"priority": ["mae"], "department": ["accuracy"]},
    )
    x_title = rng.normal(size=(512, 6)).astype("float32")
    x_body = rng.normal(size=(512, 4)).astype("float32")
    y_priority = x_title[:, :2].sum(1, keepdims=True)
    y_department = x_body[:, :3].argmax(1).astype("int32")
    history = model.fit({"title": x_title, "body": x_body},
                        {"priority": y_priority, "department": y_department},
                        epochs=30, batch_size=64, verbose=0)
    h = history.history
    assert set(h) == {"loss", "priority_loss", "department_loss", "priority_mae",
                      "department_accuracy"}
    np.testing.assert_allclose(h["loss"][-1], h["priority_loss"][-1]
                               + 0.5 * h["department_loss"][-1], rtol=1e-4)
    assert h["department_accuracy"][-1] > 0.85 and h["priority_loss"][-1] < 0.1
    results = model.evaluate([x_title, x_body], [y_priority, y_department], verbose=0,
                             return_dict=True)
    assert results["department_accuracy"] > 0.85
    predictions = model.predict({"title": x_title, "body": x_body}, verbose=0)
    assert [p.shape for p in predictions] == [(512, 1), (512, 3)]


def test_list_losses_and_list_of_lists_metrics():
    a = jkeras.Input((3,))
    out1 = layers.Dense(1, name="o1")(a)
    out2 = layers.Dense(2, name="o2")(a)
    model = jkeras.Model(a, [out1, out2])
    model.compile("sgd", loss=["mse", "mae"], loss_weights=[2.0, 1.0], metrics=[["mae"], []])
    x = np.ones((8, 3), "float32")
    logs = model.evaluate(x, [np.zeros((8, 1)), np.zeros((8, 2))], verbose=0, return_dict=True)
    prediction = model.predict(x, verbose=0)
    np.testing.assert_allclose(logs["o1_loss"], np.mean(prediction[0] ** 2), rtol=1e-5)
    np.testing.assert_allclose(logs["o2_loss"], np.mean(np.abs(prediction[1])), rtol=1e-5)
    np.testing.assert_allclose(logs["loss"], 2 * logs["o1_loss"] + logs["o2_loss"], rtol=1e-5)
    np.testing.assert_allclose(logs["o1_mae"], np.mean(np.abs(prediction[0])), rtol=1e-5)


def test_nested_models_both_ways_and_feature_extraction():
    inner_in = jkeras.Input((4,))
    inner = jkeras.Model(inner_in, layers.Dense(3, name="inner_dense")(inner_in), name="inner")

    class Sub(jkeras.Model):
        def __init__(self):
            super().__init__()
            self.body = inner
            self.head = layers.Dense(2)

        def call(self, inputs):
            return self.head(self.body(inputs["features"]))

    sub = Sub()
    x = {"features": np.ones((5, 4), "float32")}
    assert sub(x).shape == (5, 2)
    outer_in = jkeras.Input((4,))
    outer = jkeras.Model(outer_in, layers.Dense(1)(inner(outer_in)))
    assert outer(np.ones((2, 4), "float32")).shape == (2, 1)
    assert len(outer.weights) == 4  # the nested model's weights are shared, not copied
    features = jkeras.Model(inner.inputs, inner.get_layer("inner_dense").output)
    np.testing.assert_allclose(np.asarray(features(np.ones((1, 4)))),
                               np.asarray(inner(np.ones((1, 4)))))
    # a subclassed model inside a functional one, trained
    sub_in = jkeras.Input((4,))
    wrapped = jkeras.Model(sub_in, sub({"features": sub_in}))
    wrapped.compile("adam", "mse")
    wrapped.fit(np.ones((8, 4), "float32"), np.zeros((8, 2), "float32"), verbose=0)


def test_subclassed_model_tuple_outputs():
    class TwoHeads(jkeras.Model):
        def __init__(self):
            super().__init__()
            self.a = layers.Dense(1)
            self.b = layers.Dense(2)

        def call(self, x):
            return self.a(x), self.b(x)

    model = TwoHeads()
    first, second = model(np.ones((3, 4), "float32"))
    assert first.shape == (3, 1) and second.shape == (3, 2)


def test_custom_train_step_and_compute_loss_are_honoured():
    calls = {"compute_loss": 0}

    class Custom(jkeras.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(1)

        def call(self, x):
            return self.dense(x)

        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
            calls["compute_loss"] += 1
            return jnp.mean(jnp.abs(y_pred - y))  # MAE, whatever compile says

    model = Custom()
    model.compile("sgd", loss="mse")
    x = np.ones((4, 2), "float32")
    y = np.zeros((4, 1), "float32")
    model(x)
    prediction = np.asarray(model(x))
    loss = model.evaluate(x, y, verbose=0)
    np.testing.assert_allclose(loss, np.mean(np.abs(prediction)), rtol=1e-6)
    assert calls["compute_loss"] >= 1

    class ScaledStep(jkeras.Sequential):
        def train_step(self, state, data):
            trainable, non_trainable, optimizer_variables, metrics_variables = state
            x, y = data  # Keras 3 packs `(x, y)` when there are no sample weights

            def loss_fn(tv):
                y_pred, _ = self.stateless_call(tv, non_trainable, x, training=True)
                return jnp.mean((y_pred - y) ** 2)

            loss, grads = jax.value_and_grad(loss_fn)(trainable)
            grads = [g * 0 for g in grads]  # a custom step that freezes the weights
            trainable, optimizer_variables = self.optimizer.stateless_apply(
                optimizer_variables, grads, trainable)
            return {"loss": loss}, (trainable, non_trainable, optimizer_variables,
                                    metrics_variables)

    frozen = ScaledStep([jkeras.Input((2,)), layers.Dense(1)])
    frozen.compile("sgd", "mse")
    before = frozen.get_weights()
    history = frozen.fit(x, y + 1, epochs=2, verbose=0)
    for old, new in zip(before, frozen.get_weights()):
        np.testing.assert_array_equal(old, new)
    assert history.history["loss"][0] == pytest.approx(history.history["loss"][1])


def test_multi_output_model_with_its_own_loss_fits_without_targets_like_keras():
    """No compiled loss or metrics: `fit(x)` needs no `y`, whatever the outputs (Keras 3)."""
    def build(library):
        class TwoOutputs(library.Model):
            def __init__(self):
                super().__init__()
                self.dense = library.layers.Dense(2, kernel_initializer="ones")

            def call(self, x):
                y = self.dense(x)
                return y, y * 2

            def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None,
                             training=True):
                return library.ops.mean(y_pred[0] ** 2) + library.ops.mean(y_pred[1])

        model = TwoOutputs()
        model.compile("sgd")
        return model

    x = np.random.default_rng(0).normal(size=(4, 3)).astype("float32")
    results = [(model.fit(x, batch_size=4, verbose=0).history["loss"], model.get_weights())
               for model in (build(jkeras), build(keras))]
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-6)
    for ours, theirs in zip(results[0][1], results[1][1]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7)


def test_config_round_trip_rebuilds_identical_graph():
    a = jkeras.Input((4,), name="a")
    b = jkeras.Input((3,), name="b")
    shared = layers.Dense(5, name="shared")
    x = shared(a)
    y2 = shared(layers.Dense(4, name="to4")(b))
    z = layers.Concatenate(name="cat")([x, 2 - layers.Dense(5, name="d2")(b), y2])
    model = jkeras.Model(inputs={"a": a, "b": b}, outputs={"out": layers.Dense(1, name="out")(z)})
    clone = jkeras.Model.from_config(model.get_config())
    assert [layer.name for layer in clone.layers] == [layer.name for layer in model.layers]
    assert clone.get_config() == model.get_config()
    clone.set_weights(model.get_weights())
    data = {"a": np.random.default_rng(0).normal(size=(3, 4)).astype("float32"),
            "b": np.random.default_rng(1).normal(size=(3, 3)).astype("float32")}
    np.testing.assert_allclose(np.asarray(clone(data)["out"]), np.asarray(model(data)["out"]),
                               rtol=1e-6)


def test_config_numbers_only_the_models_own_calls_of_a_layer():
    """A layer called before (outside the model) is rebuilt from node 0, as in Keras 3."""
    shared = layers.Dense(3, name="shared")
    shared(jkeras.Input((4,)))  # a call that is not part of the model
    inputs = jkeras.Input((4,), name="x")
    hidden = shared(inputs)
    outputs = layers.Dense(3, name="head")(hidden) + shared(inputs)  # a second own call
    model = jkeras.Model(inputs, outputs)
    entry = next(e for e in model.get_config()["layers"] if e["name"] == "shared")
    assert len(entry["inbound_nodes"]) == 2
    add = next(e for e in model.get_config()["layers"] if e["class_name"] == "__operator__")
    histories = [a["config"]["keras_history"] for a in add["inbound_nodes"][0]["args"]]
    assert histories == [["head", 0, 0], ["shared", 1, 0]]
    clone = jkeras.Model.from_config(model.get_config())
    assert clone.get_config() == model.get_config()
    clone.set_weights(model.get_weights())
    x = np.random.default_rng(0).normal(size=(2, 4)).astype("float32")
    np.testing.assert_allclose(np.asarray(clone(x)), np.asarray(model(x)), rtol=1e-6)


def test_functional_bad_inputs():
    a = jkeras.Input((3,), name="a")
    b = jkeras.Input((3,), name="b")
    out = layers.Dense(1)(layers.Add()([a, b]))
    with pytest.raises(ValueError, match="Graph disconnected"):
        jkeras.Model(a, out)
    with pytest.raises(ValueError, match="symbolic tensors"):
        jkeras.Model(a, np.ones((2, 1)))
    model = jkeras.Model([a, b], out)
    with pytest.raises(ValueError, match=r"expects 2 named input\(s\).*received 1"):
        model(np.ones((2, 3), "float32"))
    with pytest.raises(ValueError, match='Missing data for input "b"'):
        model({"a": np.ones((2, 3), "float32")})
    dense = layers.Dense(2, name="dup")
    with pytest.raises(ValueError, match="'dup' is used 2 times"):
        jkeras.Model(a, layers.Dense(2, name="dup")(dense(a)))
    d5 = layers.Dense(2, name="d5")
    d5(a)
    with pytest.raises(ValueError, match=r"'d5'.*expected axis -1 .* value 3.*\(None, 4\)"):
        d5(jkeras.Input((4,)))
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match=r"Input 'b' of model .* expected shape \(None, 3\)"):
        model.fit([np.ones((4, 3)), np.ones((4, 5))], np.ones((4, 1)), verbose=0)


def test_config_round_trip_with_ops_nodes():
    inputs = jkeras.Input((None,), dtype="int32")
    pooled = jkeras.ops.mean(layers.Embedding(20, 4)(inputs), axis=1)
    model = jkeras.Model(inputs, layers.Dense(2)(jkeras.ops.relu(pooled)))
    clone = jkeras.Model.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    ids = np.array([[1, 2, 3], [4, 5, 0]])
    np.testing.assert_allclose(np.asarray(clone(ids)), np.asarray(model(ids)), rtol=1e-6)


def test_incompatible_merge_shapes_name_the_layer():
    a, b = jkeras.Input((3,)), jkeras.Input((4,))
    with pytest.raises(ValueError, match=r"'bad_add': inputs have incompatible shapes.*\(None, 3\)"):
        layers.Add(name="bad_add")([a, b])
    c = jkeras.Input((2, 5))
    with pytest.raises(ValueError, match=r"Concatenate.*'cat2'.*matching shapes"):
        layers.Concatenate(name="cat2")([a, c])
    assert layers.Concatenate()([a, b]).shape == (None, 7)


def _nested_twice(library, operator=True):
    """A dict-input, two-output graph with a functional model called twice, a shared layer
    and an operator (Keras 3 reads no jkeras operator entry: docs/differences.md)."""
    inner_in = library.Input((3,), name="inner_in")
    inner = library.Model(inner_in, library.layers.Dense(3, name="inner_dense")(inner_in),
                          name="inner")
    a, b = library.Input((3,), name="a"), library.Input((3,), name="b")
    shared = library.layers.Dense(2, name="shared")
    first, second = inner(a), inner(b)
    merged = library.layers.Concatenate(name="merge")([shared(first), shared(second)])
    summed = first + second if operator else library.layers.Add(name="add")([first, second])
    return library.Model({"a": a, "b": b}, [merged, summed], name="outer")


def test_keras_in_memory_configs_load_and_node_indices_match_keras():
    """Keras 3's `get_config()` holds tuples where its JSON holds lists, writes op nodes as
    its op classes, and numbers a nested functional model's calls from 1 in the model's
    inputs and outputs: jkeras reads all of it and writes the same indices, so each library
    rebuilds the other's config with the same outputs."""
    keras.utils.clear_session()  # the operator's auto name is compared: "add"
    jkeras.utils.clear_session()
    theirs, ours = _nested_twice(keras), _nested_twice(jkeras, operator=False)
    ours.set_weights(theirs.get_weights())

    def histories(config):
        found = []
        for entry in config["layers"]:
            for node in entry["inbound_nodes"]:
                found += [t["config"]["keras_history"] for t in
                          jax.tree_util.tree_leaves(node["args"], is_leaf=lambda x: "config" in x)
                          if isinstance(t, dict)]
        return [list(h) for h in found], config["output_layers"]

    keras_config = theirs.get_config()
    assert histories(ours.get_config()) == histories(keras_config)
    assert histories(keras_config)[1] == [["merge", 0, 0], ["add", 0, 0]]
    for library in (keras, jkeras):  # an output of a nested model's call
        inner_in, x = library.Input((3,), name="i"), library.Input((3,), name="x")
        inner = library.Model(inner_in, library.layers.Dense(1)(inner_in), name="inner")
        assert library.Model(x, inner(x)).get_config()["output_layers"] == ["inner", 1, 0]
    from_keras = jkeras.Model.from_config(keras_config)  # in memory: tuples
    from_keras.set_weights(theirs.get_weights())
    from_ours = keras.Model.from_config(ours.get_config())
    from_ours.set_weights(theirs.get_weights())
    inputs = {"a": np.ones((2, 3), "float32"), "b": np.full((2, 3), 2.0, "float32")}
    expected = theirs(inputs)
    for model in (ours, from_keras, from_ours):
        for got, want in zip(model(inputs), expected):
            np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-6)


def _scale_layer_without_name_in_config(library):
    """A custom layer whose `get_config` leaves out `name` (the saving guide's pattern)."""

    class Scale(library.layers.Layer):
        def __init__(self, factor):
            super().__init__()
            self.factor = factor

        def call(self, x):
            return x * self.factor

        def get_config(self):
            return {"factor": self.factor}

    return Scale


@pytest.mark.parametrize("library", [keras, jkeras], ids=["keras", "jkeras"])
def test_from_config_links_nodes_by_config_name_when_get_config_omits_name(library):
    """The rebuilt layer gets a fresh name, yet its nodes keep the config's: Keras 3 and
    jkeras both rebuild the graph and give the same outputs."""
    scale = _scale_layer_without_name_in_config(library)
    inputs = library.Input((4,))
    model = library.Model(inputs, library.layers.Dense(2)(scale(0.5)(inputs)))
    clone = library.Model.from_config(model.get_config(), custom_objects={"Scale": scale})
    clone.set_weights(model.get_weights())
    x = np.arange(8, dtype="float32").reshape(2, 4)
    np.testing.assert_allclose(np.asarray(clone(x)), np.asarray(model(x)), rtol=1e-6)


@pytest.mark.parametrize("library", [keras, jkeras], ids=["keras", "jkeras"])
def test_functional_build_accepts_a_batch_and_changes_nothing(library):
    """`model.build(first_batch)` (Keras's distributed-training guide) is a no-op on a
    functional model, in Keras 3 and jkeras: same weights, same outputs."""
    inputs = library.Input((3,))
    model = library.Model(inputs, library.layers.Dense(2)(inputs))
    x = np.ones((4, 3), "float32")
    before = [np.asarray(w) for w in model.get_weights()]
    model.build(x)
    assert model.built and len(model.weights) == 2
    for got, want in zip(model.get_weights(), before):
        np.testing.assert_array_equal(np.asarray(got), want)
    assert model(x).shape == (4, 2)


def _branched_model(library):
    """Two inputs through one shared layer, then two branches of different kinds."""
    left, right = library.Input((3,), name="left"), library.Input((3,), name="right")
    shared = library.layers.Dense(2, name="shared")
    a, b = shared(left), shared(right)
    joined = library.layers.Concatenate(name="joined")([a, b])
    head_1 = library.layers.Dense(1, name="head_1")(joined)
    head_2 = library.layers.Dense(1, name="head_2")(library.layers.Subtract(name="diff")([a, b]))
    return library.Model([left, right], {"head_1": head_1, "head_2": head_2})


def test_layers_in_keras_depth_order_with_branches():
    """`model.layers` lists a branched graph by decreasing depth (Keras's `_operations`), not
    in call order: the two heads come after both branches' merge layers."""

    def order(library):
        model = _branched_model(library)
        return [layer.name for layer in model.layers], model.get_layer(index=4).name

    assert order(jkeras) == order(keras)


def test_config_entries_in_keras_order_and_round_trip():
    """The config lists its layers in the same order as Keras 3's (the operation order), and
    rebuilds the same model from it."""

    def entries(library):
        model = _branched_model(library)
        config = model.get_config()
        listed = [(e["name"], len(e["inbound_nodes"])) for e in config["layers"]]
        rebuilt = library.Model.from_config(config)  # Keras consumes the config
        return listed, [layer.name for layer in rebuilt.layers]

    assert entries(jkeras) == entries(keras)
