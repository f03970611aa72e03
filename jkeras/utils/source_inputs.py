"""`get_source_inputs`: the input tensors a symbolic tensor is computed from."""

from jkeras.core.keras_tensor import KerasTensor


def get_source_inputs(tensor):
    """Returns the list of input tensors necessary to compute `tensor`.

    Walks the recorded graph back from `tensor` to the tensors no node produced (the
    `jkeras.Input`s), each listed once, in the order first reached.

    Args:
        tensor: a `KerasTensor`; anything else is returned unchanged, as in Keras.

    Returns:
        A list of `KerasTensor`s (`[tensor]` for an input itself).
    """
    if not isinstance(tensor, KerasTensor):
        return tensor
    if tensor.node is None:
        return [tensor]
    sources = []
    for parent in tensor.node.input_tensors:
        for source in get_source_inputs(parent):
            if all(source is not seen for seen in sources):
                sources.append(source)
    return sources
