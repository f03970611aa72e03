"""`model.quantize("gptq"/"awq")` against Keras 3: from the same float weights and calibration
data, the same quantized variables, outputs, policies and layer configs; the arithmetic on
matrices; `.keras` files; errors; the deliberate differences (docs/differences.md,
Quantization).

Keras 3.15 captures the calibration inputs by patching each layer's `call`, which a
quantized layer never runs (it runs `quantized_call`), so its Hessians and activation
statistics stay empty. The reference here is Keras with that capture moved to
`quantized_call` (`keras_capture`); jkeras records the inputs.

The blocks hold Dense and EinsumDense layers (2-D and both 3-D kernel layouts) joined by
additions, whose float arithmetic is the same in both libraries. Values agree to the order of
float sums (`assert_same_quantization`). Every kernel is an 8 x 8 matrix: Keras runs GPTQ
column by column in eager ops, one compilation per new shape.
"""

import contextlib
import functools
import gc
import json
import warnings

import jax.numpy as jnp
import keras
import numpy as np
import pytest
from keras.src.quantizers import awq as keras_awq
from keras.src.quantizers import awq_core, gptq_core
from keras.src.quantizers import gptq as keras_gptq
from keras.src.quantizers.awq import AWQ as KerasAWQ
from keras.src.quantizers.gptq import GPTQ
from keras.src.quantizers.quantizers import (
    compute_quantization_parameters as keras_parameters,
)

import jkeras
from jkeras.models import calibration
from jkeras.quantizers import awq, gptq
from jkeras.quantizers.calibration_data import calibration_windows
from jkeras.quantizers.zero_point import compute_quantization_parameters

VOCAB, LENGTH, WIDTH = 16, 6, 8
RNG = np.random.default_rng(7)
TOKEN_DATA = [RNG.integers(0, VOCAB, size=(1, 11)) for _ in range(2)]
TEXT_DATA = ["calibration text for the quantizers", "a second, shorter sample"]
TOKENS = RNG.integers(0, VOCAB, size=(4, LENGTH)).astype("int32")


class CharTokenizer:
    """Characters to ids (what `tokenize` of a real tokenizer returns)."""

    def tokenize(self, text):
        return np.array([ord(c) % VOCAB for c in text])


def assert_same_quantization(ours, theirs, packed=False):
    """Equal up to the order of float sums, which XLA:CPU may change from one program to
    another (a matrix product, a mean): floats to 1e-5 relative; integer levels (both halves of
    a packed 4-bit byte) equal, but for a few values one level apart (a value an ulp from a
    rounding boundary, moved by the error feedback)."""
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert (ours.dtype, ours.shape) == (theirs.dtype, theirs.shape)
    if np.issubdtype(ours.dtype, np.floating):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-7)
        return
    ours, theirs = ours.astype(int), theirs.astype(int)
    if packed:
        ours, theirs = np.stack([ours & 15, ours >> 4]), np.stack([theirs & 15, theirs >> 4])
    levels = np.abs(ours - theirs)
    assert levels.max() <= 1 and np.mean(levels > 0) <= 0.05, levels


def _block(module, name):
    layers = module.layers
    inputs = module.Input((LENGTH, WIDTH))
    heads = layers.EinsumDense("abc,cde->abde", (LENGTH, 2, 4), bias_axes="de",
                               name=f"{name}_split")(inputs)  # kernel (in, heads, head_dim)
    merged = layers.EinsumDense("abde,def->abf", (LENGTH, WIDTH),
                                name=f"{name}_merge")(heads)  # kernel (heads, head_dim, out)
    x = layers.Add()([inputs, merged])
    ffn = layers.Dense(WIDTH, activation="relu", name=f"{name}_up")(x)
    ffn = layers.Dense(WIDTH, use_bias=False, name=f"{name}_down")(ffn)
    return module.Model(inputs, layers.Add()([x, ffn]), name=name)


def _structure(model):
    return {"pre_block_layers": [model.get_layer("embedding")],
            "sequential_blocks": [model.get_layer("block1"), model.get_layer("block2")]}


@jkeras.saving.register_keras_serializable("calibration_test")
class LanguageModel(jkeras.Model):
    def get_quantization_layer_structure(self, mode=None):
        return _structure(self)


