"""`JaxLayer`: a pure JAX model, `call_fn(params, state, rng, inputs, training)`, as a layer.

The params and state pytrees become the layer's trainable and non-trainable variables (one
per array leaf, in `jax.tree_util` order), so `fit` trains the params, the compiled step
threads the state, and `.keras` / `.weights.h5` files store them as Keras 3 does.
"""

import inspect

import jax
import jax.numpy as jnp
import numpy as np

from jkeras.core.variable import standardize_dtype
from jkeras.layers.function_config import deserialize_function, serialize_function
from jkeras.layers.layer import Layer
from jkeras.random.seed_generator import SeedGenerator, draw_key


def _is_float(dtype):
    return jnp.issubdtype(jnp.dtype(dtype), jnp.floating)


def _is_shape(value):
    return isinstance(value, (tuple, list)) and all(
        d is None or isinstance(d, (int, np.integer)) for d in value)


def _key_name(path):
    """A variable name from a pytree key path (`params/Dense_0/kernel`)."""
    parts = []
    for entry in path:
        for attribute in ("key", "idx", "name"):
            if hasattr(entry, attribute):
                parts.append(str(getattr(entry, attribute)))
                break
    return "/".join(parts) or "variable"


def validate_signature(fn, fn_name, allowed, required):
    """The parameter names of `fn`, checked against Keras's rules: every one in `allowed`,
    every `required` one present (ValueErrors naming the function and argument)."""
    parameters = inspect.signature(fn).parameters
    for name in required:
        if name not in parameters:
            raise ValueError(f"Missing required argument in `{fn_name}`: `{name}`")
    for name in parameters:
        if name not in allowed:
            raise ValueError(
                f"Unsupported argument in `{fn_name}`: `{name}`, supported arguments are "
                f"`{'`, `'.join(sorted(allowed))}`"
            )
    return list(parameters)


