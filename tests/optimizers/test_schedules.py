"""jkeras.optimizers.schedules against Keras 3's schedules, and optimizers driven by them."""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax
import jax.numpy as jnp
import keras
import numpy as np
import pytest

import jkeras
from jkeras import optimizers
from jkeras.optimizers import schedules

STEPS = np.array(sorted({*range(0, 400, 7), 0, 1, 9, 10, 11, 99, 100, 101, 150, 1000, 10**6}))

SCHEDULES = [
    ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.9}),
    (
        "ExponentialDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 7, "decay_rate": 0.5, "staircase": True},
    ),
    ("PiecewiseConstantDecay", {"boundaries": [10, 100, 150], "values": [1.0, 0.5, 0.1, 0.01]}),
    ("PiecewiseConstantDecay", {"boundaries": [100], "values": [0.3, 0.2]}),
    ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 100}),
    (
        "PolynomialDecay",
        {
            "initial_learning_rate": 0.1,
            "decay_steps": 30,
            "end_learning_rate": 0.01,
            "power": 0.5,
            "cycle": True,
        },
    ),
    ("InverseTimeDecay", {"initial_learning_rate": 0.1, "decay_steps": 5, "decay_rate": 0.5}),
    (
        "InverseTimeDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 5, "decay_rate": 0.5, "staircase": True},
    ),
    ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 100}),
    (
        "CosineDecay",
        {
            "initial_learning_rate": 0.0,
            "decay_steps": 100,
            "alpha": 0.1,
            "warmup_target": 0.2,
            "warmup_steps": 50,
        },
    ),
    ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 20}),
    (
        "CosineDecayRestarts",
        {
            "initial_learning_rate": 0.1,
            "first_decay_steps": 15,
            "t_mul": 1.0,
            "m_mul": 0.8,
            "alpha": 0.05,
        },
    ),
    (
        "CosineDecayRestarts",
        {"initial_learning_rate": 0.1, "first_decay_steps": 10, "t_mul": 1.5, "m_mul": 0.5},
    ),
]
IDS = [f"{name}-{i}" for i, (name, _) in enumerate(SCHEDULES)]


def _values(schedule):
    """The schedule at each of STEPS (vmapped: Keras's schedules are jax code too, and its
    CosineDecay warmup's `ops.cond` needs a traced step)."""
    return jax.vmap(schedule)(jnp.asarray(STEPS, jnp.int32))


@pytest.mark.parametrize("name,kwargs", SCHEDULES, ids=IDS)
def test_values_match_keras(name, kwargs):
    keras_schedule = getattr(keras.optimizers.schedules, name)(**kwargs)
    schedule = getattr(schedules, name)(**kwargs)
    want, got = _values(keras_schedule), _values(schedule)
    assert got.dtype == jnp.float32
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-9)
    # Eagerly, on a Python int, too.
    for step in (3, 120):
        assert float(schedule(step)) == pytest.approx(float(keras_schedule(step)), rel=1e-5)

    # Config round trips, and interop with Keras's serialization.
    config = schedule.get_config()
    assert config == keras_schedule.get_config()
    assert type(schedule).from_config(config).get_config() == config
    serialized = schedules.serialize(schedule)
    assert serialized == keras.optimizers.schedules.serialize(keras_schedule)
    assert schedules.deserialize(serialized).get_config() == config
    assert keras.optimizers.schedules.deserialize(serialized).get_config() == config


def test_schedule_errors_match_keras():
    for module in (schedules, keras.optimizers.schedules):
        with pytest.raises(ValueError, match="decay_steps"):
            module.ExponentialDecay(0.1, 0, 0.9)
        with pytest.raises(ValueError, match="first_decay_steps"):
            module.CosineDecayRestarts(0.1, 0)
        with pytest.raises(ValueError, match="length of boundaries"):
            module.PiecewiseConstantDecay([1, 2], [0.1, 0.2])
        with pytest.raises(NotImplementedError, match="__call__"):
            module.LearningRateSchedule()(1)
    with pytest.raises(ValueError, match="Unknown decay"):
        schedules.deserialize({"class_name": "Nope", "config": {}})
    with pytest.raises(ValueError, match="class_name"):
        schedules.deserialize("ExponentialDecay")


