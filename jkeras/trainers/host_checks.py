"""Checks of host (numpy) inputs that compiled steps could not make: run once per
`fit`/`evaluate`/`predict` call, before any step, on the whole arrays."""

import numpy as np

from jkeras.core.keras_tensor import KerasTensor


def check_host_inputs(model, x):
    """Hand each layer of `model` that reads a numpy input as it is that array, to check
    (`Layer.check_host_input`: e.g. an Embedding's index range); inside a compiled step a
    bad value cannot raise.

    Such a layer was called once, symbolically, on a tensor no layer produced: an input of a
    functional model (matched to its array of `x`), or the first layer of a Sequential model
    or any model whose `x` is one array. Layers called several times, or on computed tensors,
    are left to the documented traced behaviour."""
    inputs = getattr(model, "inputs", None) or []  # a functional model's input tensors
    if isinstance(x, np.ndarray):
        values = {None: x}
    elif isinstance(x, dict) and inputs:
        values = {id(t): x.get(name) for t, name in zip(inputs, model.input_names)}
    elif isinstance(x, (list, tuple)) and len(x) == len(inputs):
        values = {id(t): value for t, value in zip(inputs, x)}
    else:
        return
    for layer in model.layers:
        try:
            source = layer.input
        except AttributeError:  # never, or more than once, called on symbolic tensors
            continue
        if not isinstance(source, KerasTensor) or source.node is not None:
            continue
        value = values.get(id(source), values.get(None))
        if isinstance(value, np.ndarray):
            layer.check_host_input(value)
