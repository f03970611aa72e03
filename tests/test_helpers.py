"""`tests.helpers.run_layer_test` passes a correct layer and fails each kind of wrong one: every
check it makes can fail."""

import keras
import numpy as np
import pytest

import jkeras
from jkeras import layers
from tests.helpers import assert_close, run_layer_test

FAST = {"run_training_check": False, "run_mixed_precision_check": False}


class OffByOneDense(layers.Dense):
    def call(self, inputs):
        return super().call(inputs) + 1.0


class ConfigLosesUnits(layers.Dense):
    def get_config(self):
        return {**super().get_config(), "units": 1}


class ConfigDrifts(layers.Dense):
    def get_config(self):
        return {**super().get_config(), "units": self.units + 1}


class Float16Kernel(layers.Dense):
    def add_weight(self, *args, **kwargs):
        return super().add_weight(*args, **{**kwargs, "dtype": "float16"})


class Frozen(layers.Dense):
    def call(self, inputs):
        return jkeras.ops.stop_gradient(super().call(inputs))


class Float32Output(layers.Dense):
    def call(self, inputs):
        return jkeras.ops.cast(super().call(inputs), "float32")


def test_a_correct_layer_passes_every_check_and_returns_what_it_built():
    result = run_layer_test(layers.Dense, {"units": 3}, input_shape=(2, 4),
                            expected_output_shape=(2, 3), expected_output_dtype="float32",
                            expected_num_trainable_weights=2, compare_with_keras=True,
                            run_saving_check=True)
    assert isinstance(result.layer, layers.Dense) and result.layer.built
    assert isinstance(result.keras_layer, keras.layers.Dense)
    assert_close(result.output, result.keras_output, rtol=1e-5, atol=1e-5)
    kernel, bias = result.keras_layer.get_weights()
    x = np.random.default_rng(0).standard_normal((2, 4)).astype("float32")
    assert_close(result.keras_output, x @ kernel + bias, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("layer_cls, kwargs, options, message", [
    (OffByOneDense, {}, {"compare_with_keras": True, "keras_cls": keras.layers.Dense},
     "output"),
    (layers.Dense, {}, {"expected_output": np.zeros((2, 3))}, "output"),
    (layers.Dense, {}, {"expected_num_trainable_weights": 3}, "trainable weights: 2, expected 3"),
    (layers.Dense, {}, {"expected_output_shape": (2, 4)}, "symbolic output shapes"),
    (layers.Dense, {}, {"expected_output_dtype": "float16"}, "symbolic output dtypes"),
    (layers.Dense, {}, {"expected_num_losses": 1}, "0 losses, expected 1"),
    (layers.Dense, {}, {"supports_masking": False}, "supports_masking is True"),
    (layers.Dense, {"name": "other"}, {"keras_cls": lambda **kw: keras.layers.Dense(
        **{**kw, "name": "named"})}, "config\\['name'\\]"),
    (ConfigLosesUnits, {}, {"keras_cls": keras.layers.Dense}, "config\\['units'\\] = 1"),
    (ConfigDrifts, {}, {}, "from_config"),
    (Float16Kernel, {}, {"run_mixed_precision_check": True}, "kernel is float16"),
    (Float32Output, {}, {"run_mixed_precision_check": True, "keras_cls": keras.layers.Dense},
     "mixed_float16 output \\(Keras's\\) dtypes float32"),
    (Frozen, {}, {"run_training_check": True}, "changed no weight"),
])
def test_each_check_fails_on_a_wrong_layer(layer_cls, kwargs, options, message):
    with pytest.raises(AssertionError, match=message):
        run_layer_test(layer_cls, {"units": 3, **kwargs}, input_shape=(2, 4),
                       **{**FAST, **options})


def test_weights_from_keras_and_keyword_inputs():
    result = run_layer_test(
        layers.MultiHeadAttention, {"num_heads": 2, "key_dim": 2,
                                    "kernel_initializer": "zeros"},  # perturbed when copied
        input_shape={"query_shape": (2, 3, 4), "value_shape": (2, 5, 4)},
        call_kwargs={"return_attention_scores": True}, compare_with_keras=True,
        weights_from="keras", run_training_check=False,
        # Keras's symbolic scores have the query's length twice: (2, 2, 3, 3).
        expected_output_shape=((2, 3, 4), (2, 2, 3, 5)))
    _, scores = result.output
    assert_close(np.sum(scores, axis=-1), np.ones((2, 2, 3)), rtol=1e-5, atol=1e-5)


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="exactly one of"):
        run_layer_test(layers.Dense, {"units": 2})
    with pytest.raises(ValueError, match="no class to compare"):
        run_layer_test(OffByOneDense, {"units": 2}, input_shape=(2, 3), compare_with_keras=True)
    with pytest.raises(ValueError, match="weights_from"):
        run_layer_test(layers.Dense, {"units": 2}, input_shape=(2, 3), weights_from="torch")
