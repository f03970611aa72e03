"""MultiHeadAttention, Attention and AdditiveAttention against Keras 3 (JAX backend) with copied
weights: outputs, attention scores, masks, gradients, dropout, configs and errors."""

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest

import jkeras
from tests.helpers import run_config_test, run_layer_test

ATOL = 1e-5


def normal(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def relative_paths(layer):
    return [v.path.split("/", 1)[1] for v in layer.weights]


# Shared shapes (JAX compiles each primitive once per shape) and zeros initializers where the
# weights are overwritten anyway (compiling the random initializers dominates otherwise).
Q, V, K = (2, 4, 8), (2, 6, 8), (2, 6, 4)
FAST = {"kernel_initializer": "zeros"}


def twin_mha(query_shape, value_shape, key_shape=None, **kwargs):
    """A Keras MultiHeadAttention and a jkeras one with the Keras weights copied."""
    kwargs = {**FAST, **kwargs}
    reference = keras.layers.MultiHeadAttention(**kwargs)
    reference.build(query_shape, value_shape, key_shape)
    layer = jkeras.layers.MultiHeadAttention(**kwargs)
    layer.build(query_shape, value_shape, key_shape)
    assert relative_paths(layer) == relative_paths(reference)
    assert [tuple(v.shape) for v in layer.weights] == [tuple(v.shape) for v in reference.weights]
    # non-trivial biases, so that a bias in the wrong place would show
    weights = [w + 0.1 * normal(*w.shape, seed=i) for i, w in enumerate(reference.get_weights())]
    reference.set_weights(weights)
    layer.set_weights(weights)
    return reference, layer


def assert_close(actual, expected, atol=ATOL):
    np.testing.assert_allclose(np.asarray(actual), np.asarray(expected), atol=atol, rtol=ATOL)


# ---------------------------------------------------------------------- MultiHeadAttention


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"value_dim": 3, "output_shape": (2, 3)}, {"use_bias": False, "use_gate": True}],
    ids=["default", "value_dim_output_shape", "no_bias_gate"],
)
def test_mha_cross_attention_matches_keras(kwargs):
    query, value, key = normal(*Q), normal(*V, seed=1), normal(*K, seed=2)
    result = run_layer_test(
        jkeras.layers.MultiHeadAttention, {"num_heads": 2, "key_dim": 4, **FAST, **kwargs},
        input_data={"query": query, "value": value, "key": key},
        call_kwargs={"return_attention_scores": True}, compare_with_keras=True,
        compare_gradients=False,  # test_mha_gradients_match_keras_stateless_call does
        rtol=ATOL, atol=ATOL, run_eager_check=not kwargs, run_mixed_precision_check=not kwargs,
        run_training_check=not kwargs)
    reference, layer = result.keras_layer, result.layer
    output, scores = result.output
    assert output.shape == result.keras_output[0].shape and scores.shape == (2, 2, 4, 6)
    if "value_dim" not in kwargs:  # Keras's fused path fails for value_dim != key_dim on JAX
        assert_close(layer(query, value, key), reference(query, value, key))
    else:
        assert_close(layer(query, value, key), output)


def test_mha_output_without_scores_takes_dot_product_attention_and_matches_einsum_path(
        monkeypatch):
    calls = []
    original = jax.nn.dot_product_attention
    monkeypatch.setattr(jax.nn, "dot_product_attention",
                        lambda *args, **kwargs: calls.append(1) or original(*args, **kwargs))
    query, value = normal(*Q), normal(*V, seed=1)
    _, layer = twin_mha(Q, V, num_heads=2, key_dim=4)
    explicit, _ = layer(query, value, return_attention_scores=True)
    assert not calls
    layer(query, value, attention_mask=np.ones((2, 4, 6), bool))
    assert not calls
    fast = layer(query, value)
    assert len(calls) == 1
    assert_close(fast, explicit)


