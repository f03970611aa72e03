"""`Model.quantize("gptq"/"awq")`: post-training quantization calibrated block by block.

The structure (`config.quantization_layer_structure`, else
`model.get_quantization_layer_structure(mode)`) names the `pre_block_layers` (e.g. the token
embedding) and the `sequential_blocks` (e.g. the transformer layers). The calibration windows
(`quantizers.calibration_data`) go through the pre-block layers, then through each block in
turn: the block's Dense and EinsumDense layers record their inputs while it runs in float
(GPTQ: each layer's Hessian; AWQ: each input channel's largest activation), are quantized
from them, and the quantized block's outputs feed the next block. Layers outside the blocks
are not changed.
"""

import contextlib
import functools
import warnings

import jax.numpy as jnp

from jkeras.layers.core.dense import Dense
from jkeras.layers.core.einsum_dense import EinsumDense
from jkeras.quantizers import awq, gptq
from jkeras.quantizers.calibration_data import calibration_windows
from jkeras.quantizers.utils import should_quantize_layer
from jkeras.utils.progbar import Progbar

# Columns per GPTQ block (Keras's `quantize_and_correct_layer` default).
GPTQ_BLOCK_SIZE = 128


def leaf_layers(layer):
    """The layers without sublayers under `layer`, depth first."""
    found = []
    for sublayer in layer.sublayers:
        found += leaf_layers(sublayer) if sublayer.sublayers else [sublayer]
    return found


def quantization_structure(model, config):
    """The `{"pre_block_layers": [...], "sequential_blocks": [...]}` to calibrate through."""
    mode = config.mode
    structure = config.quantization_layer_structure
    if structure is None:
        structure = model.get_quantization_layer_structure(mode)
    if structure is None:
        raise ValueError(
            f"For {mode=}, a valid quantization structure must be provided either via "
            "`config.quantization_layer_structure` or by overriding "
            "`model.get_quantization_layer_structure(mode)`. The structure should be a "
            "dictionary with keys 'pre_block_layers' and 'sequential_blocks'."
        )
    if not hasattr(structure, "get"):
        raise ValueError(
            f"The {mode} quantization structure must be a dictionary with keys "
            f"'pre_block_layers' and 'sequential_blocks'. Received: {structure!r}"
        )
    return structure


def _calibration_inputs(structure, config):
    """The calibration windows through the pre-block layers (checks first, as Keras)."""
    if config.dataset is None or config.tokenizer is None:
        if config.mode == "gptq":
            raise ValueError("GPTQ quantization requires a dataset and a tokenizer. Please "
                             "provide them in the `GPTQConfig`.")
        raise ValueError("AWQ quantization requires a dataset and tokenizer. Please provide "
                         "them in the AWQConfig.")
    windows = calibration_windows(config.tokenizer, config.sequence_length, config.dataset,
                                  num_samples=config.num_samples)
    if not structure.get("sequential_blocks", []):
        where = "the provided structure" if config.mode == "gptq" else "the structure"
        raise ValueError(f"No sequential blocks found in {where} to quantize.")
    inputs = []
    for window in windows:
        batch = jnp.asarray(window, "int32")
        for layer in structure.get("pre_block_layers", []):
            batch = layer(batch)
        inputs.append(batch)
    return inputs


def _prepare_blocks(blocks, config, filters, type_check):
    """`layer.quantize(mode)` on the selected leaf layers of each block (unsupported ones
    warn, as in Keras); returns each block's layers to calibrate."""
    # What the layers keep: the settings, not the data (nor the structure, which holds layers
    # and cannot be serialized).
    settings = type(config).from_config(
        {**config.get_config(), "quantization_layer_structure": None})
    targets, seen = [], set()
    for block in blocks:
        found = []
        for layer in leaf_layers(block) if block.sublayers else [block]:
            if id(layer) in seen or not should_quantize_layer(layer, filters):
                continue
            seen.add(id(layer))
            try:
                layer.quantize(config.mode, type_check=type_check, config=settings)
            except NotImplementedError as error:
                warnings.warn(str(error), stacklevel=3)
                continue
            if isinstance(layer, (Dense, EinsumDense)):
                found.append(layer)
        targets.append(found)
    return targets


