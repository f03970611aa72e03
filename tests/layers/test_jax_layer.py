"""JaxLayer and FlaxLayer against Keras 3's (JAX backend): argument rules, outputs and gradients
with the same weights, state updates, training by `fit`, configs and `.keras` files both ways."""

import flax.linen as nn
import jax
import jax.numpy as jnp
import keras  # the reference
import numpy as np
import pytest

import jkeras
from jkeras import layers
from tests.helpers import assert_close

RNG = np.random.default_rng(0)
X = RNG.normal(size=(6, 3)).astype("float32")
Y = RNG.normal(size=(6, 2)).astype("float32")


def register(obj):
    """Registered in both libraries under the same name, so configs name it for both."""
    keras.saving.register_keras_serializable(package="jax_layer_test")(obj)
    return jkeras.saving.register_keras_serializable(package="jax_layer_test")(obj)


@register
def linear_init(rng, inputs):
    return {"w": jax.random.normal(rng, (inputs.shape[-1], 2)), "b": jnp.zeros(2)}


@register
def linear_call(params, inputs):
    return inputs @ params["w"] + params["b"]


@register
def stateful_init(rng, inputs, training):
    params = linear_init(rng, inputs)
    return params, {"count": jnp.zeros((), "int32"), "mean": jnp.zeros(2)}


@register
def stateful_call(training, inputs, rng, state, params):
    y = linear_call(params, inputs)
    if training:  # dropout from the rng; the state counts calls and tracks a mean
        y = jnp.where(jax.random.bernoulli(rng, 0.8, y.shape), y / 0.8, 0.0)
        state = {"count": state["count"] + 1,
                 "mean": 0.9 * state["mean"] + 0.1 * jnp.mean(y, axis=0)}
    return y, state


