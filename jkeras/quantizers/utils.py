"""`should_quantize_layer`: which layers `quantize`'s `filters` select."""

import re


def should_quantize_layer(layer, filters):
    """Whether `filters` select `layer`: None selects all; a regex (or a list of them) is
    searched in the layer's name; a callable is called with the layer."""
    if filters is None:
        return True
    if isinstance(filters, str):
        return bool(re.search(filters, layer.name))
    if isinstance(filters, (list, tuple)):
        return any(re.search(pattern, layer.name) for pattern in filters)
    return bool(filters(layer))
