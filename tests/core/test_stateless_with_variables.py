"""The stateless APIs take `Variable`s wherever they take arrays (Keras 3 programs pass
`metric.variables` or `layer.trainable_variables` directly), with the values Keras 3 gives."""

import keras
import numpy as np

import jkeras
from tests.helpers import assert_close

Y_TRUE = np.array([[0.0, 1.0], [1.0, 1.0]], "float32")
Y_PRED = np.array([[0.5, 0.5], [1.0, 0.0]], "float32")


def _metric_results(library):
    metric = library.metrics.MeanSquaredError()
    values = metric.stateless_update_state(metric.variables, Y_TRUE, Y_PRED)
    values = metric.stateless_update_state(values, Y_TRUE, Y_PRED * 2)
    result = metric.stateless_result(values)
    reset = metric.stateless_reset_state()
    return result, [np.asarray(v) for v in reset]


def test_metric_stateless_api_takes_its_variables():
    assert_close(_metric_results(jkeras), _metric_results(keras))


def test_stateless_call_and_apply_take_variables_and_stay_pure():
    layer = jkeras.layers.Dense(2, kernel_initializer="ones")
    x = np.ones((3, 4), "float32")
    layer.build(x.shape)
    outputs, _ = layer.stateless_call(layer.trainable_variables, layer.non_trainable_variables, x)
    assert_close(outputs, np.full((3, 2), 4.0))
    optimizer = jkeras.optimizers.SGD(0.5)
    optimizer.build(layer.trainable_variables)
    grads = [np.ones(v.shape, "float32") for v in layer.trainable_variables]
    new_trainable, _ = optimizer.stateless_apply(optimizer.variables, grads,
                                                 layer.trainable_variables)
    assert_close(new_trainable[0], np.full((4, 2), 0.5))
    assert_close(layer.kernel.value, np.ones((4, 2)))  # the variables are untouched

    loss = jkeras.losses.mean_squared_error(np.zeros((4, 2), "float32"), layer.kernel)
    assert_close(loss, np.ones(4))  # losses take Variables too
