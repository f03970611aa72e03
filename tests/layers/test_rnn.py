"""Recurrent layers, their cells and wrappers, and Masking, against Keras 3 (JAX backend).

Every comparison copies Keras's weights with `set_weights` and runs both libraries through one
jitted `stateless_call` per library, so a test compiles a few programs, not one per call.
Layers are built with `zeros` initializers and given random weights from numpy: the default
initializers (orthogonal) would only add compilations here.
"""

import jax
import jax.numpy as jnp
import keras  # the reference
import numpy as np
import pytest

import jkeras
from jkeras import layers
from jkeras.layers.rnn import cell as cell_module
from tests.helpers import run_config_test, run_layer_test

BATCH, STEPS, FEATURES, UNITS = 3, 5, 4, 6
RNG = np.random.default_rng(0)
X = RNG.normal(size=(BATCH, STEPS, FEATURES)).astype("float32")
# Padding at the end, at the start, and a hole in the middle; one full row.
MASK = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [0, 1, 0, 1, 1]], dtype=bool)
ZEROS = {
    "kernel_initializer": "zeros",
    "recurrent_initializer": "zeros",
    "bias_initializer": "zeros",
}


@pytest.fixture(autouse=True)
def fresh_names():
    """Both libraries name layers from fresh counters, so that weight paths (`lstm/...`)
    compare equal whatever ran before in the process."""
    keras.backend.clear_session(free_memory=False)
    jkeras.backend.clear_session(free_memory=False)


def _random_weights(layer, seed):
    rng = np.random.default_rng(seed)
    return [rng.normal(scale=0.5, size=w.shape).astype("float32") for w in layer.get_weights()]


def _pair(make, seed=1, input_shape=X.shape):
    """`(keras_layer, jkeras_layer)` from `make(library)`, built, with the same weights."""
    reference, ours = make(keras), make(jkeras)
    reference.build(input_shape)
    ours.build(input_shape)
    weights = _random_weights(reference, seed)
    reference.set_weights(weights)
    ours.set_weights(weights)
    return reference, ours


def _outputs(pairs, x, masks=None, **kwargs):
    """Each layer's outputs for `x` (and its mask), per library, from one jitted program."""
    masks = [None] * len(pairs) if masks is None else masks
    results = []
    for side in (0, 1):
        chosen = [pair[side] for pair in pairs]
        values = [
            (
                [v.value for v in layer.trainable_variables],
                [v.value for v in layer.non_trainable_variables],
            )
            for layer in chosen
        ]

        def run(values, x, masks, chosen=chosen):
            return [
                layer.stateless_call(
                    trainable,
                    non_trainable,
                    x,
                    **kwargs,
                    **({} if mask is None else {"mask": mask}),
                )[0]
                for layer, (trainable, non_trainable), mask in zip(chosen, values, masks)
            ]

        results.append(jax.jit(run)(values, x, masks))
    return results


def _assert_tree_close(got, expected, atol=1e-5):
    got_leaves = jax.tree_util.tree_leaves(got)
    expected_leaves = jax.tree_util.tree_leaves(expected)
    assert len(got_leaves) == len(expected_leaves)
    for a, b in zip(got_leaves, expected_leaves):
        assert np.shape(a) == np.shape(b)
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=atol)


CONFIGS = [
    ({}, None),
    ({"return_sequences": True, "return_state": True}, MASK),
    ({"return_sequences": True, "return_state": True, "go_backwards": True}, MASK),
    ({"return_state": True, "go_backwards": True}, None),
    ({"return_state": True}, MASK),
]
EXTRA = {
    "SimpleRNN": {"activation": "relu", "use_bias": False},
    "LSTM": {"unit_forget_bias": False, "recurrent_activation": "hard_sigmoid"},
    "GRU": {"reset_after": False},
}


KERAS_DIFFERENCES = {
    # Only a cell that draws dropout masks owns a seed generator (Keras's cells always do).
    "expected_num_seed_generators": 0,
    # Keras's SimpleRNN leaves its seed out of its config (its LSTM and GRU keep it).
    "keras_config_exceptions": {"seed": "kept, as by Keras's LSTM and GRU"},
}