class HalfEveryFive(schedules.LearningRateSchedule):
    def __init__(self, initial_learning_rate):
        self.initial_learning_rate = initial_learning_rate

    def __call__(self, step):
        return self.initial_learning_rate * 0.5 ** (step // 5)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate}


def test_custom_schedule_round_trips_with_custom_objects():
    opt = optimizers.SGD(learning_rate=HalfEveryFive(0.4))
    config = opt.get_config()
    clone = optimizers.SGD.from_config(config, custom_objects={"HalfEveryFive": HalfEveryFive})
    assert isinstance(clone._schedule, HalfEveryFive) and clone.get_config() == config


OPTIMIZER_CASES = [
    (
        "SGD",
        {"momentum": 0.9},
        "PiecewiseConstantDecay",
        {"boundaries": [4, 12], "values": [0.1, 0.05, 0.01]},
    ),
    (
        "Adam",
        {"weight_decay": 0.1},
        "CosineDecay",
        {"initial_learning_rate": 0.0, "decay_steps": 10, "warmup_target": 0.05, "warmup_steps": 5},
    ),
    (
        "Lamb",
        {"gradient_accumulation_steps": 2, "use_ema": True},
        "ExponentialDecay",
        {"initial_learning_rate": 0.05, "decay_steps": 3, "decay_rate": 0.7},
    ),
]


@pytest.mark.parametrize(
    "name,kwargs,schedule_name,schedule_kwargs",
    OPTIMIZER_CASES,
    ids=[case[0] for case in OPTIMIZER_CASES],
)
def test_optimizer_with_schedule_matches_keras(name, kwargs, schedule_name, schedule_kwargs):
    rng = np.random.default_rng(0)
    init = rng.normal(size=(3, 4)).astype("float32")
    grads = rng.normal(size=(20, 3, 4)).astype("float32")

    def make(module):
        schedule = getattr(module.schedules, schedule_name)(**schedule_kwargs)
        return getattr(module, name)(learning_rate=schedule, **kwargs)

    k_opt, k_var = make(keras.optimizers), keras.Variable(init, name="w")
    k_opt.build([k_var])
    k_step = jax.jit(k_opt.stateless_apply)  # Keras's eager `lax.cond`s are slow
    k_values = [v.value for v in k_opt.variables]
    opt, var = make(optimizers), jkeras.Variable(init, name="w")
    jit_opt = make(optimizers)
    jit_opt.build([jkeras.Variable(init, name="w")])
    traces = []

    @jax.jit
    def step(optimizer_variables, grads, trainable):
        traces.append(1)
        return jit_opt.stateless_apply(optimizer_variables, grads, trainable)

    trainable, optimizer_variables = [jnp.asarray(init)], [v.value for v in jit_opt.variables]
    for i, g in enumerate(grads):
        (k_trainable,), k_values = k_step(k_values, [g], [k_var.value])
        k_var.assign(k_trainable)
        opt.apply_gradients([(g, var)])
        trainable, optimizer_variables = step(optimizer_variables, [g], trainable)
        if i in (0, 7, 19):
            # The current learning rate is the schedule's value at the iteration, as in Keras.
            for variable, value in zip(k_opt.variables, k_values):
                variable.assign(value)
            assert opt.learning_rate == pytest.approx(float(k_opt.learning_rate), rel=1e-6)
    assert len(traces) == 1, "advancing the schedule recompiled the step"
    np.testing.assert_allclose(var.value, k_var.value, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(trainable[0], k_var.value, rtol=1e-5, atol=1e-7)
    assert not np.allclose(k_var.value, init)

    # No learning-rate variable, as in Keras; the rest of the state agrees.
    names = [v.path.split("/")[-1] for v in opt.variables]
    k_names = [v.path.split("/")[-1] for v in k_opt.variables]
    assert "learning_rate" not in names and set(k_names) <= set(names)  # (+ optax's `count`)
    for k_var_, k_name in zip(k_opt.variables, k_names):
        np.testing.assert_allclose(
            opt.variables[names.index(k_name)].value, k_var_.value, rtol=1e-5, atol=1e-7
        )
    for variable, value in zip(opt.variables, optimizer_variables):
        np.testing.assert_allclose(value, variable.value, rtol=1e-6, atol=1e-7)

    # A float cannot replace the schedule (Keras raises TypeError).
    for optimizer in (k_opt, opt):
        with pytest.raises(TypeError, match="not settable"):
            optimizer.learning_rate = 0.1
    assert opt.get_config() == {**k_opt.get_config(), "name": opt.name}
    assert isinstance(
        optimizers.deserialize(optimizers.serialize(opt))._schedule,
        getattr(schedules, schedule_name),
    )


def test_learning_rate_can_become_a_schedule_before_build_only():
    opt = optimizers.Adam(learning_rate=0.1)
    opt.learning_rate = schedules.ExponentialDecay(0.1, 10, 0.5)
    assert [v.name for v in opt.variables] == ["iteration"]
    assert opt.learning_rate == pytest.approx(0.1)
    opt.learning_rate = schedules.ExponentialDecay(0.2, 10, 0.5)  # schedule -> schedule is fine
    opt.build([jkeras.Variable(np.ones(2, "float32"))])
    assert opt.learning_rate == pytest.approx(0.2)

    built = optimizers.Adam(learning_rate=0.1)
    built.build([jkeras.Variable(np.ones(2, "float32"))])
    with pytest.raises(ValueError, match="only before the optimizer is built"):
        built.learning_rate = schedules.ExponentialDecay(0.1, 10, 0.5)