def test_mha_self_attention_matches_keras_and_builds_on_first_call():
    x = normal(*V)
    reference = keras.layers.MultiHeadAttention(num_heads=2, key_dim=4, **FAST)
    reference(x, x)
    layer = jkeras.layers.MultiHeadAttention(num_heads=2, key_dim=4, **FAST)
    layer(x, x)  # built from the query and value shapes
    layer.set_weights([w + normal(*w.shape, seed=i) for i, w in enumerate(reference.get_weights())])
    reference.set_weights(layer.get_weights())
    assert_close(layer(x, x), reference(x, x))
    assert layer.compute_output_shape((None, 6, 8), (None, 9, 8)) == (None, 6, 8)


def test_mha_masks_match_keras():
    query, value = normal(*Q), normal(*V, seed=1)
    reference, layer = twin_mha(Q, V, num_heads=2, key_dim=4)
    rng = np.random.default_rng(3)
    attention_mask = rng.random((2, 4, 6)) > 0.4
    attention_mask[:, :, 0] = True  # every query sees something
    value_mask = np.array([[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1]], bool)
    key_mask = np.array([[1, 0, 1, 1, 1, 1], [1, 1, 1, 0, 1, 1]], bool)
    cases = [
        {"attention_mask": attention_mask},
        {"value_mask": value_mask, "key_mask": key_mask},
        {"attention_mask": attention_mask, "value_mask": value_mask},
        {"attention_mask": np.ones((4, 6), bool) & attention_mask[0]},  # broadcast over batch
    ]
    for case in cases:
        for scores in (False, True):
            expected = reference(query, value, return_attention_scores=scores, **case)
            actual = layer(query, value, return_attention_scores=scores, **case)
            for a, e in zip(jax.tree_util.tree_leaves(actual), jax.tree_util.tree_leaves(expected)):
                assert_close(a, e)


def test_mha_causal_mask_matches_keras():
    x = normal(*V)
    reference, layer = twin_mha(V, V, num_heads=2, key_dim=4)
    assert_close(layer(x, x, use_causal_mask=True), reference(x, x, use_causal_mask=True))
    _, scores = layer(x, x, use_causal_mask=True, return_attention_scores=True)
    _, expected = reference(x, x, use_causal_mask=True, return_attention_scores=True)
    assert_close(scores, expected)
    rows, cols = np.triu_indices(6, k=1)
    assert np.all(np.asarray(scores)[..., rows, cols] == 0)
    # the causal mask combined with an explicit one
    mask = np.tri(6, 6, 1, dtype=bool)[None]
    out = layer(x, x, attention_mask=mask, use_causal_mask=True, return_attention_scores=True)
    exp = reference(x, x, attention_mask=mask, use_causal_mask=True, return_attention_scores=True)
    assert_close(out[0], exp[0])
    assert_close(out[1], exp[1])


def test_mha_query_mask_zeroes_attention_of_padded_queries():
    # Keras 3.15 overwrites an explicit `query_mask` with the query's Keras mask; jkeras honours
    # it, which equals an attention mask that is False on the padded query rows (Keras's
    # explicit-scores path, where fully masked rows get zero attention).
    query, value = normal(*Q), normal(*V, seed=1)
    reference, layer = twin_mha(Q, V, num_heads=2, key_dim=4)
    query_mask = np.array([[1, 1, 1, 0], [1, 1, 1, 1]], bool)
    output, scores = layer(query, value, query_mask=query_mask, return_attention_scores=True)
    expected = reference(
        query,
        value,
        attention_mask=np.repeat(query_mask[:, :, None], 6, 2),
        return_attention_scores=True,
    )
    assert_close(output, expected[0])
    assert_close(scores, expected[1])
    assert np.all(np.asarray(scores)[0, :, 3] == 0)


@pytest.mark.parametrize("attention_axes", [(1, 2), (2,)])
def test_mha_attention_axes_match_keras(attention_axes):
    x = normal(2, 3, 4, 8)
    reference, layer = twin_mha(
        x.shape, x.shape, num_heads=2, key_dim=3, attention_axes=attention_axes
    )
    output, scores = layer(x, x, return_attention_scores=True)
    expected, expected_scores = reference(x, x, return_attention_scores=True)
    assert_close(output, expected)
    assert_close(scores, expected_scores)