@pytest.mark.parametrize("name", ["SimpleRNN", "LSTM", "GRU"])
def test_recurrent_layer_matches_keras(name):
    pairs, masks = [], []
    for config, mask in CONFIGS[1:] + [(EXTRA[name], MASK)]:
        pairs.append(_pair(lambda lib, c=config: getattr(lib.layers, name)(UNITS, **ZEROS, **c)))
        masks.append(mask)
    expected, got = _outputs(pairs, X, masks)
    _assert_tree_close(got, expected)
    # Same weights, names and shapes as Keras (so `set_weights` takes Keras weights as they are).
    for reference, ours in pairs:
        assert [v.path for v in ours.weights] == [v.path for v in reference.weights]
    # A masked step keeps the state: sample 0's last two steps are padding.
    sequence, *states = got[0]
    np.testing.assert_allclose(sequence[0, 3], sequence[0, 2])
    np.testing.assert_allclose(sequence[0, 4], states[0][0])
    # The default configuration through the other checks (last: it makes more layers of each).
    # LSTM's and GRU's gradients are compared by test_gradients_match_keras_stateless_call,
    # LSTM's training by test_lstm_model_predict_matches_keras_and_fit_lowers_the_loss.
    run_layer_test(getattr(layers, name), {"units": UNITS, **ZEROS}, input_data=X,
                   compare_with_keras=True, compare_gradients=name == "SimpleRNN",
                   run_training_check=name == "SimpleRNN", **KERAS_DIFFERENCES)


def test_masks_from_embedding_and_masking_layers_match_keras_in_models():
    tokens = np.array([[3, 1, 4, 0, 0], [5, 9, 2, 6, 5], [0, 0, 7, 1, 8]], "int32")
    padded = X.copy()
    padded[0, 3:] = 0.0
    padded[2, :2] = 0.0

    def embedded(lib):
        return lib.Sequential(
            [
                lib.Input((STEPS,), dtype="int32"),
                lib.layers.Embedding(10, FEATURES, mask_zero=True),
                lib.layers.LSTM(UNITS, return_sequences=True, **ZEROS),
                lib.layers.GRU(UNITS, go_backwards=True, **ZEROS),
            ]
        )

    def masked(lib):
        inputs = lib.Input((STEPS, FEATURES))
        hidden = lib.layers.Masking(0.0)(inputs)
        sequence, state = lib.layers.SimpleRNN(
            UNITS, return_sequences=True, return_state=True, **ZEROS
        )(hidden)
        return lib.Model(inputs, [lib.layers.TimeDistributed(lib.layers.Dense(2))(sequence), state])

    for make, x in [(embedded, tokens), (masked, padded)]:
        reference, ours = make(keras), make(jkeras)
        weights = _random_weights(reference, 2)
        reference.set_weights(weights)
        ours.set_weights(weights)
        expected, got = _outputs([(reference, ours)], x)
        _assert_tree_close(got, expected)
    # Masking: mask and zeroed output as Keras.
    reference_layer, masking = keras.layers.Masking(0.0), layers.Masking(0.0)
    np.testing.assert_array_equal(
        masking.compute_mask(padded), reference_layer.compute_mask(padded)
    )
    np.testing.assert_array_equal(masking(padded), reference_layer(padded))


def test_bidirectional_all_merge_modes_match_keras():
    pairs = []
    for mode in ["concat", "sum", "mul", "ave", None]:
        pairs.append(
            _pair(
                lambda lib, m=mode: lib.layers.Bidirectional(
                    lib.layers.LSTM(UNITS, return_sequences=True, **ZEROS), merge_mode=m
                )
            )
        )
    pairs.append(
        _pair(
            lambda lib: lib.layers.Bidirectional(
                lib.layers.GRU(UNITS, return_state=True, **ZEROS),
                merge_mode="concat",
                backward_layer=lib.layers.GRU(
                    UNITS, return_state=True, go_backwards=True, activation="relu", **ZEROS
                ),
            )
        )
    )
    masks = [MASK, None, MASK, None, MASK, MASK]
    expected, got = _outputs(pairs, X, masks)
    _assert_tree_close(got, expected)
    for reference, ours in pairs[-2:]:
        assert [v.path for v in ours.weights] == [v.path for v in reference.weights]
        assert ours.compute_output_shape(X.shape) == reference.compute_output_shape(X.shape)


