"""`FlaxLayer`: a Flax Linen module as a layer (its "params" collection trained by jkeras, the
other collections, e.g. "batch_stats", kept as non-trainable state).

Flax is imported when a `FlaxLayer` is made, so jkeras does not depend on it otherwise.
"""

import importlib
import inspect

from jkeras.core.object_registration import active_custom_objects, get_registered_name
from jkeras.layers.core.jax_layer import JaxLayer
from jkeras.layers.function_config import deserialize_function, serialize_function


class FlaxLayer(JaxLayer):
    """Wraps a `flax.linen.Module` as a layer.

    The module's method `method` (default `__call__`) takes `inputs` (an array or pytree)
    and optionally `training`; a function not defined in the module takes the module as its
    first argument. Variables outside the "params" collection are non-trainable and updated
    by each call (`mutable` is every collection but "params"); in training, the call gets a
    fresh "dropout" RNG.

    Args:
        module: a `flax.linen.Module` instance. To save the layer in a config, the module's
            class needs `get_config` (and `from_config` or a constructor taking the config)
            and must be importable or registered with `register_keras_serializable`.
        method: the method to call (a method of `module`, or a function taking the module
            first); default `__call__`.
        variables: the module's variables as `module.init` returns them; default: `init` at
            build with ones of the input shape.

    Example:
        >>> class MLP(flax.linen.Module):
        ...     @flax.linen.compact
        ...     def __call__(self, inputs):
        ...         return flax.linen.Dense(4)(inputs)
        >>> layer = jkeras.layers.FlaxLayer(MLP())
        >>> layer(np.ones((2, 3))).shape
        (2, 4)
    """

    # Flax's collection filter: no layer, variable or seed generator for the walk to find.
    untracked_attributes = ("_mutable",)

    def __init__(self, module, method=None, variables=None, **kwargs):
        from flax.linen import DenyList  # Flax is optional: imported only by a FlaxLayer

        self.module = module
        self.method = method
        self._mutable = DenyList(["params"])
        signature = inspect.signature(method or module.__call__).parameters
        if "training" in signature:
            call_fn, init_fn = self._apply_with_training, self._init_with_training
        else:
            call_fn, init_fn = self._apply, self._init
        params, state = _split_variables(variables)
        super().__init__(call_fn=call_fn, init_fn=init_fn, params=params, state=state,
                         **kwargs)

    def _apply_with_training(self, params, state, rng, inputs, training):
        return self.module.apply(_merge_variables(params, state), inputs, rngs=rng,
                                 method=self.method, mutable=self._mutable,
                                 training=training)

    def _apply(self, params, state, rng, inputs):
        return self.module.apply(_merge_variables(params, state), inputs, rngs=rng,
                                 method=self.method, mutable=self._mutable)

    def _init_with_training(self, rng, inputs, training):
        return _split_variables(self.module.init(rng, inputs, method=self.method,
                                                 training=training))

    def _init(self, rng, inputs):
        return _split_variables(self.module.init(rng, inputs, method=self.method))

    def _init_rng(self):
        return {"params": super()._init_rng(), "dropout": super()._init_rng()}

    def _call_rng(self, training):
        return {"dropout": super()._call_rng(training)} if training else {}

    def get_config(self):
        method = self.method
        if getattr(method, "__self__", None) is self.module:
            method = method.__name__  # a bound method is written by name
        elif method is not None:
            method = serialize_function(method, f"FlaxLayer '{self.name}'")
        return {**super().get_config(), "module": _serialize_module(self.module, self.name),
                "method": method}

    def _functions_config(self):
        return {}  # `call_fn` and `init_fn` come from the module

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        module = _deserialize_module(config.pop("module"), custom_objects)
        method = config.pop("method", None)
        if isinstance(method, str):
            method = getattr(module, method)
        elif method is not None:
            method = deserialize_function(method, custom_objects, "FlaxLayer")
        return cls(module, method=method, **config)


def _split_variables(variables):
    """`(params, state)` from Flax variables: `{"params": ...}` and the other collections."""
    if variables is None:
        return None, None
    if "params" not in variables:
        return {}, dict(variables)
    if len(variables) == 1:
        return dict(variables), {}
    return ({"params": variables["params"]},
            {k: v for k, v in variables.items() if k != "params"})


def _merge_variables(params, state):
    return {**(params or {}), **(state or {})}


def _serialize_module(module, layer_name):
    cls = type(module)
    if not hasattr(module, "get_config"):
        raise ValueError(
            f"FlaxLayer '{layer_name}' cannot serialize its module {cls.__name__}: the module "
            "class needs a `get_config` method (and `from_config`, or a constructor taking "
            "the config's keys)."
        )
    return {"module": cls.__module__, "class_name": cls.__name__,
            "config": module.get_config(),
            "registered_name": get_registered_name(cls)}


def _deserialize_module(entry, custom_objects):
    objects = active_custom_objects(custom_objects)
    cls = objects.get(entry.get("registered_name")) or objects.get(entry["class_name"])
    if cls is None:
        try:
            cls = getattr(importlib.import_module(entry["module"]), entry["class_name"])
        except (ImportError, AttributeError):
            raise ValueError(
                f"Could not find the Flax module class '{entry['class_name']}' (module "
                f"'{entry['module']}'): register it with `register_keras_serializable` or "
                "pass it in `custom_objects`."
            ) from None
    if hasattr(cls, "from_config"):
        return cls.from_config(entry["config"])
    return cls(**entry["config"])
