"""Adadelta, Adamax, Ftrl, Lion, Lamb and Adafactor, EMA and gradient accumulation, against
Keras 3 (JAX backend): 20 updates eager and under `jax.jit(stateless_apply)`, slots, config."""

import functools
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax
import keras
import numpy as np
import pytest

import jkeras
from jkeras import optimizers
from tests import helpers

STEPS = 20
SHAPES = {"kernel": (3, 4), "bias": (4,)}
RTOL, ATOL = 1e-5, 1e-7
assert_close = functools.partial(helpers.assert_close, rtol=RTOL, atol=ATOL)

# One case per optimizer with non-default arguments (the defaults: `test_defaults_match_keras`).
CASES = [
    ("Adadelta", {"learning_rate": 1.0, "rho": 0.9, "epsilon": 1e-5, "clipnorm": 1.0}),
    ("Adamax", {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.99, "weight_decay": 0.1}),
    (
        "Ftrl",
        {
            "learning_rate": 0.1,
            "learning_rate_power": -0.3,
            "initial_accumulator_value": 0.5,
            "l1_regularization_strength": 0.01,
            "l2_regularization_strength": 0.02,
            "l2_shrinkage_regularization_strength": 0.03,
            "beta": 0.1,
            "weight_decay": 0.1,
        },
    ),
    ("Lion", {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.9, "weight_decay": 0.1}),
    (
        "Lamb",
        {
            "learning_rate": 0.01,
            "weight_decay": 0.1,
            "global_clipnorm": 1.0,
            "loss_scale_factor": 4.0,
        },
    ),
    (
        "Adafactor",
        {
            "learning_rate": 0.01,
            "beta_2_decay": -0.5,
            "epsilon_2": 0.5,
            "clip_threshold": 0.5,
            "weight_decay": 0.1,
            "clipvalue": 0.8,
        },
    ),
]
CASE_IDS = [f"{name}-{'-'.join(kwargs) or 'defaults'}" for name, kwargs in CASES]


def _data(seed=0, shapes=None):
    rng = np.random.default_rng(seed)
    shapes = shapes or SHAPES
    init = {k: rng.normal(size=s).astype("float32") for k, s in shapes.items()}
    grads = [
        {k: rng.normal(size=s).astype("float32") for k, s in shapes.items()} for _ in range(STEPS)
    ]
    return init, grads


def _run(module, var_cls, name, kwargs, init, grads):
    """`apply_gradients` for each step; returns (optimizer, variables)."""
    opt = getattr(module, name)(**kwargs)
    variables = [var_cls(init[k], name=k) for k in init]
    for g in grads:
        opt.apply_gradients(zip([g[k] for k in init], variables))
    return opt, variables


def _run_keras(name, kwargs, init, grads):
    """Keras's reference run, as its JAX trainer does it: one jitted `stateless_apply`.

    (Keras's eager path dispatches `lax.cond` per step for gradient accumulation, which is
    slow; the jitted path is the same code.) The values are written back to the variables.
    """
    opt = getattr(keras.optimizers, name)(**kwargs)
    variables = [keras.Variable(init[k], name=k) for k in init]
    opt.build(variables)
    step = jax.jit(opt.stateless_apply)
    trainable, optimizer_variables = [v.value for v in variables], [v.value for v in opt.variables]
    for g in grads:
        trainable, optimizer_variables = step(optimizer_variables, [g[k] for k in init], trainable)
    for variable, value in zip(variables + opt.variables, trainable + optimizer_variables):
        variable.assign(value)
    return opt, variables


def _run_stateless_jit(opt, init, grads):
    variables = [jkeras.Variable(init[k], name=k) for k in init]
    opt.build(variables)
    traces = []

    @jax.jit
    def step(optimizer_variables, grads, trainable):
        traces.append(1)
        return opt.stateless_apply(optimizer_variables, grads, trainable)

    trainable, optimizer_variables = [v.value for v in variables], [v.value for v in opt.variables]
    for g in grads:
        trainable, optimizer_variables = step(optimizer_variables, [g[k] for k in init], trainable)
    assert len(traces) == 1, "the jitted step retraced"
    return [np.asarray(t) for t in trainable], optimizer_variables


