"""jkeras optimizers against Keras 3 (JAX backend): update math, state, API and config."""

import os
import re

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax
import jax.numpy as jnp
import keras
import numpy as np
import optax
import pytest

import jkeras
from jkeras import optimizers

STEPS = 20
SHAPES = {"kernel": (3, 4), "bias": (4,)}
RTOL, ATOL = 1e-6, 1e-7

CASES = [
    ("SGD", {}),
    ("SGD", {"momentum": 0.8, "nesterov": True, "weight_decay": 0.05, "clipnorm": 1.0}),
    ("RMSprop", {}),
    ("RMSprop", {"learning_rate": 0.01, "rho": 0.8, "momentum": 0.5, "centered": True}),
    ("RMSprop", {"centered": True, "epsilon": 1e-3, "clipvalue": 0.5, "loss_scale_factor": 4.0}),
    ("Adam", {}),
    ("Adam", {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.99, "amsgrad": True}),
    ("Adam", {"epsilon": 1e-2, "weight_decay": 0.1, "global_clipnorm": 2.0}),
    ("AdamW", {}),
    ("AdamW", {"learning_rate": 0.01, "weight_decay": 0.1, "amsgrad": True, "clipnorm": 1.0}),
    ("Adagrad", {}),
    ("Adagrad", {"learning_rate": 0.1, "initial_accumulator_value": 0.5, "global_clipnorm": 2.0}),
    ("Nadam", {}),
    ("Nadam", {"learning_rate": 0.01, "beta_1": 0.8, "epsilon": 1e-3, "weight_decay": 0.05}),
]
CASE_IDS = [f"{name}-{'-'.join(kwargs) or 'defaults'}" for name, kwargs in CASES]


def _data(seed=0):
    rng = np.random.default_rng(seed)
    init = {k: rng.normal(size=s).astype("float32") for k, s in SHAPES.items()}
    grads = [
        {k: rng.normal(size=s).astype("float32") for k, s in SHAPES.items()} for _ in range(STEPS)
    ]
    return init, grads


def _run_keras(name, kwargs, init, grads, on_step=None):
    opt = getattr(keras.optimizers, name)(**kwargs)
    variables = [keras.Variable(init[k], name=k) for k in SHAPES]
    for step, g in enumerate(grads):
        if on_step:
            on_step(step, opt)
        opt.apply_gradients(zip([g[k] for k in SHAPES], variables))
    slots = {v.name: np.asarray(v.value) for v in opt.variables[2:]}
    return [np.asarray(v.value) for v in variables], slots, int(opt.iterations.value)


def _run_eager(name, kwargs, init, grads, on_step=None):
    opt = getattr(optimizers, name)(**kwargs)
    variables = [jkeras.Variable(init[k], name=k) for k in SHAPES]
    for step, g in enumerate(grads):
        if on_step:
            on_step(step, opt)
        opt.apply_gradients(zip([g[k] for k in SHAPES], variables))
    slots = {v.name: np.asarray(v.value) for v in opt.variables[2:]}
    return [np.asarray(v.value) for v in variables], slots, int(opt.iterations.value), opt


def _run_stateless_jit(name, kwargs, init, grads):
    opt = getattr(optimizers, name)(**kwargs)
    variables = [jkeras.Variable(init[k], name=k) for k in SHAPES]
    opt.build(variables)
    trainable = [v.value for v in variables]
    optimizer_variables = [v.value for v in opt.variables]
    step = jax.jit(opt.stateless_apply)
    for g in grads:
        trainable, optimizer_variables = step(
            optimizer_variables, [g[k] for k in SHAPES], trainable
        )
    return [np.asarray(t) for t in trainable], optimizer_variables