@pytest.mark.parametrize("masked", [True, False], ids=["mask", "no_mask"])
def test_mha_gradients_match_keras_stateless_call(masked):
    # Without a mask both libraries take `jax.nn.dot_product_attention`; with one, their
    # own einsum and softmax.
    query, value = normal(*Q), normal(*V, seed=1)
    reference, layer = twin_mha(Q, V, num_heads=2, key_dim=4)
    mask = np.tri(4, 6, 1, dtype=bool)[None] if masked else None

    def loss(lib_layer):
        def f(trainable, q):
            y, _ = lib_layer.stateless_call(
                trainable,
                [v.value for v in lib_layer.non_trainable_variables],
                q,
                value,
                attention_mask=mask,
            )
            return jnp.sum(jnp.sin(y))

        return f

    args = (lambda l: [jnp.asarray(v.value) for v in l.trainable_variables], jnp.asarray(query))
    expected = jax.jit(jax.grad(loss(reference), argnums=(0, 1)))(args[0](reference), args[1])
    actual = jax.jit(jax.grad(loss(layer), argnums=(0, 1)))(args[0](layer), args[1])
    for a, e in zip(jax.tree_util.tree_leaves(actual), jax.tree_util.tree_leaves(expected)):
        assert_close(a, e, atol=1e-4)


def test_mha_dropout_in_training_only_and_reproducible_with_seed():
    x = normal(*V)

    def make():
        layer = jkeras.layers.MultiHeadAttention(
            num_heads=2, key_dim=4, dropout=0.5, seed=7, **FAST
        )
        layer.build(x.shape, x.shape)
        layer.set_weights([normal(*v.shape, seed=i) for i, v in enumerate(layer.weights)])
        return layer

    first, second = make(), make()
    inference = first(x, x)
    assert_close(first(x, x, training=False), inference)
    train_1 = first(x, x, training=True)
    assert not np.allclose(train_1, inference)
    assert_close(second(x, x, training=True), train_1)  # same seed, same masks
    assert not np.allclose(first(x, x, training=True), train_1)  # the seed state advances
    _, scores = first(x, x, training=True, return_attention_scores=True)
    assert_close(np.sum(scores, axis=-1), np.ones((2, 2, 6)))  # scores are before dropout
    # the seed state travels through stateless_call, so a jitted call is pure and repeatable
    trainable = [v.value for v in first.trainable_variables]
    state = [v.value for v in first.non_trainable_variables]
    step = jax.jit(lambda t, s: first.stateless_call(t, s, x, x, training=True))
    (y1, new_state), (y2, _) = step(trainable, state), step(trainable, state)
    assert_close(y1, y2)
    assert not np.allclose(step(trainable, new_state)[0], y1)


def test_mha_config_round_trip_and_keras_keys():
    kwargs = {
        "num_heads": 2,
        "key_dim": 4,
        "value_dim": 3,
        "dropout": 0.1,
        "output_shape": (5,),
        "attention_axes": (1,),
        "kernel_initializer": "he_normal",
        "seed": 3,
        "use_bias": False,
    }
    config = run_config_test(jkeras.layers.MultiHeadAttention, {"name": "mha", **kwargs})
    reference_config = keras.layers.MultiHeadAttention(name="mha", **kwargs).get_config()
    assert config["kernel_initializer"]["class_name"] == "HeNormal"
    # a Keras config builds a jkeras layer with the same weights layout
    from_keras = jkeras.layers.MultiHeadAttention.from_config(
        {k: v for k, v in reference_config.items() if k in config and k != "dtype"}
        | {"kernel_initializer": "zeros"}  # only the layout matters here
    )
    from_keras.build(Q, V)
    assert [v.shape for v in from_keras.weights] == [(8, 2, 4), (8, 2, 4), (8, 2, 3), (2, 3, 5)]


