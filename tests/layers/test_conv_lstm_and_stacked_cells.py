"""ConvLSTM1D/2D/3D, StackedRNNCells and `RNN` over a list of cells, against Keras 3 (JAX
backend) with the same weights: outputs, states, gradients, configs and errors."""

import jax
import keras  # the reference
import numpy as np
import pytest

import jkeras
from jkeras import layers
from tests.helpers import assert_close, run_config_test, run_layer_test

RNG = np.random.default_rng(0)


def normal(*shape):
    return RNG.normal(size=shape).astype("float32")


# ----------------------------------------------------------------------------------- ConvLSTM


@pytest.mark.parametrize("name, kwargs, shape", [
    ("ConvLSTM1D", {"filters": 2, "kernel_size": 2, "return_sequences": True}, (2, 3, 5, 2)),
    ("ConvLSTM2D", {"filters": 3, "kernel_size": (2, 3), "strides": 2, "padding": "same",
                    "data_format": "channels_first", "unit_forget_bias": False,
                    "return_state": True, "go_backwards": True}, (2, 3, 2, 5, 5)),
    ("ConvLSTM3D", {"filters": 2, "kernel_size": 2, "dilation_rate": (1, 2, 1)},
     (1, 2, 3, 5, 3, 1)),
], ids=["1d_sequences", "2d_channels_first_strided_state_backwards", "3d_dilated"])
def test_conv_lstm_matches_keras(name, kwargs, shape):
    first = name == "ConvLSTM1D"
    result = run_layer_test(getattr(layers, name), kwargs, input_data=normal(*shape),
                            compare_with_keras=True, run_eager_check=False,
                            run_mixed_precision_check=first, run_training_check=first,
                            rtol=1e-4, atol=1e-5)
    expected = result.keras_layer.compute_output_shape(shape)
    assert result.layer.compute_output_shape(shape) == expected


def test_conv_lstm_forget_bias_dropout_and_mask():
    layer = layers.ConvLSTM1D(2, 2, padding="same", dropout=0.5, recurrent_dropout=0.5,
                              seed=1, return_sequences=True)
    x = normal(2, 4, 3, 2)
    inference = np.asarray(layer(x))
    np.testing.assert_array_equal(np.asarray(layer.cell.bias.value), [0, 0, 1, 1, 0, 0, 0, 0])
    assert not np.allclose(np.asarray(layer(x, training=True)), inference)
    mask = np.array([[True, True, False, True], [True, False, False, False]])
    masked = np.asarray(layer(x, mask=mask))
    # A masked step repeats the previous output.
    np.testing.assert_allclose(masked[0, 2], masked[0, 1])
    np.testing.assert_allclose(masked[1, 3], masked[1, 0])


def test_conv_lstm_config_and_errors():
    config = run_config_test(layers.ConvLSTM2D, {
        "filters": 3, "kernel_size": 2, "strides": 1, "padding": "same",
        "recurrent_activation": "hard_sigmoid", "kernel_regularizer": "l2",
        "activity_regularizer": "l1", "dropout": 0.1, "seed": 4, "return_sequences": True})
    assert "rank" not in config and config["filters"] == 3
    with pytest.raises(ValueError, match="only support static input shapes"):
        layers.ConvLSTM2D(2, 2)(jkeras.Input((3, None, 4, 1)))
    with pytest.raises(ValueError, match="not compatible with `dilation_rate > 1`"):
        layers.ConvLSTM1D(2, 2, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="stateful=True"):
        layers.ConvLSTM1D(2, 2, stateful=True)


# ----------------------------------------------------------------------- StackedRNNCells


def cells(mod):
    return [mod.layers.SimpleRNNCell(3, name="simple"), mod.layers.LSTMCell(2, name="lstm"),
            mod.layers.GRUCell(4, name="gru")]


def stack(mod):
    return mod.layers.StackedRNNCells(cells(mod), name="stack")


@pytest.mark.parametrize("return_state", [False, True])
def test_stacked_cells_match_keras(return_state):
    kwargs = {"cell": stack(jkeras), "return_sequences": True, "return_state": return_state}
    # Keras's cells own a seed generator even without dropout; jkeras's only with it.
    result = run_layer_test(layers.RNN, kwargs, input_data=normal(2, 4, 5),
                            keras_cls=lambda cell, **kw: keras.layers.RNN(stack(keras), **kw),
                            expected_num_seed_generators=0,
                            compare_with_keras=True, run_eager_check=False,
                            run_mixed_precision_check=False, run_training_check=not return_state,
                            rtol=1e-4, atol=1e-5)
    layer = result.layer
    assert isinstance(layers.RNN(cells(jkeras)).cell, layers.StackedRNNCells)
    assert layer.cell.state_size == [3, [2, 2], 4] and layer.cell.output_size == 4
    if return_state:  # the output, then the states of each cell (a list for the LSTM)
        output, [_first], [h, c], [last] = result.output
        assert output.shape == (2, 4, 4) and h.shape == c.shape == (2, 2)
        assert_close(output[:, -1], last)


def test_stacked_cells_match_stacked_layers_with_dropout_and_initial_state():
    stacked = layers.RNN(layers.StackedRNNCells(
        [layers.LSTMCell(3, dropout=0.3, recurrent_dropout=0.3, seed=1), layers.GRUCell(2)]),
        return_sequences=True)
    x = normal(2, 4, 5)
    stacked.build(x.shape)
    first = layers.LSTM(3, return_sequences=True)
    second = layers.GRU(2, return_sequences=True)
    first.build(x.shape)
    second.build((2, 4, 3))
    first.set_weights(stacked.cell.cells[0].get_weights())
    second.set_weights(stacked.cell.cells[1].get_weights())
    states = [[normal(2, 3), normal(2, 3)], normal(2, 2)]

    @jax.jit
    def run(x, states):
        return (stacked(x), second(first(x)), stacked(x, initial_state=states),
                second(first(x, initial_state=states[0]), initial_state=states[1]))

    plain, layered, from_states, layered_from_states = run(x, states)
    assert_close(plain, layered, rtol=1e-5, atol=1e-5)
    assert_close(from_states, layered_from_states, rtol=1e-5, atol=1e-5)
    training = stacked.stateless_call([v.value for v in stacked.trainable_variables],
                                      [v.value for v in stacked.non_trainable_variables], x,
                                      training=True)[0]
    assert not np.allclose(training, plain)


def test_stacked_cells_config_loads_both_ways_and_errors():
    layer = layers.StackedRNNCells(cells(jkeras))
    config = layer.get_config()
    assert [c["class_name"] for c in config["cells"]] == ["SimpleRNNCell", "LSTMCell", "GRUCell"]
    theirs = keras.layers.StackedRNNCells.from_config(dict(config))
    assert [type(c).__name__ for c in theirs.cells] == ["SimpleRNNCell", "LSTMCell", "GRUCell"]
    ours = layers.StackedRNNCells.from_config(theirs.get_config())
    assert ours.get_config()["cells"] == config["cells"]
    run_config_test(layers.RNN, {"cell": stack(jkeras), "return_sequences": True},
                    keras_cls=lambda cell, **kw: keras.layers.RNN(stack(keras), **kw))
    with pytest.raises(ValueError, match="must have a `call` method"):
        layers.StackedRNNCells([layers.LSTMCell(2), "cell"])