@pytest.mark.parametrize("name,kwargs", CASES, ids=CASE_IDS)
def test_matches_keras(name, kwargs):
    init, grads = _data()
    expected, keras_slots, keras_iterations = _run_keras(name, kwargs, init, grads)
    eager, slots, iterations, opt = _run_eager(name, kwargs, init, grads)
    jitted, optimizer_variables = _run_stateless_jit(name, kwargs, init, grads)

    for want, got_eager, got_jit in zip(expected, eager, jitted):
        np.testing.assert_allclose(got_eager, want, rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(got_jit, want, rtol=RTOL, atol=ATOL)
    # The variables moved, so the comparison above is not vacuous.
    assert not np.allclose(expected[0], init["kernel"])

    # Same slot variables as Keras, by name, with the same values (Keras's Nadam names its
    # momentum-schedule product "variable"; jkeras calls it "u_product").
    keras_slots = {re.sub(r"^variable(_\d+)?$", "u_product", k): v for k, v in keras_slots.items()}
    assert sorted(slots) == sorted(keras_slots)
    for key, value in keras_slots.items():
        np.testing.assert_allclose(slots[key], value, rtol=1e-5, atol=1e-7, err_msg=key)
    assert iterations == keras_iterations == STEPS

    # The jitted stateless run ends in the same optimizer state as the eager one.
    assert [v.path for v in opt.variables[:2]] == [
        f"{opt.name}/iteration",
        f"{opt.name}/learning_rate",
    ]
    for variable, value in zip(opt.variables, optimizer_variables):
        assert value.dtype == variable.value.dtype
        np.testing.assert_allclose(
            value, variable.value, rtol=RTOL, atol=ATOL, err_msg=variable.path
        )


@pytest.mark.parametrize("name", ["SGD", "Adam"])
def test_learning_rate_setter_changes_update_without_recompiling(name):
    kwargs = {"learning_rate": 0.01, **({"momentum": 0.9} if name == "SGD" else {})}
    init, grads = _data(1)

    def schedule(step, opt):
        if step == 10:
            opt.learning_rate = 0.05

    expected, _, _ = _run_keras(name, kwargs, init, grads, on_step=schedule)
    unchanged, _, _ = _run_keras(name, kwargs, init, grads)
    assert not np.allclose(expected[0], unchanged[0])

    opt = getattr(optimizers, name)(**kwargs)
    variables = [jkeras.Variable(init[k], name=k) for k in SHAPES]
    opt.build(variables)
    traces = []

    @jax.jit
    def train_step(optimizer_variables, grads, trainable):
        traces.append(1)
        return opt.stateless_apply(optimizer_variables, grads, trainable)

    trainable = [v.value for v in variables]
    optimizer_variables = [v.value for v in opt.variables]
    for step, g in enumerate(grads):
        if step == 10:
            # As a Keras callback does between epochs: write back, set, read again.
            for variable, value in zip(opt.variables, optimizer_variables):
                variable.assign(value)
            opt.learning_rate = 0.05
            optimizer_variables = [v.value for v in opt.variables]
        trainable, optimizer_variables = train_step(
            optimizer_variables, [g[k] for k in SHAPES], trainable
        )

    assert len(traces) == 1
    assert opt.learning_rate == pytest.approx(0.05)
    np.testing.assert_allclose(float(optimizer_variables[1]), 0.05, rtol=1e-7)
    for got, want in zip(trainable, expected):
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)


def test_learning_rate_property_before_and_after_build():
    opt = optimizers.Adam(learning_rate=0.02)
    assert opt.learning_rate == pytest.approx(0.02)
    opt.learning_rate = 0.03
    state = opt.init({"w": jnp.ones(2)})
    np.testing.assert_allclose(state.learning_rate, 0.03)
    assert state.iteration.dtype == jnp.int32 and int(state.iteration) == 0
    opt.build([jkeras.Variable(np.ones(2, "float32"))])
    assert opt.variables[1] is opt._learning_rate
    opt.learning_rate = 0.04
    np.testing.assert_allclose(opt.variables[1].value, 0.04)
    assert isinstance(opt.learning_rate, float)
    with pytest.raises(ValueError, match="learning_rate"):
        opt.learning_rate = "fast"


def test_pure_core_on_a_dict_pytree_matches_keras():
    init, grads = _data(2)
    expected, _, _ = _run_keras("RMSprop", {"momentum": 0.5, "learning_rate": 0.01}, init, grads)
    opt = optimizers.RMSprop(momentum=0.5, learning_rate=0.01)
    assert isinstance(opt.transformation, optax.GradientTransformation)
    params = {k: jnp.asarray(v) for k, v in init.items()}
    state = opt.init(params)
    assert isinstance(state, optimizers.OptimizerState)
    update = jax.jit(opt.update)
    for g in grads:
        params, state = update(g, state, params)
    assert int(state.iteration) == STEPS
    for k, want in zip(SHAPES, expected):
        np.testing.assert_allclose(params[k], want, rtol=RTOL, atol=ATOL)


