"""Muon, ScheduleFreeAdamW, MultiOptimizer/OptimizerMap and the legacy names against Keras 3:
the same updates from the same weights and gradients, configs, variables and errors."""

import os
import re

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax
import keras
import numpy as np
import pytest

import jkeras
from tests.helpers import assert_close, mlp, regression_data

SHAPES = {"dense_kernel": (3, 4), "bias": (4,), "embedding": (5, 3), "wide": (6, 2)}
STEPS = 4


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    init = {k: rng.normal(size=s).astype("float32") for k, s in SHAPES.items()}
    grads = [{k: rng.normal(size=s).astype("float32") for k, s in SHAPES.items()}
             for _ in range(STEPS)]
    return init, grads


def _train(library, optimizer, data):
    init, grads = data
    variables = [library.Variable(init[k], name=k) for k in SHAPES]
    for g in grads:
        optimizer.apply_gradients(zip([g[k] for k in SHAPES], variables))
    return [np.asarray(v.value) for v in variables]


def _make(library, name, kwargs):
    # Auto-names (`muon`, `muon_1`...) count the optimizers made before in this process: start
    # both libraries' counts afresh, whatever other tests ran first.
    library.utils.clear_session()
    return getattr(library.optimizers, name)(**kwargs)


CASES = [
    ("Muon", {"learning_rate": 0.01}),
    ("Muon", {"learning_rate": 0.01, "nesterov": False, "rms_rate": None, "adam_lr_ratio": 0.5,
              "weight_decay": 0.1, "adam_weight_decay": None, "exclude_layers": ["wide"],
              "momentum": 0.9, "ns_steps": 3}),
    ("Muon", {"exclude_embeddings": False, "clipnorm": 1.0}),
    ("ScheduleFreeAdamW", {"learning_rate": 0.01}),
    ("ScheduleFreeAdamW", {"warmup_steps": 3, "weight_decay": 0.1, "beta_1": 0.8,
                           "epsilon": 1e-3}),
]


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=[f"{n}-{len(k)}" for n, k in CASES])
def test_updates_and_config_match_keras(name, kwargs, data):
    ours, theirs = _make(jkeras, name, kwargs), _make(keras, name, kwargs)
    assert_close(_train(jkeras, ours, data), _train(keras, theirs, data), rtol=1e-5, atol=1e-6)
    assert ours.get_config() == theirs.get_config()
    assert int(ours.iterations.value) == STEPS
    restored = jkeras.optimizers.deserialize(keras.optimizers.serialize(theirs))
    assert type(restored) is type(ours) and restored.get_config() == theirs.get_config()


def test_muon_slots_and_stateless_jit_match_eager(data):
    init, grads = data
    opt = jkeras.optimizers.Muon(learning_rate=0.01)
    variables = [jkeras.Variable(init[k], name=k) for k in SHAPES]
    opt.build(variables)
    # Momentum for every variable, velocity only for the Adam ones (not 2D, or embeddings).
    slots = sorted(v.name for v in opt.variables[2:])
    assert slots == sorted([f"{k}_momentum" for k in SHAPES]
                           + ["bias_velocity", "embedding_velocity"])
    step = jax.jit(opt.stateless_apply)
    params, state = [v.value for v in variables], [v.value for v in opt.variables]
    for g in grads:
        params, state = step(state, [g[k] for k in SHAPES], params)
    assert_close(params, _train(jkeras, jkeras.optimizers.Muon(learning_rate=0.01), data),
                 rtol=1e-5, atol=1e-6)


def test_schedule_free_momentum_starts_at_the_variables(data):
    init, _ = data
    opt = jkeras.optimizers.ScheduleFreeAdamW()
    opt.build([jkeras.Variable(init["wide"], name="wide")])
    momentum = [v for v in opt.variables if v.name == "wide_momentum"]
    assert_close(momentum[0].value, init["wide"])


def _multi(library, selector=None):
    opt = library.optimizers
    optimizer_map = selector or opt.OptimizerMap(
        opt.SGD(0.1, momentum=0.5), {"dense.*": opt.Adam(0.01), "wide": opt.Muon(0.02)})
    return opt.MultiOptimizer(optimizer_map, loss_scale_factor=2.0)