def test_mha_in_functional_model():
    tokens = jkeras.Input((None, 8))
    memory = jkeras.Input((6, 8))
    layer = jkeras.layers.MultiHeadAttention(num_heads=2, key_dim=4, **FAST)
    output, scores = layer(tokens, memory, return_attention_scores=True)
    assert output.shape == (None, None, 8) and scores.shape == (None, 2, None, 6)
    model = jkeras.Model([tokens, memory], [output, scores])
    layer.set_weights([normal(*v.shape, seed=i) for i, v in enumerate(layer.weights)])
    x, m = normal(*Q), normal(*V, seed=1)
    expected = layer(x, m, return_attention_scores=True)
    for a, e in zip(model([x, m]), expected):
        assert_close(a, e)
    clone = jkeras.Model.from_config(model.get_config())  # the call arguments are kept
    clone.set_weights(model.get_weights())
    for a, e in zip(clone([x, m]), expected):
        assert_close(a, e)


def test_mha_errors_name_the_layer():
    with pytest.raises(ValueError, match="num_heads"):
        jkeras.layers.MultiHeadAttention(num_heads=0, key_dim=2)
    with pytest.raises(ValueError, match="key_dim"):
        jkeras.layers.MultiHeadAttention(num_heads=2, key_dim=2.5)
    layer = jkeras.layers.MultiHeadAttention(num_heads=2, key_dim=2, name="mha_a", **FAST)
    with pytest.raises(ValueError, match="'mha_a'.*except the last"):
        layer(normal(2, 3, 4), normal(2, 5, 4), normal(2, 6, 4))
    layer = jkeras.layers.MultiHeadAttention(num_heads=2, key_dim=2, name="mha_b", **FAST)
    with pytest.raises(ValueError, match="'mha_b' needs known last dimensions"):
        layer.build((None, 3, None), (None, 5, 4))
    with pytest.raises(ValueError, match="'mha_b'.*rank >= 3"):
        layer(normal(2, 4), normal(2, 4))
    layer(normal(2, 3, 4), normal(2, 5, 4))
    with pytest.raises(
        ValueError, match="`query` of layer 'mha_b'.*last dimension 4.*\\(2, 3, 7\\)"
    ):
        layer(normal(2, 3, 7), normal(2, 5, 4))
    with pytest.raises(ValueError, match="'mha_b'.*attention mask must broadcast"):
        layer(normal(2, 3, 4), normal(2, 5, 4), attention_mask=np.ones((2, 3, 4), bool))
    with pytest.raises(ValueError, match="'mha_b'.*batch"):
        layer(normal(2, 3, 4), normal(3, 5, 4))
    with pytest.raises(ValueError, match="'mha_b'.*both `query` and `value`"):
        layer(normal(2, 3, 4))


# ---------------------------------------------------------- Attention, AdditiveAttention


def twin(cls_name, inputs, **kwargs):
    reference = getattr(keras.layers, cls_name)(**kwargs)
    reference([np.asarray(x) for x in inputs])
    layer = getattr(jkeras.layers, cls_name)(**kwargs)
    layer(inputs)
    assert relative_paths(layer) == relative_paths(reference)
    weights = [w + normal(*w.shape, seed=5) * 0.3 for w in reference.get_weights()]
    reference.set_weights(weights)
    layer.set_weights(weights)
    return reference, layer


@pytest.mark.parametrize(
    "cls_name, kwargs",
    [
        ("Attention", {}),
        ("Attention", {"use_scale": True}),
        ("Attention", {"score_mode": "concat"}),
        ("Attention", {"score_mode": "concat", "use_scale": True}),
        ("AdditiveAttention", {}),
        ("AdditiveAttention", {"use_scale": False}),
    ],
)
def test_attention_layers_match_keras(cls_name, kwargs):
    query, value, key = normal(2, 3, 4), normal(2, 5, 6, seed=1), normal(2, 5, 4, seed=2)
    result = run_layer_test(getattr(jkeras.layers, cls_name), kwargs,
                            input_data=[query, value, key],
                            call_kwargs={"return_attention_scores": True},
                            compare_with_keras=True, compare_gradients=not kwargs,
                            rtol=ATOL, atol=ATOL, run_mixed_precision_check=not kwargs,
                            run_training_check=False)  # their gradients are compared
    reference, layer = result.keras_layer, result.layer
    value_mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], bool)
    query_mask = np.array([[1, 1, 0], [1, 1, 1]], bool)
    cases = [
        {},
        {"mask": [query_mask, value_mask]},
        {"mask": [None, value_mask], "use_causal_mask": True},
        {"use_causal_mask": True},
    ]
    for case in cases:
        for inputs in ([query, value, key], [query, key]):
            expected = reference(inputs, return_attention_scores=True, **case)
            actual = layer(inputs, return_attention_scores=True, **case)
            assert actual[0].shape == expected[0].shape and actual[1].shape == (2, 3, 5)
            assert_close(actual[0], expected[0])
            assert_close(actual[1], expected[1])
            assert_close(layer(inputs, **case), expected[0])