def test_time_distributed_dense_matches_keras():
    x = RNG.normal(size=(BATCH, STEPS, 2, FEATURES)).astype("float32")
    pair = _pair(
        lambda lib: lib.layers.TimeDistributed(lib.layers.Dense(3, activation="tanh")),
        input_shape=x.shape,
    )
    expected, got = _outputs([pair], x, [None])
    _assert_tree_close(got, expected)
    assert pair[1].compute_output_shape((None, 7, 2, 4)) == (None, 7, 2, 3)
    with pytest.raises(ValueError, match="time_distributed.*at least 3 dimensions"):
        layers.TimeDistributed(layers.Dense(2))(np.ones((2, 3), "float32"))


@pytest.fixture()
def hoisted(monkeypatch):
    """Built-in cells project all time steps' inputs before the scan, also on the CPU backend
    (where it is off by default)."""
    monkeypatch.setattr(cell_module, "HOIST_INPUT_PROJECTION", True)


def test_the_hoisted_projection_is_off_on_the_cpu_backend_only(monkeypatch):
    cell = layers.LSTMCell(UNITS)
    monkeypatch.setattr(jax, "default_backend", lambda: "cpu")
    assert not cell.hoists_input_projection
    monkeypatch.setattr(jax, "default_backend", lambda: "gpu")
    assert cell.hoists_input_projection
    assert not _stepwise(layers.LSTMCell)(UNITS).hoists_input_projection


@pytest.mark.usefixtures("hoisted")
def test_gradients_match_keras_stateless_call():
    pairs = [
        _pair(
            lambda lib, n=name: getattr(lib.layers, n)(
                UNITS, return_sequences=True, return_state=True, go_backwards=True, **ZEROS
            )
        )
        for name in ["LSTM", "GRU"]
    ] + [  # both directions' input projections in one product (RNN.call_projected)
        _pair(
            lambda lib, n=name: lib.layers.Bidirectional(
                getattr(lib.layers, n)(UNITS, return_sequences=True, return_state=True, **ZEROS)
            )
        )
        for name in ["SimpleRNN", "GRU"]
    ]
    grads = []
    for side in (0, 1):
        chosen = [pair[side] for pair in pairs]
        trainable = [[v.value for v in layer.trainable_variables] for layer in chosen]
        non_trainable = [[v.value for v in layer.non_trainable_variables] for layer in chosen]

        def loss(trainable, x, chosen=chosen, non_trainable=non_trainable):
            total = 0.0
            for layer, t, n in zip(chosen, trainable, non_trainable):
                sequence, *states = layer.stateless_call(t, n, x, mask=MASK)[0]
                total += jnp.sum(sequence**2) + sum(jnp.sum(jnp.sin(s)) for s in states)
            return total

        grads.append(jax.jit(jax.grad(loss, argnums=(0, 1)))(trainable, X))
    _assert_tree_close(grads[1], grads[0], atol=1e-5)


def test_lstm_model_predict_matches_keras_and_fit_lowers_the_loss():
    rng = np.random.default_rng(3)
    tokens = rng.integers(1, 10, size=(64, STEPS)).astype("int32")
    tokens[::3, 3:] = 0  # padded rows
    y = (tokens[:, :1] > 5).astype("float32")

    def build(lib):
        model = lib.Sequential(
            [
                lib.Input((STEPS,), dtype="int32"),
                lib.layers.Embedding(10, FEATURES, mask_zero=True),
                lib.layers.LSTM(UNITS, **ZEROS),
                lib.layers.Dense(1, activation="sigmoid"),
            ]
        )
        model.compile(optimizer=lib.optimizers.Adam(0.05), loss="binary_crossentropy")
        return model

    reference, model = build(keras), build(jkeras)
    weights = _random_weights(reference, 5)
    reference.set_weights(weights)
    model.set_weights(weights)
    np.testing.assert_allclose(
        model.predict(tokens, verbose=0), reference.predict(tokens, verbose=0), atol=1e-5
    )
    history = model.fit(tokens, y, epochs=8, batch_size=32, verbose=0).history["loss"]
    assert history[-1] < 0.6 * history[0]