def test_multi_optimizer_matches_keras(data):
    ours, theirs = _multi(jkeras), _multi(keras)
    assert_close(_train(jkeras, ours, data), _train(keras, theirs, data), rtol=1e-5, atol=1e-6)
    def paths(optimizer):  # auto-named optimizers count up differently in the two libraries
        return [re.sub(r"_\d+/", "/", v.path) for v in optimizer.variables]

    assert paths(ours) == paths(theirs)
    assert [type(o).__name__ for o in ours.optimizers] == ["Adam", "Muon", "SGD"]
    assert [type(o).__name__ for o in theirs.optimizers] == ["Adam", "Muon", "SGD"]
    assert all(o.loss_scale_factor == 2.0 for o in ours.optimizers)
    config = keras.optimizers.serialize(theirs)
    assert re.sub(r"_\d+'", "'", str(jkeras.optimizers.serialize(ours))) == re.sub(
        r"_\d+'", "'", str(config))
    restored = jkeras.optimizers.deserialize(config)
    assert [type(o).__name__ for o in restored.optimizers] == ["Adam", "Muon", "SGD"]
    assert type(keras.optimizers.deserialize(jkeras.optimizers.serialize(ours))).__name__ == (
        "MultiOptimizer")
    with pytest.raises(AttributeError, match="individual sub-optimizers"):
        ours.learning_rate  # noqa: B018
    with pytest.raises(AttributeError, match="individual sub-optimizers"):
        ours.learning_rate = 0.1


def test_multi_optimizer_with_a_function_round_trips():
    def choose(variable):
        return optimizers[len(variable.shape) == 2]

    optimizers = [jkeras.optimizers.SGD(0.1), jkeras.optimizers.Adam(0.01)]
    multi = jkeras.optimizers.MultiOptimizer(choose)
    config = multi.get_config()
    assert config["optimizer_map"] == {"module": "builtins", "class_name": "function",
                                       "config": "choose", "registered_name": "function"}
    with pytest.raises(ValueError, match="not registered"):
        jkeras.optimizers.MultiOptimizer.from_config(config)
    restored = jkeras.optimizers.MultiOptimizer.from_config(config, {"choose": choose})
    assert restored.get_config() == config


def test_optimizer_map_lookup_and_errors():
    for library in (jkeras, keras):
        opt = library.optimizers
        sgd, adam = opt.SGD(), opt.Adam()
        optimizer_map = opt.OptimizerMap(sgd)
        optimizer_map["encoder/.*"] = adam
        optimizer_map["encoder/dense/kernel"] = sgd
        assert optimizer_map["encoder/dense/kernel"] is sgd
        assert optimizer_map["encoder/other"] is adam
        assert optimizer_map["decoder"] is sgd
        optimizer_map["enc.*"] = sgd
        with pytest.raises(ValueError, match="Multiple optimizers"):
            optimizer_map["encoder/x"]
        with pytest.raises(ValueError, match="already exists"):
            optimizer_map["enc.*"] = adam
        with pytest.raises(ValueError, match="LossScaleOptimizer"):
            optimizer_map["x"] = opt.LossScaleOptimizer(opt.SGD())
        with pytest.raises(TypeError, match="default_optimizer"):
            opt.OptimizerMap("sgd")


def test_multi_optimizer_trains_a_model_with_fit():
    x, y = regression_data(n=32)
    model = mlp(hidden=(4,), outputs=1)
    opt = jkeras.optimizers
    model.compile(loss="mse", optimizer=opt.MultiOptimizer(
        opt.OptimizerMap(opt.SGD(0.05), {".*kernel": opt.Adam(0.05)})))
    first = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    assert model.evaluate(x, y, verbose=0) < first
    assert [type(o).__name__ for o in model.optimizer.optimizers] == ["Adam", "SGD"]
    assert int(model.optimizer.iterations.value) == 12


@pytest.mark.parametrize("name", ["Adagrad", "Adam", "Ftrl", "Optimizer", "RMSprop", "SGD"])
def test_legacy_optimizers_raise_import_error(name):
    for library in (jkeras, keras):
        with pytest.raises(ImportError, match="not supported in Keras 3"):
            getattr(library.optimizers.legacy, name)()