def _keras_language_model():
    class LanguageModel(keras.Model):  # the name jkeras's files hold
        def get_quantization_layer_structure(self, mode=None):
            return _structure(self)

    return keras.saving.register_keras_serializable("calibration_test")(LanguageModel)


KerasLanguageModel = _keras_language_model()


def _model(module, weights=None):
    tokens = module.Input((LENGTH,), dtype="int32")
    x = module.layers.Embedding(VOCAB, WIDTH, name="embedding")(tokens)
    x = _block(module, "block2")(_block(module, "block1")(x))
    outputs = module.layers.Dense(VOCAB, name="head")(x)
    model = (LanguageModel if module is jkeras else KerasLanguageModel)(tokens, outputs)
    if weights is not None:
        model.set_weights(weights)
    return model


@contextlib.contextmanager
def keras_capture(layers, statistics, update):
    """Keras's `stream_hessians`/`stream_activations` on the method a quantized layer runs."""
    for name, layer in layers.items():
        def hook(*args, _call=layer.quantized_call, _name=name, **kwargs):
            inputs = args[0] if args else kwargs["inputs"]
            rows = statistics[_name].rows
            getattr(statistics[_name], update)(keras.ops.reshape(inputs, (-1, rows)))
            return _call(*args, **kwargs)

        layer.quantized_call = hook
    try:
        yield
    finally:
        for layer in layers.values():
            del layer.quantized_call


CONFIGS = {  # "text": string samples through the tokenizer, else token arrays
    "gptq-groups-act-order-text": ("gptq", {"group_size": 4, "activation_order": True}),
    "awq-groups-text": ("awq", {"group_size": 4, "num_grid_points": 5}),
}  # 8 bits: the transformer test; other grids, blocks, per-channel AWQ: on matrices below


def _config(module, mode, arguments, text):
    config_class = module.quantizers.GPTQConfig if mode == "gptq" else module.quantizers.AWQConfig
    dataset = TEXT_DATA if text else TOKEN_DATA
    return config_class(dataset, CharTokenizer(), num_samples=3, sequence_length=LENGTH,
                        **arguments)


def _outputs(model, tokens=TOKENS):
    """An eager call (cheaper than `predict`'s compilation for a few tokens)."""
    return np.asarray(model(tokens))


@functools.cache
def _float_weights():
    shapes = [w.shape for w in _model(jkeras).get_weights()]
    return [RNG.normal(scale=0.5, size=shape).astype("float32") for shape in shapes]


@functools.cache
def _quantized_pair(name):
    """jkeras's and Keras's models quantized with `CONFIGS[name]`, built once per module."""
    mode, arguments = CONFIGS[name]
    text = name.endswith("text")
    ours, theirs = _model(jkeras, _float_weights()), _model(keras, _float_weights())
    expected = (_outputs(ours), _outputs(theirs))
    with warnings.catch_warnings(), pytest.MonkeyPatch.context() as patch:
        warnings.simplefilter("ignore")  # both warn for the layers they cannot quantize
        patch.setattr(gptq_core, "stream_hessians",
                      lambda layers, objects: keras_capture(layers, objects,
                                                            "update_hessian_with_batch"))
        patch.setattr(gc, "collect", lambda *args: 0)  # Keras collects on every `del`
        patch.setattr(awq_core, "stream_activations",
                      lambda layers, objects: keras_capture(layers, objects,
                                                            "update_activation_magnitudes"))
        ours.quantize(mode, config=_config(jkeras, mode, arguments, text))
        theirs.quantize(mode, config=_config(keras, mode, arguments, text))
    return ours, theirs, mode, expected


@pytest.fixture(params=sorted(CONFIGS))
def pair(request):
    return _quantized_pair(request.param)


def _calibrated(model):
    return [layer for block in ("block1", "block2") for layer in model.get_layer(block).layers
            if isinstance(layer, (jkeras.layers.Dense, jkeras.layers.EinsumDense,
                                  keras.layers.Dense, keras.layers.EinsumDense))]