def test_missing_gradient_leaves_variable_and_slots_unchanged():
    init, grads = _data(3)
    kernel, bias = (
        jkeras.Variable(init["kernel"], name="kernel"),
        jkeras.Variable(init["bias"], name="bias"),
    )
    k_kernel, k_bias = (
        keras.Variable(init["kernel"], name="kernel"),
        keras.Variable(init["bias"], name="bias"),
    )
    opt, k_opt = optimizers.Adam(learning_rate=0.1), keras.optimizers.Adam(learning_rate=0.1)
    opt.build([kernel, bias])
    k_opt.build([k_kernel, k_bias])
    for g in grads[:3]:
        with pytest.warns(UserWarning, match="bias"):
            opt.apply_gradients([(g["kernel"], kernel), (None, bias)])
        with pytest.warns(UserWarning):
            k_opt.apply_gradients([(g["kernel"], k_kernel), (None, k_bias)])
    np.testing.assert_array_equal(bias.value, init["bias"])
    np.testing.assert_allclose(kernel.value, k_kernel.value, rtol=RTOL, atol=ATOL)
    slots = {v.name: v.value for v in opt.variables}
    np.testing.assert_array_equal(slots["bias_momentum"], 0.0)
    assert np.abs(slots["kernel_momentum"]).sum() > 0
    with pytest.raises(ValueError, match="No gradients"):
        opt.apply_gradients([(None, kernel), (None, bias)])


def test_nothing_to_train_is_a_no_op_like_keras():
    """A model without trainable weights fits (its optimizer step does nothing), as in Keras."""
    x, y = np.ones((4, 6), "float32"), np.zeros((4, 2, 3), "float32")
    results = []
    for library in (jkeras, keras):
        model = library.Sequential([library.Input((6,)), library.layers.Reshape((2, 3))])
        model.compile("sgd", "mse")
        loss = model.fit(x, y, batch_size=2, verbose=0).history["loss"]
        results.append((loss, int(model.optimizer.iterations.numpy())))
    assert results[0] == results[1] == ([1.0], 0)
    opt = optimizers.SGD()
    opt.build([])
    values = [v.value for v in opt.variables]
    trainable, new_values = opt.stateless_apply(values, [], [])
    assert trainable == [] and len(new_values) == len(values)
    assert all(np.array_equal(a, b) for a, b in zip(new_values, values))


def test_exclude_from_weight_decay_matches_keras():
    init, grads = _data(4)
    results = []
    for module, var_cls in ((optimizers, jkeras.Variable), (keras.optimizers, keras.Variable)):
        opt = module.AdamW(learning_rate=0.05, weight_decay=0.5)
        opt.exclude_from_weight_decay(var_names=["bias"])
        variables = [var_cls(init[k], name=k) for k in SHAPES]
        for g in grads:
            opt.apply_gradients(zip([g[k] for k in SHAPES], variables))
        results.append([np.asarray(v.value) for v in variables])
    for got, want in zip(*results):
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)
    with pytest.raises(ValueError, match="before the optimizer is built"):
        opt = optimizers.AdamW()
        opt.build([jkeras.Variable(np.ones(2, "float32"))])
        opt.exclude_from_weight_decay(var_names=["bias"])


def test_stateless_apply_checks_its_inputs():
    opt = optimizers.SGD(momentum=0.9)
    variables = [jkeras.Variable(np.ones(2, "float32"), name="w")]
    with pytest.raises(ValueError, match="must be built"):
        opt.stateless_apply([], [jnp.ones(2)], [jnp.ones(2)])
    opt.build(variables)
    values = [v.value for v in opt.variables]
    with pytest.raises(ValueError, match="expected 3 variables"):
        opt.stateless_apply(values[:2], [jnp.ones(2)], [jnp.ones(2)])
    with pytest.raises(ValueError, match="built with 1 variables"):
        opt.stateless_apply(values, [jnp.ones(2)] * 2, [jnp.ones(2)] * 2)
    with pytest.raises(ValueError, match="Unknown variable"):
        opt.apply_gradients([(jnp.ones(2), jkeras.Variable(np.ones(2, "float32")))])