@register
class Mlp(nn.Module):
    features: int = 2

    @nn.compact
    def __call__(self, inputs, training=False):
        x = nn.Dense(4)(inputs)
        x = nn.BatchNorm(use_running_average=not training, momentum=0.5)(x)
        return nn.Dense(self.features)(nn.relu(x))

    def other(self, inputs):
        return 2 * self(inputs)

    def get_config(self):
        return {"features": self.features}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def twins(make):
    """A jkeras layer and a Keras one from `make(library)`, built, with Keras's weights."""
    ours, theirs = make(jkeras), make(keras)
    theirs(X)
    ours(X)
    assert [w.shape for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    ours.set_weights(theirs.get_weights())
    return ours, theirs


def jitted(layer, training=False):
    """`(outputs, new non-trainable weights, gradients of sum(outputs**2) by the trainables)`
    of one jitted `stateless_call` (seed generators' states left out)."""
    trainable = [v.value for v in layer.trainable_variables]
    non_trainable = [v.value for v in layer.non_trainable_variables]

    def loss(trainable, non_trainable):
        y, state = layer.stateless_call(trainable, non_trainable, X, training=training)
        return jnp.sum(y**2), (y, state)

    gradients, (y, state) = jax.jit(jax.grad(loss, has_aux=True))(trainable, non_trainable)
    weights = {id(v) for v in layer.non_trainable_weights}
    state = [s for v, s in zip(layer.non_trainable_variables, state) if id(v) in weights]
    return y, state, gradients


# ------------------------------------------------------------------------------- JaxLayer


def test_jax_layer_matches_keras_and_fit_trains_its_params():
    ours, theirs = twins(lambda mod: mod.layers.JaxLayer(linear_call, linear_init))
    assert [v.name for v in ours.trainable_weights] == ["b", "w"]  # pytree order, as Keras
    assert_close(jitted(ours), jitted(theirs))
    assert_close(ours(X), X @ ours.params["w"].value + ours.params["b"].value)
    model = jkeras.Sequential([jkeras.Input((3,)), ours])
    model.compile(optimizer="sgd", loss="mse")
    before = ours.get_weights()
    model.fit(X, Y, batch_size=3, epochs=1, verbose=0)
    assert all(not np.allclose(a, b) for a, b in zip(before, ours.get_weights()))


def test_jax_layer_state_rng_and_training_match_keras():
    ours, theirs = twins(lambda mod: mod.layers.JaxLayer(stateful_call, stateful_init, seed=3))
    assert len(ours.trainable_weights) == 2 and len(ours.non_trainable_weights) == 2
    assert_close(jitted(ours), jitted(theirs))  # inference: no rng, state unchanged
    y, state, _ = jitted(ours, training=True)
    weights = dict(zip([v.name for v in ours.non_trainable_weights], state))
    assert int(weights["count"]) == 1
    assert_close(weights["mean"], 0.1 * np.mean(y, axis=0))
    assert np.any(y == 0)  # the rng reached `call_fn` (dropout)
    ours(X, training=True)
    ours(X, training=True)
    assert int(ours.state["count"].value) == 2  # eager calls assign the new state


def test_jax_layer_argument_rules_match_keras():
    def no_inputs(params, rng, training):
        return params

    def unknown(params, rng, inputs, mode):
        return inputs

    def unknown_init(rng, inputs, mode):
        return {}

    for library in (jkeras, keras):
        with pytest.raises(ValueError, match="Missing required argument in `call_fn`: `inputs`"):
            library.layers.JaxLayer(no_inputs, linear_init)
        with pytest.raises(ValueError, match="Unsupported argument in `call_fn`: `mode`"):
            library.layers.JaxLayer(unknown, linear_init)
        with pytest.raises(ValueError, match="Unsupported argument in `init_fn`: `mode`"):
            library.layers.JaxLayer(linear_call, unknown_init)
        with pytest.raises(ValueError, match="cannot all be `None`"):
            library.layers.JaxLayer(linear_call)
    layer = layers.JaxLayer(linear_call, params={"w": np.ones((3, 2), "float32"), "b": 0.5})
    assert layer.built and layer.params["b"].shape == ()
    assert_close(layer(X), X @ np.ones((3, 2)) + 0.5)


def test_jax_layer_config_and_keras_file_both_ways(tmp_path):
    def model(mod):
        return mod.Sequential([mod.Input((3,)), mod.layers.JaxLayer(stateful_call, stateful_init),
                               mod.layers.JaxLayer(linear_call, linear_init)])

    ours, theirs = model(jkeras), model(keras)
    ours.set_weights([w + 1 for w in theirs.get_weights()])
    layer_config = ours.layers[0].get_config()
    assert layer_config == {**theirs.layers[0].get_config(), "name": layer_config["name"]}
    ours.save(tmp_path / "jkeras.keras")
    loaded = keras.saving.load_model(tmp_path / "jkeras.keras")
    assert_close(loaded(X), ours(X))
    theirs.save(tmp_path / "keras.keras")
    back = jkeras.models.load_model(tmp_path / "keras.keras")
    assert_close(back(X), theirs(X))


# ------------------------------------------------------------------------------ FlaxLayer


def test_flax_layer_matches_keras_in_inference_and_training():
    ours, theirs = twins(lambda mod: mod.layers.FlaxLayer(Mlp()))
    assert len(ours.trainable_weights) == 6 and len(ours.non_trainable_weights) == 2
    assert_close(jitted(ours), jitted(theirs), rtol=1e-5, atol=1e-5)
    trained, (mean, variance), _ = jitted(ours, training=True)
    expected, keras_state, _ = jitted(theirs, training=True)
    assert_close(trained, expected, rtol=1e-5, atol=1e-5)
    assert_close([mean, variance], keras_state, rtol=1e-5, atol=1e-5)
    assert not np.allclose(mean, 0)  # the batch statistics moved


def test_flax_layer_fit_variables_method_and_keras_file(tmp_path):
    module = Mlp()
    variables = module.init(jax.random.key(0), X)
    layer = layers.FlaxLayer(module, variables=variables, name="flax")
    assert layer.built
    assert_close(layer(X), module.apply(variables, X))
    inputs = jkeras.Input((3,))
    model = jkeras.Model(inputs, layer(inputs))
    model.compile(optimizer="adam", loss="mse")
    before = layer.get_weights()
    model.fit(X, Y, batch_size=3, epochs=2, verbose=0)
    after = layer.get_weights()
    assert all(not np.allclose(a, b) for a, b in zip(before, after))  # params and batch_stats
    model.save(tmp_path / "flax.keras")
    loaded = keras.saving.load_model(tmp_path / "flax.keras")
    assert_close(loaded.predict(X, verbose=0), model.predict(X, verbose=0), rtol=1e-5,
                 atol=1e-5)
    loaded.save(tmp_path / "back.keras")
    back = jkeras.models.load_model(tmp_path / "back.keras")
    assert_close(back.predict(X, verbose=0), model.predict(X, verbose=0), rtol=1e-5, atol=1e-5)

    bound = layers.FlaxLayer(module, method=module.other)
    assert bound.get_config()["method"] == "other"
    assert bound.from_config(bound.get_config()).method.__name__ == "other"
    assert bound(X).shape == (6, 2)