def test_calibrated_variables_outputs_and_configs_match_keras(pair):
    ours, theirs, mode, _ = pair
    for layer, keras_layer in zip(_calibrated(ours), _calibrated(theirs)):
        assert [(v.path, v.dtype, tuple(v.shape)) for v in layer.weights] == [
            (v.path, v.dtype, tuple(v.shape)) for v in keras_layer.weights]
        packed = getattr(layer.dtype_policy, "weight_bits", None) == 4
        for variable, keras_variable in zip(layer.weights, keras_layer.weights):
            assert_same_quantization(variable.value, keras_variable.value,
                                     packed and variable.path.endswith("/kernel"))
        assert layer.dtype_policy.name == keras_layer.dtype_policy.name
        assert layer.get_config() == keras_layer.get_config()
        assert getattr(layer, f"is_{mode}_calibrated")
        assert_same_quantization(layer.kernel, keras_layer.kernel)
    # The same variables compute the same outputs in both libraries.
    for layer, keras_layer in zip(_calibrated(ours), _calibrated(theirs)):
        keras_layer.set_weights(layer.get_weights())
    np.testing.assert_allclose(_outputs(ours), _outputs(theirs), rtol=1e-5, atol=1e-6)


def test_calibration_changes_outputs_a_little(pair):
    ours, _, _, (float_outputs, _) = pair
    quantized = _outputs(ours)
    assert not np.array_equal(quantized, float_outputs)
    agreement = np.mean(quantized.argmax(-1) == float_outputs.argmax(-1))
    assert agreement >= 0.5


def test_layers_outside_the_blocks_stay_float(pair):
    """Deliberate difference: Keras 3 gives them the mode's policy (and empty quantized
    variables, which its files then save) while they keep computing in float."""
    ours, theirs, mode, _ = pair
    assert ours.get_layer("head").dtype_policy.name == "float32"
    assert theirs.get_layer("head").dtype_policy.name.startswith(mode)
    assert ours.get_layer("head").get_config()["quantization_config"] is None


@pytest.mark.parametrize("name", ["gptq-groups-act-order-text", "awq-groups-text"])
def test_quantized_files_load_in_keras_and_keras_files_lack_zero_points(name, tmp_path):
    """jkeras writes Keras's variables in Keras's order, zero points included, so Keras and
    jkeras load its files; Keras 3.15 leaves the zero points out of its own files and then
    cannot load them (deliberate difference: jkeras refuses them with a clear error)."""
    ours, theirs, _, _ = _quantized_pair(name)
    ours.save(tmp_path / "ours.keras")
    expected = _outputs(ours)
    for module in (keras, jkeras):
        loaded = module.saving.load_model(tmp_path / "ours.keras")
        for layer, reference in zip(_calibrated(loaded), _calibrated(ours)):
            assert layer.dtype_policy.name == reference.dtype_policy.name
        np.testing.assert_array_equal(_outputs(loaded), expected)
    theirs.save(tmp_path / "theirs.keras")
    with pytest.raises(ValueError, match="zero points"):
        jkeras.saving.load_model(tmp_path / "theirs.keras")
    with pytest.raises(ValueError, match="expected \\d+ variables, but received \\d+"):
        keras.saving.load_model(tmp_path / "theirs.keras")


# --------------------------------------------------------------------- the arithmetic alone


BATCHES = [RNG.normal(size=(5, WIDTH)).astype("float32"),
           RNG.normal(size=(3, 2, WIDTH)).astype("float32")]


def _keras_dense():
    layer = keras.layers.Dense(WIDTH)
    layer.build((None, WIDTH))
    return layer


def test_calibration_statistics_accumulate_as_keras():
    hessian, maxima = gptq.HessianAccumulator(WIDTH), jnp.zeros((WIDTH,), "float32")
    keras_hessian = GPTQ(_keras_dense())
    keras_maxima = KerasAWQ(_keras_dense(), keras.quantizers.AWQConfig(None, None))
    for batch in BATCHES:
        hessian.update(batch)
        maxima = awq.update_activation_magnitudes(maxima, batch)
        keras_hessian.update_hessian_with_batch(batch)
        keras_maxima.update_activation_magnitudes(batch)
    assert hessian.num_samples == keras_hessian.num_samples == 11
    assert_same_quantization(hessian.hessian, keras_hessian.hessian)
    np.testing.assert_array_equal(maxima, keras_maxima.activation_magnitudes)
    for bad, message in ((None, "cannot be None"), (np.zeros((0, WIDTH)), "cannot be empty"),
                         (np.ones(WIDTH), "rank >= 2"), (np.ones((2, 3)), "match input")):
        for update in (hessian.update, keras_hessian.update_hessian_with_batch):
            with pytest.raises(ValueError, match=message):
                update(bad)