@pytest.mark.parametrize("cls_name", ["Attention", "AdditiveAttention"])
def test_attention_gradients_match_keras_stateless_call(cls_name):
    query, value = normal(2, 3, 4), normal(2, 5, 4, seed=1)
    reference, layer = twin(cls_name, [query, value], use_scale=True)

    def grads(lib_layer):
        def f(trainable, q):
            y, _ = lib_layer.stateless_call(trainable, [], [q, value], use_causal_mask=True)
            return jnp.sum(jnp.sin(y))

        trainable = [jnp.asarray(v.value) for v in lib_layer.trainable_variables]
        return jax.grad(f, argnums=(0, 1))(trainable, jnp.asarray(query))

    for a, e in zip(
        jax.tree_util.tree_leaves(grads(layer)), jax.tree_util.tree_leaves(grads(reference))
    ):
        assert_close(a, e, atol=1e-4)


def test_attention_dropout_and_config():
    query, value = normal(2, 3, 4), normal(2, 5, 4, seed=1)
    run_config_test(jkeras.layers.Attention, {"dropout": 0.5, "seed": 1})
    first = jkeras.layers.Attention(dropout=0.5, seed=1)
    second = jkeras.layers.Attention.from_config(first.get_config())
    inference = first([query, value])
    assert_close(first([query, value], training=False), inference)
    train = first([query, value], training=True)
    assert not np.allclose(train, inference)
    assert_close(second([query, value], training=True), train)
    additive = run_config_test(jkeras.layers.AdditiveAttention,
                               {"use_scale": False, "dropout": 0.2})
    assert "score_mode" not in additive


def test_attention_mask_output_and_functional_model():
    query, value = jkeras.Input((3, 4)), jkeras.Input((5, 4))
    layer = jkeras.layers.Attention()
    output, scores = layer([query, value], return_attention_scores=True)
    assert output.shape == (None, 3, 4) and scores.shape == (None, 3, 5)
    model = jkeras.Model([query, value], output)
    q, v = normal(2, 3, 4), normal(2, 5, 4, seed=1)
    assert_close(model([q, v]), layer([q, v]))
    mask = np.array([[1, 0, 1], [1, 1, 1]], bool)
    assert np.array_equal(layer.compute_mask([q, v], [mask, None]), mask)
    assert layer.compute_mask([q, v], None) is None


def test_attention_errors_name_the_layer():
    layer = jkeras.layers.Attention(name="att")
    with pytest.raises(ValueError, match="'att' must be called on a list"):
        layer(normal(2, 3, 4))
    with pytest.raises(ValueError, match="'att' accepts inputs list of length 2 or 3"):
        layer([normal(2, 3, 4)])
    with pytest.raises(ValueError, match="score_mode"):
        jkeras.layers.Attention(score_mode="cosine")
    layer = jkeras.layers.Attention(name="att2")
    with pytest.raises(ValueError, match="'att2'.*same last dimension"):
        layer([normal(2, 3, 4), normal(2, 5, 3)])
    with pytest.raises(ValueError, match="'att2'.*mask must be a list"):
        layer([normal(2, 3, 4), normal(2, 5, 4)], mask=np.ones((2, 5), bool))
