"""LossScaleOptimizer against Keras 3's on the same gradient sequences."""

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest

import jkeras
from jkeras import optimizers

INF, NAN = np.inf, np.nan


def _gradient_sequence():
    rng = np.random.default_rng(0)
    grads = [rng.normal(size=(3, 2)).astype("float32") * 1000 for _ in range(9)]
    grads[2][0, 1] = INF  # skipped: scale halved, counter reset
    grads[6][1, 0] = NAN
    return grads


def _keras_and_ours(inner, inner_kwargs, **kwargs):
    theirs = keras.optimizers.LossScaleOptimizer(
        getattr(keras.optimizers, inner)(**inner_kwargs), **kwargs
    )
    ours = optimizers.LossScaleOptimizer(getattr(optimizers, inner)(**inner_kwargs), **kwargs)
    return theirs, ours


@pytest.mark.parametrize(
    "inner, inner_kwargs",
    [("SGD", {"learning_rate": 0.1, "momentum": 0.9}), ("Adam", {"learning_rate": 0.01})],
)
def test_scale_dynamics_match_keras(inner, inner_kwargs):
    theirs, ours = _keras_and_ours(
        inner, inner_kwargs, initial_scale=2.0**10, dynamic_growth_steps=3
    )
    start = np.linspace(-1, 1, 6, dtype="float32").reshape(3, 2)
    keras_var, our_var = keras.Variable(start), jkeras.Variable(start)
    # Keras's JAX backend runs the loss scale optimizer statelessly (its stateful `apply`
    # cannot assign inside `cond` on JAX): thread its state through `stateless_apply`.
    theirs.build([keras_var])
    keras_state = [v.value for v in theirs.variables]
    keras_params = [keras_var.value]
    keras_step = jax.jit(theirs.stateless_apply)
    scales = []
    for grad in _gradient_sequence():
        keras_params, keras_state = keras_step(keras_state, [grad], keras_params)
        ours.apply([grad], [our_var])
        expected = dict(zip([v.path.split("/")[-1] for v in theirs.variables], keras_state))
        np.testing.assert_allclose(our_var.numpy(), keras_params[0], rtol=1e-5, atol=1e-6)
        assert float(ours.dynamic_scale.value) == float(
            expected["dynamic_scale"]
        )
        assert int(ours.step_counter.value) == int(
            expected["step_counter"]
        )
        for mine, value in zip(ours.variables, keras_state):
            np.testing.assert_allclose(
                np.asarray(mine.value, "float32"), np.asarray(value, "float32"),
                rtol=1e-5, atol=1e-6,
            )
        scales.append(float(ours.dynamic_scale.value))
    # Grows after three finite steps in a row; halves on the inf and on the NaN step.
    assert scales == [1024, 1024, 512, 512, 512, 1024, 512, 512, 512]
    assert [v.path.split("/")[-1] for v in ours.variables][:4] == [
        v.path.split("/")[-1] for v in theirs.variables
    ][:4]


def test_non_finite_step_is_skipped_and_halves_the_scale():
    ours = optimizers.LossScaleOptimizer(optimizers.SGD(0.5, momentum=0.9))
    variable = jkeras.Variable(np.ones(3, "float32"))
    ours.apply([np.array([1.0, 2.0, 3.0], "float32") * 2.0**15], [variable])
    before = [np.asarray(v.value) for v in ours.inner_optimizer.variables]
    weights = variable.numpy()
    ours.apply([np.array([1.0, INF, 3.0], "float32")], [variable])
    np.testing.assert_array_equal(variable.numpy(), weights)
    for value, saved in zip(ours.inner_optimizer.variables, before):
        np.testing.assert_array_equal(np.asarray(value.value), saved)
    assert float(ours.dynamic_scale.value) == 2.0**14
    assert int(ours.step_counter.value) == 0


def test_stateless_apply_is_jittable_and_matches_apply():
    def make():
        return optimizers.LossScaleOptimizer(
            optimizers.Adam(0.01), initial_scale=8.0, dynamic_growth_steps=2
        )

    eager, pure = make(), make()
    v_eager = jkeras.Variable(np.ones((2, 2), "float32"))
    v_pure = jkeras.Variable(np.ones((2, 2), "float32"))
    eager.build([v_eager])
    pure.build([v_pure])
    step = jax.jit(pure.stateless_apply)
    state = [v.value for v in pure.variables]
    params = [v_pure.value]
    for grad in _gradient_sequence()[:7]:
        grad = grad[:2]
        eager.apply([grad], [v_eager])
        params, state = step(state, [jnp.asarray(grad)], params)
        np.testing.assert_allclose(np.asarray(params[0]), v_eager.numpy(), rtol=1e-6)
        for value, variable in zip(state, eager.variables):
            np.testing.assert_allclose(np.asarray(value), np.asarray(variable.value), rtol=1e-6)
            assert value.dtype == variable.value.dtype


def test_scale_loss_and_delegation():
    inner = optimizers.SGD(0.25, loss_scale_factor=4.0)
    ours = optimizers.LossScaleOptimizer(inner, initial_scale=16.0)
    assert inner.loss_scale_factor is None  # as Keras: the wrapper does the unscaling
    assert float(ours.scale_loss(jnp.asarray(2.0))) == 32.0
    assert ours.learning_rate == pytest.approx(0.25)
    ours.learning_rate = 0.5
    assert inner.learning_rate == pytest.approx(0.5)
    ours.build([jkeras.Variable(np.zeros(2, "float32"))])
    assert ours.iterations is inner.iterations
    assert float(ours.scale_loss(jnp.asarray(2.0))) == 32.0


def test_config_matches_keras_and_round_trips():
    theirs, ours = _keras_and_ours("SGD", {"learning_rate": 0.5}, dynamic_growth_steps=7)
    ours_config, keras_config = ours.get_config(), theirs.get_config()
    assert set(ours_config) == set(keras_config)
    for key in ("initial_scale", "dynamic_growth_steps"):
        assert ours_config[key] == keras_config[key]
    assert ours_config["inner_optimizer"]["class_name"] == "SGD"
    # Keras's own config (with its inner optimizer's) loads in jkeras, and ours in Keras.
    restored = optimizers.deserialize(
        {"class_name": "LossScaleOptimizer", "config": keras_config}
    )
    assert isinstance(restored, optimizers.LossScaleOptimizer)
    assert restored.dynamic_growth_steps == 7
    assert restored.learning_rate == pytest.approx(0.5)
    again = keras.optimizers.LossScaleOptimizer.from_config(ours.get_config())
    assert again.dynamic_growth_steps == 7


def test_argument_errors_match_keras():
    def error(fn):
        with pytest.raises(ValueError) as info:
            fn()
        return str(info.value)

    for kwargs in ({"dynamic": False}, {"clipnorm": 1.0}, {"foo": 1}):
        ours = error(lambda k=kwargs: optimizers.LossScaleOptimizer(optimizers.SGD(), **k))
        theirs = error(
            lambda k=kwargs: keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(), **k)
        )
        assert ours == theirs
    with pytest.raises(TypeError, match="inner_optimizer"):
        optimizers.LossScaleOptimizer("sgd")