def test_dropout_applies_in_training_only_and_is_reproducible():
    # Input dropout alone (one shared mask, Keras's implementation 2), and with recurrent
    # dropout (a mask per gate, Keras's implementation 1).
    both = {"dropout": 0.3, "recurrent_dropout": 0.4}
    cases = [("GRU", {"dropout": 0.5}), ("LSTM", both), ("SimpleRNN", both)]

    def make(name, rates, seed):
        layer = getattr(layers, name)(UNITS, seed=seed, return_sequences=True, **ZEROS, **rates)
        layer.build(X.shape)
        layer.set_weights(_random_weights(layer, 4))
        return layer

    chosen = [make(name, rates, 7) for name, rates in cases]
    trainable = [[v.value for v in layer.trainable_variables] for layer in chosen]
    seeds = {
        seed: [
            [v.value for v in make(name, rates, seed).non_trainable_variables]
            for name, rates in cases
        ]
        for seed in (7, 8)
    }

    @jax.jit
    def run(states):
        inference = [
            layer.stateless_call(t, n, X, training=False)[0]
            for layer, t, n in zip(chosen, trainable, states)
        ]
        trained = [
            layer.stateless_call(t, n, X, training=True)
            for layer, t, n in zip(chosen, trainable, states)
        ]
        return inference, [y for y, _ in trained], [n for _, n in trained]

    inference, trained, advanced = run(seeds[7])
    _, same_seed, _ = run([[v.value for v in layer.non_trainable_variables] for layer in chosen])
    _, other_seed, _ = run(seeds[8])
    _, next_call, _ = run(advanced)
    for index in range(len(cases)):
        assert not np.allclose(trained[index], inference[index])
        np.testing.assert_array_equal(same_seed[index], trained[index])
        assert not np.allclose(other_seed[index], trained[index])
        assert not np.allclose(next_call[index], trained[index])  # each call draws new masks
    # Eagerly, the layer's own seed state supplies the masks and advances.
    np.testing.assert_allclose(chosen[1](X, training=True), trained[1], rtol=1e-6, atol=1e-6)
    assert not np.allclose(chosen[1](X, training=True), trained[1])


def test_generic_rnn_wraps_builtin_and_custom_cells():
    reference, ours = _pair(
        lambda lib: lib.layers.RNN(
            lib.layers.GRUCell(UNITS, **ZEROS), return_sequences=True, return_state=True
        )
    )
    expected, got = _outputs([(reference, ours)], X, [MASK])
    _assert_tree_close(got, expected)

    class MinimalRNNCell(jkeras.Layer):  # Keras's docstring example
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.state_size = units

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
            self.recurrent_kernel = self.add_weight(
                shape=(self.units, self.units), name="recurrent_kernel"
            )

        def call(self, inputs, states):
            output = inputs @ self.kernel.value + states[0] @ self.recurrent_kernel.value
            return output, [output]

    layer = layers.RNN(MinimalRNNCell(3), return_sequences=True)
    y = layer(X)
    kernel, recurrent = layer.get_weights()
    h = np.zeros((BATCH, 3), "float32")
    for t in range(STEPS):
        h = X[:, t] @ kernel + h @ recurrent
    np.testing.assert_allclose(y[:, -1], h, rtol=1e-5, atol=1e-5)


def test_time_loop_is_one_scan():
    layer = layers.LSTM(UNITS, return_sequences=True, **ZEROS)
    layer.build(X.shape)
    trainable = [v.value for v in layer.trainable_variables]

    def program(steps):
        x = jnp.zeros((BATCH, steps, FEATURES))
        return jax.make_jaxpr(lambda t, x: layer.stateless_call(t, [], x, mask=None)[0])(
            trainable, x
        )

    short, long = program(3), program(50)
    assert "scan" in {eqn.primitive.name for eqn in short.jaxpr.eqns}
    assert len(short.jaxpr.eqns) == len(long.jaxpr.eqns)