def _inverse_hessian():
    inputs = RNG.normal(size=(40, WIDTH)).astype("float32")
    hessian = gptq.dampened_hessian(2 / 40 * inputs.T @ inputs, 0.01)
    return np.asarray(jnp.linalg.inv(hessian)), np.diagonal(hessian)


def _matrix_arguments(module, **arguments):
    config = module.quantizers.GPTQConfig(None, None, **arguments)
    parameters = keras_parameters if module is keras else compute_quantization_parameters
    parameters = functools.partial(parameters, bits=config.weight_bits,
                                   symmetric=config.symmetric,
                                   per_channel=config.per_channel, group_size=config.group_size)
    return {"group_size": config.group_size, "activation_order": config.activation_order,
            "compute_scale_zero": parameters}


def test_gptq_matrix_blocks_match_keras():
    """Blocks of 4 columns: each block's error corrects the later blocks' weights, from which
    their groups' parameters come; 8 bits, one symmetric grid per group for all rows."""
    weights = RNG.normal(size=(WIDTH, WIDTH)).astype("float32")
    inverse, order = _inverse_hessian()
    arguments = {"weight_bits": 8, "per_channel": False, "symmetric": True, "group_size": 2,
                 "activation_order": True}
    ours = gptq.gptq_quantize_matrix(weights, inverse, blocksize=4, order_metric=order,
                                     **_matrix_arguments(jkeras, **arguments))
    theirs = keras_gptq.gptq_quantize_matrix(weights, inverse, blocksize=4, order_metric=order,
                                             **_matrix_arguments(keras, **arguments))
    for a, b in zip(ours, theirs):
        assert_same_quantization(a, b)