class JaxLayer(Layer):
    """A layer that runs a JAX function, with its params trained and its state kept by
    jkeras.

    `call_fn` takes arguments with these exact names, in any order: `params` (trainable
    pytree), `state` (optional, non-trainable pytree; `call_fn` then returns
    `(outputs, new_state)`), `rng` (optional: a `jax.random.PRNGKey` in training, None in
    inference), `inputs` (required: an array or a pytree of arrays) and `training` (optional).
    `init_fn(rng, inputs[, training])` returns the initial params (and state, as a tuple, when
    `call_fn` takes one); it is called at build with ones of the input shapes (unknown sizes
    as 1) and `training=True`. Alternatively pass `params` / `state` directly.

    Args:
        call_fn: the model function, as above.
        init_fn: the initializer, as above; required unless `params`/`state` are given.
        params: initial trainable pytree (leaves: arrays or Python numbers; other leaves are
            kept as configuration).
        state: initial non-trainable pytree.
        seed: int seed of the `rng` passed in training.
        native_serialization_platforms: kept in the config for Keras compatibility (Keras
            uses it on its TensorFlow backend only).

    Example:
        >>> def call_fn(params, inputs):
        ...     return inputs @ params["w"] + params["b"]
        >>> def init_fn(rng, inputs):
        ...     return {"w": jax.random.normal(rng, (inputs.shape[-1], 4)), "b": jnp.zeros(4)}
        >>> layer = jkeras.layers.JaxLayer(call_fn, init_fn)
        >>> layer(np.ones((2, 3))).shape
        (2, 4)
    """

    def __init__(self, call_fn, init_fn=None, params=None, state=None, seed=None,
                 native_serialization_platforms=None, **kwargs):
        super().__init__(**kwargs)
        self.call_fn = call_fn
        self.init_fn = init_fn
        self.jax2tf_native_serialization_platforms = native_serialization_platforms
        self.params = self.state = None
        self.tracked_params = self._create_variables(params, trainable=True)
        self.tracked_state = self._create_variables(state, trainable=False)
        if self.params is not None or self.state is not None:
            self.built = True
        self.call_fn_arguments = validate_signature(
            call_fn, "call_fn", {"params", "state", "rng", "inputs", "training"}, {"inputs"})
        self.call_fn_has_params = "params" in self.call_fn_arguments
        self.call_fn_has_state = "state" in self.call_fn_arguments
        self.seed_generator = SeedGenerator(seed) if "rng" in self.call_fn_arguments else None
        if (init_fn is None and params is None and state is None
                and (self.call_fn_has_params or self.call_fn_has_state)):
            raise ValueError(
                "`init_fn`, `params` and `state` cannot all be `None` when `call_fn` takes a "
                "`params` or a `state` argument."
            )
        if init_fn is not None:
            self.init_fn_arguments = validate_signature(
                init_fn, "init_fn", {"rng", "inputs", "training"}, {"inputs"})

    def _create_variables(self, values, trainable):
        """Variables for the array and number leaves of `values`, set as `self.params` (or
        `self.state`) in the same structure; returns them as a flat list."""

        def create(path, value):
            if isinstance(value, (np.ndarray, np.generic, jax.Array)):
                dtype = None if _is_float(value.dtype) else standardize_dtype(value.dtype)
                shape = value.shape
            elif isinstance(value, (bool, int, float)):
                kind = {bool: "bool", int: "int32", float: None}[type(value)]
                dtype, shape, value = kind, (), np.asarray(value)
            else:
                return value  # configuration, not a weight
            return self.add_weight(shape, initializer=value, dtype=dtype, trainable=trainable,
                                   name=_key_name(path))

        variables = jax.tree_util.tree_map_with_path(create, values)
        if trainable:
            self.params = variables
        else:
            self.state = variables
        return jax.tree_util.tree_leaves(variables)

    def _init_rng(self):
        """The `rng` passed to `init_fn`: a key drawn from the global generator."""
        return jax.random.key_data(draw_key(None))

    def _call_rng(self, training):
        """The `rng` passed to `call_fn`: a fresh key in training, None in inference."""
        return jax.random.key_data(self.seed_generator.next()) if training else None

    def build(self, input_shape):
        if self.params is not None or self.state is not None:
            return
        if not (self.call_fn_has_params or self.call_fn_has_state):
            return
        inputs = jax.tree_util.tree_map(
            lambda shape: jnp.ones([1 if d is None else d for d in shape]),
            input_shape, is_leaf=_is_shape)
        arguments = {"rng": self._init_rng(), "inputs": inputs, "training": True}
        result = self.init_fn(*[arguments[name] for name in self.init_fn_arguments])
        params, state = result if self.call_fn_has_state else (result, None)
        self.tracked_params = self._create_variables(params, trainable=True)
        self.tracked_state = self._create_variables(state, trainable=False)

    def call(self, inputs, training=False):
        def values(tree):
            return jax.tree_util.tree_map(
                lambda v: v.value if hasattr(v, "assign") else v, tree)

        arguments = {
            "params": values(self.params),
            "state": values(self.state),
            "inputs": inputs,
            "training": training,
        }
        if "rng" in self.call_fn_arguments:
            arguments["rng"] = self._call_rng(training)
        outputs = self.call_fn(*[arguments[name] for name in self.call_fn_arguments])
        if not self.call_fn_has_state:
            return outputs
        outputs, new_state = outputs
        jax.tree_util.tree_map(_assign_state, new_state, self.state)
        return outputs

    def get_config(self):
        return {
            **super().get_config(),
            **self._functions_config(),
            "native_serialization_platforms": self.jax2tf_native_serialization_platforms,
        }

    def _functions_config(self):
        """The config entries of `call_fn` and `init_fn` (functions written by name)."""
        owner = f"{type(self).__name__} '{self.name}'"
        init_fn = None if self.init_fn is None else serialize_function(self.init_fn, owner)
        return {"call_fn": serialize_function(self.call_fn, owner), "init_fn": init_fn}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        for name in ("call_fn", "init_fn"):
            if config.get(name) is not None:
                config[name] = deserialize_function(config[name], custom_objects, cls.__name__)
        return cls(**config)


def _assign_state(value, variable):
    if not hasattr(variable, "assign"):
        raise ValueError(
            "Structure mismatch: the structure of the state returned by `call` does not match "
            "the structure of the state at initialization time."
        )
    variable.assign(value)