def test_configs_round_trip_with_keras_argument_names():
    regularized = {
        "kernel_regularizer": "l2",
        "recurrent_constraint": "non_neg",
        "dropout": 0.1,
        "recurrent_dropout": 0.2,
        "seed": 3,
        "activation": "relu",
    }
    cases = [
        ("SimpleRNN", {"units": 5, "return_sequences": True, **regularized}),
        ("LSTM", {"units": 5, "go_backwards": True, "unit_forget_bias": False, **regularized}),
        ("GRU", {"units": 5, "reset_after": False, "return_state": True, **regularized}),
        ("Masking", {"mask_value": -1.0}),
        ("LSTMCell", {"units": 4, "recurrent_activation": "relu"}),
    ]
    for name, kwargs in cases:
        run_config_test(getattr(layers, name), kwargs,
                        keras_config_exceptions=KERAS_DIFFERENCES["keras_config_exceptions"])
    wrappers = [  # (class, arguments but the wrapped layer or cell, the wrapped one)
        ("Bidirectional", {"merge_mode": "ave"}, lambda lib: lib.layers.LSTM(5, name="inner")),
        ("TimeDistributed", {}, lambda lib: lib.layers.Dense(3, name="inner")),
        ("RNN", {"return_sequences": True}, lambda lib: lib.layers.LSTMCell(4, name="inner")),
    ]
    for name, kwargs, inner in wrappers:
        argument = "cell" if name == "RNN" else "layer"
        run_config_test(getattr(layers, name), {argument: inner(jkeras), **kwargs},
                        keras_cls=lambda name=name, inner=inner, argument=argument, **kwargs:
                        getattr(keras.layers, name)(**{**kwargs, argument: inner(keras)}))
    lstm = layers.LSTM(5)
    assert lstm.units == 5 and lstm.cell.recurrent_initializer.__class__.__name__ == "Orthogonal"
    assert lstm.get_config()["unit_forget_bias"] is True
    assert layers.GRU(5).reset_after is True
    model = jkeras.Sequential(
        [
            jkeras.Input((STEPS, FEATURES)),
            layers.Bidirectional(layers.GRU(3, return_sequences=True, **ZEROS)),
            layers.TimeDistributed(layers.Dense(2, kernel_initializer="zeros")),
        ]
    )
    clone = jkeras.Sequential.from_config(model.get_config())
    assert clone.get_config() == model.get_config()
    assert [v.shape for v in clone.weights] == [v.shape for v in model.weights]