def test_lr_argument_is_deprecated_but_accepted():
    with pytest.warns(DeprecationWarning, match="learning_rate"):
        opt = optimizers.SGD(lr=0.5)
    assert opt.learning_rate == 0.5
    assert opt.get_config()["learning_rate"] == 0.5


def test_unknown_arguments_are_rejected_like_keras():
    with pytest.raises(ValueError, match="not recognized"):
        keras.optimizers.Adam(bogus=1)
    with pytest.raises(ValueError, match="bogus"):
        optimizers.Adam(bogus=1)
    with pytest.raises(ValueError, match="Only one of"):
        optimizers.SGD(clipnorm=1.0, clipvalue=1.0)
    with pytest.raises(ValueError, match="momentum"):
        optimizers.SGD(momentum=1.5)
    with pytest.raises(ValueError, match="weight_decay"):
        optimizers.AdamW(weight_decay=None)
    with pytest.raises(ValueError, match="learning_rate"):
        optimizers.Adam(learning_rate="0.1")


@pytest.mark.parametrize("name", ["sgd", "RMSprop", "ADAM", "adamw", "Adagrad", "nadam"])
def test_get_by_name_has_keras_defaults(name):
    opt = optimizers.get(name)
    keras_opt = keras.optimizers.get(name)
    assert type(opt).__name__ == type(keras_opt).__name__
    config, keras_config = opt.get_config(), keras_opt.get_config()
    config.pop("name"), keras_config.pop("name")
    assert config == keras_config


def test_default_names_match_keras():
    for cls in optimizers.ALL_OBJECTS:
        name = cls().name
        keras_name = getattr(keras.optimizers, cls.__name__)().name
        assert re.sub(r"_\d+$", "", name) == re.sub(r"_\d+$", "", keras_name)


def test_get_other_identifiers():
    opt = optimizers.Adam()
    assert optimizers.get(opt) is opt
    assert optimizers.get(None) is None
    with pytest.raises(ValueError, match=r"Could not interpret.*'adam', 'adamax', 'adamw'"):
        optimizers.get("adamax_nonexistent")
    with pytest.raises(ValueError, match="Could not interpret"):
        optimizers.get(42)
    from_dict = optimizers.get({"class_name": "SGD", "config": {"momentum": 0.5}})
    assert isinstance(from_dict, optimizers.SGD) and from_dict.momentum == 0.5


def test_config_round_trip_and_keras_interop():
    opt = optimizers.RMSprop(
        learning_rate=0.02, rho=0.8, momentum=0.3, centered=True, clipnorm=2.0, name="rms"
    )
    config = opt.get_config()
    clone = optimizers.RMSprop.from_config(config)
    assert clone.get_config() == config
    assert optimizers.deserialize(optimizers.serialize(opt)).get_config() == config

    # Keras reads jkeras's serialization and vice versa.
    keras_opt = keras.optimizers.deserialize(optimizers.serialize(opt))
    assert keras_opt.get_config() == config
    keras_adam = keras.optimizers.Adam(learning_rate=0.003, amsgrad=True, global_clipnorm=1.0)
    assert (
        optimizers.deserialize(keras.optimizers.serialize(keras_adam)).get_config()
        == keras_adam.get_config()
    )


def test_build_compiles_one_program_for_all_slots(compilations):
    # Eagerly, every slot shape would compile its own `zeros_like`.
    shapes = [(5, 3), (3,), (3, 9), (9,), (2, 2, 7)]
    variables = [jkeras.Variable(np.full(s, 2.0, "float32")) for s in shapes]
    opt = optimizers.Adagrad(initial_accumulator_value=0.25)
    before = len(compilations)
    opt.build(variables)
    assert compilations[before:] == ["jit(init)"]
    accumulators = opt.variables[2:]
    assert [tuple(v.shape) for v in accumulators] == shapes
    for v in accumulators:
        np.testing.assert_array_equal(v.value, 0.25)
