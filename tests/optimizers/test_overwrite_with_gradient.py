"""`Variable.overwrite_with_gradient` (the scales of float8 training) in the optimizers,
against Keras 3: such a variable takes its gradient as its new value (with gradient
accumulation the largest of the window; never unscaled by a LossScaleOptimizer) and gets no
slots and no moving average; `apply` and the jitted `stateless_apply` agree."""

import jax
import keras
import numpy as np
import pytest

import jkeras
from tests.helpers import assert_close

GRADS = [
    [np.array([0.5, 1.0], "float32"), np.array([[0.1, -0.2], [0.3, 0.4]], "float32")],
    [np.array([5.0, 0.25], "float32"), np.array([[1.0, 2.0], [3.0, 4.0]], "float32")],
    [np.array([2.0, 7.0], "float32"), np.array([[-1.0, 0.5], [0.2, 0.1]], "float32")],
]


def _variables(module):
    """An overwritten variable before an updated one (slot indices must skip it)."""
    scale = module.Variable(np.array([3.0, 4.0], "float32"), name="s")
    scale.overwrite_with_gradient = True
    weight = module.Variable(np.array([[1.0, 2.0], [0.5, -1.0]], "float32"), name="w")
    return [scale, weight]


OPTIMIZERS = {  # name: module -> optimizer
    "sgd-momentum-weight-decay": lambda m: m.optimizers.SGD(
        0.1, momentum=0.5, weight_decay=0.1, name="opt"),
    "adam-accumulated": lambda m: m.optimizers.Adam(
        0.1, gradient_accumulation_steps=2, name="opt"),
    "sgd-ema": lambda m: m.optimizers.SGD(0.1, use_ema=True, name="opt"),
    "lamb-weight-decay": lambda m: m.optimizers.Lamb(0.1, weight_decay=0.1, name="opt"),
    "muon": lambda m: m.optimizers.Muon(0.1, name="opt"),
    "loss-scale": lambda m: m.optimizers.LossScaleOptimizer(
        m.optimizers.SGD(0.1, name="opt"), initial_scale=4.0, name="lso"),
}


def _run(module, make):
    """`(variables, {optimizer variable name: value})` after the steps of the jitted
    `stateless_apply` (Keras 3's LossScaleOptimizer cannot `apply` eagerly on JAX)."""
    variables, optimizer = _variables(module), make(module)
    optimizer.build(variables)
    values = [v.value for v in variables]
    state = [v.value for v in optimizer.variables]
    step = jax.jit(optimizer.stateless_apply)  # one compilation rather than eager ops
    for grads in GRADS:
        values, state = step(state, grads, values)
    names = [v.path for v in optimizer.variables]
    return [np.asarray(v) for v in values], dict(zip(names, map(np.asarray, state)))


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_overwritten_variables_match_keras(name):
    ours, ours_state = _run(jkeras, OPTIMIZERS[name])
    theirs, theirs_state = _run(keras, OPTIMIZERS[name])
    assert_close(ours, theirs, rtol=1e-5, atol=1e-6)
    # The last gradient (never divided by a loss scale); accumulated: the window's maximum.
    expected = [5.0, 1.0] if name == "adam-accumulated" else GRADS[-1][0]
    np.testing.assert_array_equal(ours[0], expected)
    # No slot of the overwritten variable (Lamb and Muon keep optax's step count as well).
    assert not any("_s_" in key and "accumulator" not in key for key in ours_state)
    extra = {"opt/count"} if name == "lamb-weight-decay" else set()
    assert set(ours_state) == set(theirs_state) | extra
    for key, value in theirs_state.items():
        assert_close(ours_state[key], value, rtol=1e-5, atol=1e-6, err_msg=key)


def test_apply_matches_jitted_stateless_apply():
    def make(module):
        return module.optimizers.SGD(0.1, gradient_accumulation_steps=2, name="opt")

    variables, optimizer = _variables(jkeras), make(jkeras)
    for grads in GRADS:
        optimizer.apply(grads, variables)
    expected, state = _run(jkeras, make)
    assert_close([v.numpy() for v in variables], expected)
    assert_close([v.numpy() for v in optimizer.variables], list(state.values()))
    np.testing.assert_array_equal(variables[0].numpy(), [5.0, 1.0])  # max of the last window
    new_values, _ = optimizer.stateless_apply([v.value for v in optimizer.variables],
                                              GRADS[0], [v.value for v in variables])
    # The 4th call ends a window: the largest of the 3rd and 4th gradients.
    np.testing.assert_array_equal(new_values[0], np.maximum(GRADS[2][0], GRADS[0][0]))


def test_moving_averages_skip_overwritten_variables():
    """Keras 3.15 fails here (`ema_overwrite_frequency` with an overwritten variable); jkeras
    averages and overwrites only the updated variables."""
    scale, weight = variables = _variables(jkeras)
    optimizer = jkeras.optimizers.SGD(0.1, use_ema=True, ema_overwrite_frequency=3)
    for grads in GRADS:
        optimizer.apply(grads, variables)
    assert optimizer.averaged_variables == [weight]
    (average,) = optimizer.moving_averages
    np.testing.assert_array_equal(weight.numpy(), average.numpy())  # the 3rd update: overwrite
    np.testing.assert_array_equal(scale.numpy(), GRADS[-1][0])
    weight.assign(np.zeros((2, 2)))
    optimizer.finalize_variable_values(variables)
    np.testing.assert_array_equal(weight.numpy(), average.numpy())
    np.testing.assert_array_equal(scale.numpy(), GRADS[-1][0])


def test_overwrite_with_gradient_property_matches_keras():
    for module in (jkeras, keras):
        variable = module.Variable(np.zeros(2, "float32"))
        assert variable.overwrite_with_gradient is False
        with pytest.raises(TypeError, match="must be a boolean"):
            variable.overwrite_with_gradient = 1
    layer = jkeras.layers.Layer()
    assert layer.add_weight(shape=(2,), overwrite_with_gradient=True).overwrite_with_gradient