@contextlib.contextmanager
def recording_inputs(layers, statistics):
    """While active, each layer (prepared by `quantize("gptq"/"awq")`, not yet calibrated)
    passes its inputs, as rows of its kernel matrix's input size, to its statistic's
    `update`."""
    try:
        for layer, statistic in zip(layers, statistics):
            rows = layer.calibrated_shape[1]
            layer.input_observer = functools.partial(_observe, statistic, rows)
        yield
    finally:
        for layer in layers:
            layer.input_observer = None


def _observe(statistic, rows, inputs):
    statistic.update(jnp.reshape(inputs, (-1, rows)))


class _ActivationMaxima:
    """AWQ's statistic: each input channel's largest `|x|`."""

    def __init__(self, features):
        self.magnitudes = jnp.zeros((features,), "float32")

    def update(self, inputs):
        self.magnitudes = awq.update_activation_magnitudes(self.magnitudes, inputs)


def calibration_statistic(layer, mode):
    """A fresh statistic of `layer`'s inputs: GPTQ's `HessianAccumulator` (`.hessian`) or
    AWQ's activation maxima (`.magnitudes`)."""
    rows = layer.calibrated_shape[1]
    return gptq.HessianAccumulator(rows) if mode == "gptq" else _ActivationMaxima(rows)


def gptq_quantize_layer(layer, hessian, config):
    """Quantize `layer`'s kernel by GPTQ from its inputs' Hessian and set its variables."""
    hessian = gptq.dampened_hessian(hessian, config.hessian_damping)
    parameters = functools.partial(
        gptq.quantization_parameters, bits=config.weight_bits, symmetric=config.symmetric,
        per_channel=config.per_channel, group_size=config.group_size,
        compute_dtype=layer.variable_dtype)
    quantized, scale, zero, g_idx = gptq.gptq_quantize_matrix(
        layer.calibration_matrix().T, jnp.linalg.inv(hessian), blocksize=GPTQ_BLOCK_SIZE,
        group_size=config.group_size, activation_order=config.activation_order,
        order_metric=jnp.diagonal(hessian), compute_scale_zero=parameters)
    layer.set_calibrated_weights(quantized, scale, zero, g_idx)


def awq_quantize_layer(layer, magnitudes, config):
    """Quantize `layer`'s kernel by AWQ from its inputs' largest magnitudes and set its
    variables."""
    quantized, scale, zero, awq_scales, g_idx = awq.awq_quantize_matrix(
        layer.calibration_matrix().T, magnitudes, num_grid_points=config.num_grid_points,
        group_size=config.group_size)
    layer.set_calibrated_weights(quantized, scale, zero, g_idx, awq_scales)


def _calibrate_block(block, layers, inputs, config):
    statistics = [calibration_statistic(layer, config.mode) for layer in layers]
    with recording_inputs(layers, statistics):
        for batch in inputs:
            block(batch)
    for layer, statistic in zip(layers, statistics):
        if config.mode == "gptq":
            gptq_quantize_layer(layer, statistic.hessian, config)
        else:
            awq_quantize_layer(layer, statistic.magnitudes, config)


def quantize_calibrated(model, config, filters=None, type_check=True):
    """Quantize `model`'s blocks by GPTQ or AWQ (`config.mode`) from `config`'s dataset (see
    the module docstring)."""
    structure = quantization_structure(model, config)
    inputs = _calibration_inputs(structure, config)
    blocks = list(structure["sequential_blocks"])
    targets = _prepare_blocks(blocks, config, filters, type_check)
    inputs = inputs[:config.num_samples]
    progress = Progbar(target=len(blocks))
    for index, (block, layers) in enumerate(zip(blocks, targets)):
        batches = [x[None] if x.ndim == 2 else x for x in inputs]
        if layers:
            _calibrate_block(block, layers, batches, config)
        if index < len(blocks) - 1:
            inputs = [block(batch)[0] for batch in batches]
        progress.update(index + 1)