def _compare_with_keras(name, kwargs, init, grads):
    """Eager and jitted-stateless jkeras runs against Keras: variables, slots, iterations."""

    def make():
        return dict(kwargs)

    k_opt, k_vars = _run_keras(name, make(), init, grads)
    opt, variables = _run(optimizers, jkeras.Variable, name, make(), init, grads)
    want = [np.asarray(v.value) for v in k_vars]
    assert_close([v.value for v in variables], want)
    jitted, optimizer_variables = _run_stateless_jit(
        getattr(optimizers, name)(**make()), init, grads
    )
    assert_close(jitted, want)
    assert not np.allclose(want[0], init["kernel"])

    # Keras's slots by path, with the same values (jkeras may keep extra leaves: optax's
    # `count`). The order differs: jkeras groups slots by kind. Keras names both of
    # Adafactor's factored moments after the bare variable (`kernel`, r then c); jkeras
    # calls them `kernel_r` and `kernel_c`.
    k_names = [v.path.split("/")[-1] for v in k_opt.variables]
    for k in init:
        if k_names.count(k) == 2:
            first = k_names.index(k)
            k_names[first], k_names[k_names.index(k, first + 1)] = f"{k}_r", f"{k}_c"
    names = [v.path.split("/")[-1] for v in opt.variables]
    unique = [n for n in k_names if k_names.count(n) == 1]
    assert set(unique) <= set(names) and len(unique) == len(k_names)
    assert names[:2] == k_names[:2]  # iteration, then learning_rate (or a slot)
    for k_var, k_name in zip(k_opt.variables, k_names):
        if k_name in unique:
            # Slots are compared relative to their largest entry: Ftrl's `linear` sums terms
            # of both signs into entries of very different sizes.
            got, want = np.asarray(opt.variables[names.index(k_name)].value), np.asarray(k_var)
            np.testing.assert_allclose(
                got, want, rtol=RTOL, atol=RTOL * np.max(np.abs(want)), err_msg=k_name
            )
    np.testing.assert_array_equal(np.asarray(opt.iterations), np.asarray(k_opt.iterations))
    for variable, value in zip(opt.variables, optimizer_variables):
        assert value.dtype == variable.value.dtype
        assert_close([value], [variable.value], err_msg=variable.path)
    return opt, variables, k_opt, k_vars


@pytest.mark.parametrize("name,kwargs", CASES, ids=CASE_IDS)
def test_matches_keras(name, kwargs):
    # Adafactor factors the last two dimensions of a rank-3 variable too.
    shapes = {**SHAPES, "conv": (5, 3, 2)} if name == "Adafactor" else None
    init, grads = _data(shapes=shapes)
    _compare_with_keras(name, kwargs, init, grads)


def test_defaults_match_keras():
    """Every new optimizer with its default arguments, eagerly (20 updates)."""
    init, grads = _data(5)
    for name in ("Adadelta", "Adamax", "Ftrl", "Lion", "Lamb", "Adafactor"):
        _, k_vars = _run(keras.optimizers, keras.Variable, name, {}, init, grads)
        _, variables = _run(optimizers, jkeras.Variable, name, {}, init, grads)
        assert_close([v.value for v in variables], [v.value for v in k_vars], err_msg=name)
        assert not np.allclose(k_vars[0].value, init["kernel"])


EMA_ACCUMULATION_CASES = [
    ("Adam", {"use_ema": True, "ema_momentum": 0.9, "ema_overwrite_frequency": 3}),
    ("SGD", {"momentum": 0.9, "gradient_accumulation_steps": 3, "clipnorm": 1.0}),
    (
        "Adafactor",
        {
            "learning_rate": 0.01,
            "gradient_accumulation_steps": 2,
            "use_ema": True,
            "ema_momentum": 0.5,
            "ema_overwrite_frequency": 4,
            "weight_decay": 0.1,
        },
    ),
]


@pytest.mark.parametrize(
    "name,kwargs", EMA_ACCUMULATION_CASES, ids=[n for n, _ in EMA_ACCUMULATION_CASES]
)
def test_ema_and_gradient_accumulation_match_keras(name, kwargs):
    init, grads = _data(1)
    opt, variables, k_opt, k_vars = _compare_with_keras(name, kwargs, init, grads)
    assert opt.get_config() == {**k_opt.get_config(), "name": opt.name}
    slots = [v.path.rsplit("_", 1)[-1] for v in opt.variables]
    assert ("average" in slots) == bool(kwargs.get("use_ema"))
    if kwargs.get("gradient_accumulation_steps"):
        assert int(opt._iterations.value) == STEPS
        assert int(opt.iterations) == STEPS // kwargs["gradient_accumulation_steps"]
    # End of fit: the variables take their moving averages.
    opt.finalize_variable_values(variables)
    k_opt.finalize_variable_values(k_vars)
    assert_close([v.value for v in variables], [v.value for v in k_vars])
    if kwargs.get("use_ema"):
        averages = [v.value for v in opt.variables if v.path.endswith("_average")]
        assert_close([v.value for v in variables], averages)