def test_gptq_group_across_blocks_has_one_scale():
    """Deliberate difference: a group that spans two blocks keeps the parameters computed at
    its first column (GPTQ's rule); Keras 3.15 computes them again in the next block and
    returns more scale columns than groups, which its layers then fail to assign."""
    weights = RNG.normal(size=(3, WIDTH)).astype("float32")
    inverse, _ = _inverse_hessian()
    arguments = _matrix_arguments(jkeras, group_size=3)
    _, scale, zero, g_idx = gptq.gptq_quantize_matrix(weights, inverse, blocksize=4,
                                                      **arguments)
    assert scale.shape == zero.shape == (3, 3)  # groups [0, 3), [3, 6), [6, 8)
    expected = compute_quantization_parameters(weights[:, 3:6], bits=4, per_channel=True,
                                               group_size=3)
    np.testing.assert_array_equal(scale[:, 1:2], expected[0])
    np.testing.assert_array_equal(zero[:, 1:2], expected[1])
    np.testing.assert_array_equal(np.floor(g_idx), np.arange(WIDTH) // 3)


def test_awq_per_channel_matrix_matches_keras():
    weights = RNG.normal(size=(WIDTH, WIDTH)).astype("float32")
    magnitudes = np.abs(RNG.normal(size=WIDTH)).astype("float32") * 4
    magnitudes[2] = 0.0  # a dead channel counts as 1
    ours = awq.awq_quantize_matrix(weights, magnitudes, num_grid_points=4, group_size=-1)
    theirs = keras_awq.awq_quantize_matrix(weights, magnitudes, num_grid_points=4,
                                           group_size=-1)
    for a, b in zip(ours, theirs):
        assert_same_quantization(a, b)


# ----------------------------------------------------------------- calibration data, errors


@pytest.mark.parametrize("strategy", ["strided", "linspace", "random"])
def test_calibration_windows_match_keras(strategy):
    for dataset in (TEXT_DATA, TOKEN_DATA):
        arguments = {"num_samples": 5, "strategy": strategy, "eos_id": 3}
        ours = calibration_windows(CharTokenizer(), 7, dataset, **arguments)
        theirs = gptq_core.get_dataloader(CharTokenizer(), 7, dataset, **arguments)
        np.testing.assert_array_equal(ours, theirs)
        assert ours.dtype == theirs.dtype and ours.shape == (5, 1, 7)


def test_calibration_data_errors_match_keras():
    for windows in (calibration_windows, gptq_core.get_dataloader):
        with pytest.raises(TypeError, match="must be an iterable.*Got type: str"):
            windows(CharTokenizer(), 4, "wikitext2")
        with pytest.raises(ValueError, match="Provided dataset is empty"):
            windows(CharTokenizer(), 4, [])
        with pytest.raises(ValueError, match="Unknown strategy: spiral"):
            windows(CharTokenizer(), 4, TOKEN_DATA, strategy="spiral")


def _plain_model(module):
    """A model without `get_quantization_layer_structure`."""
    tokens = module.Input((LENGTH,), dtype="int32")
    return module.Model(tokens, module.layers.Dense(2)(module.layers.Embedding(4, 2)(tokens)))


@pytest.mark.parametrize("case", ["no-config", "base-config", "dict-config", "no-structure",
                                  "no-tokenizer", "no-blocks"])
def test_quantize_errors_match_keras(case):
    def arguments(module, mode="gptq"):
        config_class = getattr(module.quantizers, "GPTQConfig" if mode == "gptq" else
                               "AWQConfig")
        return {
            "no-config": (mode, None),
            "base-config": (mode, module.quantizers.QuantizationConfig()),
            "dict-config": (mode, {"weight_bits": 4}),
            "no-structure": (mode, config_class(TOKEN_DATA, CharTokenizer())),
            "no-tokenizer": (mode, config_class(TOKEN_DATA, None)),
            "no-blocks": (mode, config_class(TOKEN_DATA, CharTokenizer(),
                                             quantization_layer_structure={})),
        }[case]

    for mode in ("gptq", "awq"):
        errors, models = [], []
        for module in (jkeras, keras):
            model = _plain_model(module) if case == "no-structure" else _model(module)
            quantize_mode, config = arguments(module, mode)
            with pytest.raises((ValueError, NotImplementedError)) as info:
                model.quantize(quantize_mode, config=config)
            errors.append((info.type, str(info.value)))
            models.append(model)
        assert errors[0] == errors[1]
        # jkeras checks before changing the model (Keras has quantized its layers by then).
        assert all(layer.quantization_mode is None for layer in models[0].layers)


def test_keras_records_no_calibration_inputs_jkeras_does():
    """Deliberate difference: Keras 3.15's capture patches `call`, which its quantized layers
    never run, so its Hessians and activation maxima stay empty (GPTQ then rounds to nearest,
    AWQ keeps scales of 1); a jkeras layer passes its inputs on."""
    inputs = BATCHES[0]
    for mode, capture, statistic_class in (("gptq", gptq_core.stream_hessians, GPTQ),
                                           ("awq", awq_core.stream_activations, KerasAWQ)):
        config = _config(keras, mode, {}, text=False)
        layer = _keras_dense()
        layer.quantize(mode, config=config)
        statistic = statistic_class(layer, config)
        with capture({"layer": layer}, {"layer": statistic}):
            layer(inputs)
        assert statistic.num_samples == 0
        ours = jkeras.layers.Dense(WIDTH)
        ours.build((None, WIDTH))
        ours.quantize(mode, config=_config(jkeras, mode, {}, text=False))
        statistic = calibration.calibration_statistic(ours, mode)
        with calibration.recording_inputs([ours], [statistic]):
            ours(inputs)
        if mode == "gptq":
            assert statistic.num_samples == len(inputs)
            assert_same_quantization(statistic.hessian, 2 / len(inputs) * inputs.T @ inputs)
        else:
            np.testing.assert_array_equal(statistic.magnitudes, np.abs(inputs).max(axis=0))


@pytest.mark.parametrize("mode, policy", [("gptq", "gptq/2/4"), ("gptq", "gptq/3/-1"),
                                          ("gptq", "gptq/8/4"), ("awq", "awq/4/-1")])
def test_layers_built_from_a_calibrated_policy_match_keras(mode, policy):
    """What loading a file builds: Keras's variables (names, dtypes, shapes, order) for each
    kernel layout; such a layer counts as calibrated once its variables are loaded."""
    for build in (lambda m: m.layers.Dense(6, dtype=f"{policy}_from_float32", name="dense"),
                  lambda m: m.layers.EinsumDense("abc,cde->abde", (LENGTH, 2, 3), name="einsum",
                                                 dtype=f"{policy}_from_float32")):
        built = []
        for module in (jkeras, keras):
            layer = build(module)
            layer.build((None, LENGTH, WIDTH))
            built.append(layer)
        ours, theirs = built
        assert [(v.name, v.dtype, tuple(v.shape)) for v in ours.weights] == [
            (v.name, v.dtype, tuple(v.shape)) for v in theirs.weights]
        assert ours.get_config() == theirs.get_config()
        assert not getattr(ours, f"is_{mode}_calibrated") and ours.kernel is None


def _attention_block(module):
    """GroupQueryAttention and MultiHeadAttention (8 x 8 matrices) then a feed-forward."""
    layers = module.layers
    inputs = module.Input((LENGTH, WIDTH))
    x = layers.Add()([inputs, layers.GroupQueryAttention(4, 2, 2, name="gqa")(inputs, inputs)])
    x = layers.LayerNormalization()(x)
    x = layers.Add()([x, layers.MultiHeadAttention(2, 4, name="mha")(x, x)])
    ffn = layers.Dense(WIDTH, name="ffn_out")(layers.Dense(WIDTH, activation="gelu", name="ffn_in")(x))
    return module.Model(inputs, layers.Add()([x, ffn]), name="block")


def test_gptq_transformer_with_attention():
    """The attention layers' EinsumDense projections are calibrated (those Keras's
    `find_layers_in_block` finds; 8 bits: one value per byte); `filters` leaves a layer float;
    the layers keep a config without the structure given in the config (its layers are not
    serializable: Keras 3 recurses forever serializing such a model)."""
    layers = jkeras.layers
    block = _attention_block(jkeras)
    tokens = jkeras.Input((LENGTH,), dtype="int32")
    embedding = layers.Embedding(VOCAB, WIDTH)
    model = jkeras.Model(tokens, layers.Dense(VOCAB)(block(embedding(tokens))))
    expected = _outputs(model)
    config = jkeras.quantizers.GPTQConfig(
        TEXT_DATA, CharTokenizer(), num_samples=4, sequence_length=LENGTH, group_size=4,
        weight_bits=8,
        quantization_layer_structure={"pre_block_layers": [embedding],
                                      "sequential_blocks": [block]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # LayerNormalization cannot be quantized
        model.quantize("gptq", config=config, filters=lambda layer: layer.name != "ffn_out")
    calibrated = {sub.path for sub in calibration.leaf_layers(block) if sub.quantization_mode}
    assert calibrated == set(gptq_core.find_layers_in_block(_attention_block(keras))) - {"ffn_out"}
    assert {path.split("/")[0] for path in calibrated} == {"gqa", "mha", "ffn_in"}
    quantized = _outputs(model)
    assert np.mean(quantized.argmax(-1) == expected.argmax(-1)) >= 0.5
    attention = [block.get_layer("gqa"), block.get_layer("mha")]
    assert all(sub.quantization_config.quantization_layer_structure is None
               for layer in attention for sub in layer.sublayers if sub.quantization_mode)
    assert "GPTQConfig" in json.dumps(jkeras.saving.serialize_keras_object(model))


def test_lora_is_refused_on_calibrated_layers():
    """As Keras for GPTQ; jkeras refuses AWQ too (no requantization of a merged kernel)."""
    for module in (jkeras, keras):
        layer = module.layers.Dense(4)
        layer.build((None, WIDTH))
        layer.quantize("gptq", config=_config(module, "gptq", {}, text=False))
        with pytest.raises(NotImplementedError,
                           match="lora is not currently supported with GPTQ quantization"):
            layer.enable_lora(2)
    layer = jkeras.layers.EinsumDense("ab,bc->ac", 4)
    layer.build((None, WIDTH))
    layer.enable_lora(2)
    with pytest.raises(NotImplementedError, match="not currently supported with AWQ"):
        layer.quantize("awq", config=_config(jkeras, "awq", {}, text=False))
