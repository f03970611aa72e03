"""`Lambda`: wrap a function of arrays as a layer.

Configs name functions, they never contain code. A function is serialized as its module and
qualified name when importing that module and looking the name up gives the function back.
Python lambdas, closures and other local functions cannot be found that way; storing their
bytecode instead (as Keras does) would make loading a config run arbitrary code, so `get_config`
raises a `ValueError` for them, and `from_config` refuses Keras's `"__lambda__"` entries.
"""

import inspect

from jkeras.layers import function_config
from jkeras.layers.layer import Layer


class Lambda(Layer):
    """Applies `function(inputs, **arguments)`.

    For stateless custom operations; a function that needs weights should be a `Layer`
    subclass. The output shape is found by tracing `function`; `output_shape` serves
    `compute_output_shape`.

    Args:
        function: function of the inputs; it gets `mask=` and `training=` if it has
            parameters with those names.
        output_shape: the output shape without the batch dimension (a tuple, or a structure of
            tuples), or a function `input_shape -> output_shape` (batch dimension included).
        mask: None, a mask for the outputs, or a function `(inputs, mask) -> mask`.
        arguments: dict of keyword arguments passed to `function`.

    Input shape: any. Output shape: given by `function`.

    Example:
        >>> layer = jkeras.layers.Lambda(jkeras.ops.square)
        >>> np.asarray(layer(np.array([[2.0, 3.0]])))
        array([[4., 9.]], dtype=float32)

    Config: `get_config` works only for functions importable by module and name (module-level
    functions, not lambdas or closures); it raises a ValueError otherwise, since serializing code
    cannot be done safely. `from_config` looks functions up in `custom_objects` first.
    """

    def rows_independent(self, training):
        return False  # the user's function may combine rows

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(
                f"The `function` argument of Lambda layer '{self.name}' must be callable. "
                f"Received: {function!r}"
            )
        self.arguments = dict(arguments or {})
        self.function = function
        self.supports_masking = mask is not None
        self.mask = mask
        self._output_shape = output_shape
        parameters = _parameters(function)
        self._fn_expects_training_arg = "training" in parameters
        self._fn_expects_mask_arg = "mask" in parameters

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_expects_mask_arg:
            kwargs["mask"] = mask
        if self._fn_expects_training_arg:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            return super().compute_output_shape(input_shape)
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        batch_size = _first_leaf(input_shape)
        return _map_shapes(lambda shape: (batch_size,) + tuple(shape), self._output_shape)

    def compute_mask(self, inputs, previous_mask):
        if callable(self.mask):
            return self.mask(inputs, previous_mask)
        return self.mask

    def get_config(self):
        config_ = {**super().get_config(), "function": self._serialize_function(self.function)}
        if self._output_shape is not None:
            output_shape = self._output_shape
            if callable(output_shape):
                output_shape = self._serialize_function(output_shape)
            config_["output_shape"] = output_shape
        if self.mask is not None:
            if not callable(self.mask):
                raise ValueError(
                    f"Lambda layer '{self.name}' cannot serialize a constant `mask`; pass a "
                    "module-level function `(inputs, mask) -> mask` instead."
                )
            config_["mask"] = self._serialize_function(self.mask)
        config_["arguments"] = dict(self.arguments)
        return config_

    def _serialize_function(self, fn):
        return function_config.serialize_function(fn, f"Lambda layer '{self.name}'")

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["function"] = function_config.deserialize_function(
            config["function"], custom_objects)
        if function_config.is_function_config(config.get("output_shape")):
            config["output_shape"] = function_config.deserialize_function(
                config["output_shape"], custom_objects)
        elif isinstance(config.get("output_shape"), list):
            config["output_shape"] = _to_tuples(config["output_shape"])
        if "mask" in config and config["mask"] is not None:
            config["mask"] = function_config.deserialize_function(config["mask"], custom_objects)
        return cls(**config)


def _parameters(function):
    try:
        return set(inspect.signature(function).parameters)
    except (TypeError, ValueError):  # builtins without a signature
        return set()


def _is_shape(value):
    return isinstance(value, (tuple, list)) and all(
        d is None or isinstance(d, int) for d in value
    )


def _map_shapes(fn, structure):
    if _is_shape(structure):
        return fn(structure)
    if isinstance(structure, dict):
        return {k: _map_shapes(fn, v) for k, v in structure.items()}
    return type(structure)(_map_shapes(fn, v) for v in structure)


def _first_leaf(structure):
    if _is_shape(structure):
        return structure[0] if structure else None
    if isinstance(structure, dict):
        return _first_leaf(next(iter(structure.values())))
    return _first_leaf(structure[0])


def _to_tuples(structure):
    if _is_shape(structure):
        return tuple(structure)
    return [_to_tuples(v) for v in structure]