def test_missing_gradient_still_moves_the_average_like_keras():
    init, grads = _data(2)
    results = []
    for module, var_cls in ((optimizers, jkeras.Variable), (keras.optimizers, keras.Variable)):
        opt = module.Adamax(learning_rate=0.1, use_ema=True, ema_momentum=0.5)
        kernel, bias = var_cls(init["kernel"], name="kernel"), var_cls(init["bias"], name="bias")
        opt.build([kernel, bias])
        for g in grads[:3]:
            with pytest.warns(UserWarning):
                opt.apply_gradients([(g["kernel"], kernel), (None, bias)])
        results.append({v.path.split("/")[-1]: np.asarray(v.value) for v in opt.variables})
    assert sorted(results[0]) == sorted(results[1])
    assert_close([results[0][k] for k in results[1]], list(results[1].values()))
    np.testing.assert_array_equal(results[0]["bias_momentum"], 0.0)
    assert np.abs(results[0]["bias_average"] - init["bias"]).max() < 1e-6


def test_common_arguments_are_validated_like_keras():
    for kwargs, match in (
        ({"gradient_accumulation_steps": 1}, "gradient_accumulation_steps"),
        ({"use_ema": True, "ema_momentum": 1.5}, "ema_momentum"),
        ({"use_ema": True, "ema_overwrite_frequency": 0.5}, "ema_overwrite_frequency"),
    ):
        with pytest.raises(ValueError, match=match):
            keras.optimizers.Adam(**kwargs)
        with pytest.raises(ValueError, match=match):
            optimizers.Adam(**kwargs)
    with pytest.raises(ValueError, match="learning_rate_power"):
        optimizers.Ftrl(learning_rate_power=0.5)
    with pytest.raises(ValueError, match="l1_regularization_strength"):
        optimizers.Ftrl(l1_regularization_strength=-1.0)
    with pytest.raises(ValueError, match="beta_1"):
        optimizers.Lion(beta_1=0.0)
    with pytest.raises(ValueError, match="match the length"):
        opt = optimizers.SGD(use_ema=True)
        opt.build([jkeras.Variable(np.ones(2, "float32"))])
        opt.finalize_variable_values([])


def test_loss_scale_factor():
    for module in (optimizers, keras.optimizers):
        opt = module.Lion(loss_scale_factor=8.0)
        assert opt.loss_scale_factor == 8.0
        assert float(opt.scale_loss(2.0)) == 16.0
        assert opt.get_config()["loss_scale_factor"] == 8.0


NEW = ["adadelta", "Adamax", "FTRL", "lion", "lamb", "adafactor"]


@pytest.mark.parametrize("name", NEW)
def test_get_by_name_and_config_match_keras(name):
    opt = optimizers.get(name)
    # Keras 3.15's `get` does not list Lamb; jkeras's does (all its optimizers).
    keras_opt = keras.optimizers.Lamb() if name == "lamb" else keras.optimizers.get(name)
    assert type(opt).__name__ == type(keras_opt).__name__
    config, keras_config = opt.get_config(), keras_opt.get_config()
    config.pop("name"), keras_config.pop("name")
    assert config == keras_config
    # Round trips: jkeras <-> jkeras, Keras -> jkeras, jkeras -> Keras.
    cls = type(opt)
    custom = cls(learning_rate=0.02, name="custom", use_ema=True, gradient_accumulation_steps=4)
    custom_config = custom.get_config()
    assert cls.from_config(custom_config).get_config() == custom_config
    assert optimizers.deserialize(optimizers.serialize(custom)).get_config() == custom_config
    if name != "lamb":  # Keras's `deserialize` does not know Lamb either.
        keras_clone = keras.optimizers.deserialize(optimizers.serialize(custom))
        assert keras_clone.get_config() == custom_config
    keras_custom = type(keras_opt)(learning_rate=0.03, ema_momentum=0.5)
    assert (
        optimizers.deserialize(keras.optimizers.serialize(keras_custom)).get_config()
        == keras_custom.get_config()
    )


def test_get_errors():
    with pytest.raises(ValueError, match=r"Could not interpret.*'adafactor'.*'lion'"):
        optimizers.get("adamaxx")
    with pytest.raises(ValueError, match="Could not interpret"):
        optimizers.get(keras.optimizers.Adam)
    with pytest.raises(ValueError, match="class_name"):
        optimizers.deserialize({"config": {}})