def test_initial_weights_shapes_and_regularizers():
    layer = layers.LSTM(3, kernel_initializer="zeros", recurrent_initializer="zeros")
    layer.build((None, 2, 2))
    np.testing.assert_array_equal(layer.cell.bias.value, [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    assert layers.GRU(3, **ZEROS).cell.get_config()["reset_after"]
    gru = layers.GRU(3, **ZEROS, recurrent_regularizer=jkeras.regularizers.l2(0.5))
    gru.build((None, 2, 2))
    assert gru.cell.bias.shape == (2, 9)
    gru.cell.recurrent_kernel.assign(np.ones((3, 9), "float32"))
    np.testing.assert_allclose([float(p) for p in gru.losses], [0.5 * 27])


def test_bad_inputs_and_arguments_raise_naming_the_layer():
    for layer in [
        layers.LSTM(2, name="my_lstm"),
        layers.GRU(2, name="my_lstm"),
        layers.SimpleRNN(2, name="my_lstm"),
    ]:
        with pytest.raises(ValueError, match="my_lstm.*expected ndim=3, found ndim=2"):
            layer(np.ones((2, 3), "float32"))
        assert not layer.built
    built = layers.LSTM(2, name="my_lstm", **ZEROS)
    built(X)
    with pytest.raises(ValueError, match="my_lstm.*expected ndim=3, found ndim=4"):
        built(np.ones((2, 3, 4, 4), "float32"))
    with pytest.raises(ValueError, match="stateful=True"):
        layers.LSTM(2, stateful=True)
    with pytest.raises(ValueError, match="Invalid merge mode"):
        layers.Bidirectional(layers.LSTM(2), merge_mode="max")
    with pytest.raises(ValueError, match="go_backwards"):
        layers.Bidirectional(layers.LSTM(2), backward_layer=layers.LSTM(2))
    with pytest.raises(ValueError, match="units"):
        layers.GRU(0)
    with pytest.raises(ValueError, match="my_lstm.*initial state"):
        built(X, initial_state=[np.zeros((BATCH, 2), "float32")])


def _stepwise(cell_class):
    """`cell_class` with `call` overridden, which the RNN layer runs step by step (the input
    projection inside the time loop), as a reference for the hoisted projection."""
    return type(f"Stepwise{cell_class.__name__}", (cell_class,), {
        "call": lambda self, inputs, states, training=False: cell_class.call(
            self, inputs, states, training=training)})


HOISTED = [  # one input mask for all gates, and (LSTM) a mask per gate
    ("SimpleRNNCell", {"dropout": 0.3, "recurrent_dropout": 0.2}),
    ("LSTMCell", {"dropout": 0.3, "recurrent_dropout": 0.2}),
    ("GRUCell", {"dropout": 0.3}),
]


@pytest.mark.usefixtures("hoisted")
def test_hoisted_input_projection_equals_the_step_by_step_loop_and_its_gradients():
    results = []
    for make_cell in (lambda c: c, _stepwise):
        rnn_layers = [layers.RNN(make_cell(getattr(layers, name))(UNITS, seed=3, **arguments,
                                                                  **ZEROS),
                                 return_sequences=True, return_state=True, go_backwards=True)
                      for name, arguments in HOISTED]
        for index, layer in enumerate(rnn_layers):
            layer.build(X.shape)
            layer.set_weights(_random_weights(layer, index))
        values = [([v.value for v in layer.trainable_variables],
                   [v.value for v in layer.non_trainable_variables]) for layer in rnn_layers]

        def loss(trainable, non_trainable, x, rnn_layers=rnn_layers):
            total, outputs = 0.0, []
            for layer, t, n in zip(rnn_layers, trainable, non_trainable):
                output = layer.stateless_call(t, n, x, mask=MASK, training=True)[0]
                outputs.append(output)
                sequence, *states = output
                total += jnp.sum(sequence**2) + sum(jnp.sum(jnp.sin(s)) for s in states)
            return total, outputs

        trainable, non_trainable = [t for t, _ in values], [n for _, n in values]
        grad_fn = jax.jit(jax.value_and_grad(loss, argnums=(0, 2), has_aux=True))
        results.append(grad_fn(trainable, non_trainable, X))
        assert [layer.cell.hoists_input_projection for layer in rnn_layers] == (
            [True] * len(HOISTED) if make_cell is not _stepwise else [False] * len(HOISTED))
    (_, hoisted_outputs), hoisted_grads = results[0]
    (_, stepwise_outputs), stepwise_grads = results[1]
    _assert_tree_close(hoisted_outputs, stepwise_outputs)
    _assert_tree_close(hoisted_grads, stepwise_grads, atol=1e-5)


@pytest.mark.usefixtures("hoisted")
def test_hoisted_projection_is_one_matrix_product_before_the_scan():
    layer = layers.LSTM(UNITS, return_sequences=True, **ZEROS)
    layer.build(X.shape)
    trainable = [v.value for v in layer.trainable_variables]
    jaxpr = jax.make_jaxpr(lambda t, x: layer.stateless_call(t, [], x)[0])(trainable, X)
    outer = [eqn.primitive.name for eqn in jaxpr.jaxpr.eqns]
    assert "dot_general" in outer[:outer.index("scan")]
    (scan,) = [eqn for eqn in jaxpr.jaxpr.eqns if eqn.primitive.name == "scan"]
    inner = [eqn.primitive.name for eqn in scan.params["jaxpr"].jaxpr.eqns]
    assert inner.count("dot_general") == 1  # only the recurrent kernel's


@pytest.mark.usefixtures("hoisted")
def test_bidirectional_projects_both_directions_in_one_matrix_product():
    layer = layers.Bidirectional(layers.LSTM(UNITS, return_sequences=True, **ZEROS))
    layer.build(X.shape)
    trainable = [v.value for v in layer.trainable_variables]
    jaxpr = jax.make_jaxpr(lambda t, x: layer.stateless_call(t, [], x)[0])(trainable, X)
    names = [eqn.primitive.name for eqn in jaxpr.jaxpr.eqns]
    products = [eqn for eqn in jaxpr.jaxpr.eqns[:names.index("scan")]
                if eqn.primitive.name == "dot_general"]
    assert [eqn.outvars[0].aval.shape for eqn in products] == [(BATCH, STEPS, 2 * 4 * UNITS)]
    assert names.count("scan") == 2
