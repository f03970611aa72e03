"""`MultiOptimizer`: different optimizers for different variables, and `OptimizerMap`, the
mapping from variable paths (exact or regular expressions) to optimizers it is given."""

import re
from collections.abc import MutableMapping

import jax.numpy as jnp

from jkeras.core import object_registration
from jkeras.core.registry import function_config
from jkeras.optimizers.base_optimizer import Optimizer, _value
from jkeras.optimizers.loss_scale_optimizer import LossScaleOptimizer
from jkeras.optimizers.nesting_optimizer import NestingOptimizer
from jkeras.optimizers.registry import OPTIMIZERS


class OptimizerMap(MutableMapping):
    """Maps variable paths to optimizers, with a default for unmapped variables.

    A key matches a path exactly or, failing that, as a regular expression matched in full
    (`"encoder/.*"` covers every variable under `encoder`).

    Args:
        default_optimizer: the `Optimizer` of variables no key matches.
        optimizer_map: optional dict, key -> `Optimizer`.

    Example:
        >>> optimizer_map = OptimizerMap(jkeras.optimizers.SGD(), {"encoder/.*": Adam()})
        >>> optimizer_map["encoder/dense/kernel"].name
        'adam'
    """

    def __init__(self, default_optimizer, optimizer_map=None):
        if not isinstance(default_optimizer, Optimizer):
            raise TypeError(
                f"default_optimizer must be a Keras Optimizer instance. Received: "
                f"{default_optimizer}"
            )
        if optimizer_map is not None and not isinstance(optimizer_map, dict):
            raise TypeError(f"optimizer_map must be a dictionary. Received: {optimizer_map}")
        self.default_optimizer = default_optimizer
        self._optimizer_map = dict(optimizer_map or {})

    def __getitem__(self, key):
        """The optimizer for path `key`: an exact key, else the one key matching it in full,
        else the default; a ValueError when several keys match."""
        if key in self._optimizer_map:
            return self._optimizer_map[key]
        matches = [pattern for pattern in self._optimizer_map if re.fullmatch(pattern, key)]
        if len(matches) > 1:
            raise ValueError(f"Multiple optimizers assigned to variable {key}.")
        return self._optimizer_map[matches[0]] if matches else self.default_optimizer

    def __setitem__(self, key, optimizer):
        if key in self._optimizer_map:
            raise ValueError(
                f"'{key}' already exists in the OptimizerMap with value "
                f"{self._optimizer_map[key]}. Please make sure to not use duplicated keys."
            )
        if not isinstance(key, str):
            raise ValueError(f"key must be a string. Received: {key}")  # noqa: TRY004 (Keras's)
        check_inner_optimizer(optimizer)
        self._optimizer_map[key] = optimizer

    def __delitem__(self, key):
        del self._optimizer_map[key]

    def __len__(self):
        return len(self._optimizer_map)

    def __iter__(self):
        return iter(self._optimizer_map)

    def __call__(self, variable):
        return self[variable.path]

    def get_config(self):
        return {
            "default_optimizer": OPTIMIZERS.serialize(self.default_optimizer),
            "optimizer_map": {k: OPTIMIZERS.serialize(v) for k, v in self._optimizer_map.items()},
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        def load(entry):
            return OPTIMIZERS.deserialize(entry, custom_objects=custom_objects)

        return cls(load(config["default_optimizer"]),
                   {k: load(v) for k, v in config["optimizer_map"].items()})


def check_inner_optimizer(optimizer):
    """A ValueError (Keras's type) unless `optimizer` can serve inside a `MultiOptimizer`."""
    if not isinstance(optimizer, Optimizer):
        problem = f"must be a Keras Optimizer instance. Received: {optimizer}"
    elif isinstance(optimizer, (LossScaleOptimizer, MultiOptimizer)):
        problem = f"cannot be {type(optimizer).__name__}."
    else:
        return
    raise ValueError(f"optimizer {problem}")


class MultiOptimizer(NestingOptimizer):
    """Delegates each variable to the optimizer an `OptimizerMap` (or a function
    `variable -> Optimizer`) chooses for it.

    Its `variables` are its own `iteration` and `learning_rate` (unused, as in Keras), then
    each inner optimizer's (`optimizers`, in order of appearance); `stateless_apply` is one
    pure step over all of them. `learning_rate` is the inner optimizers' business: reading or
    setting it here raises `AttributeError`.

    Args:
        optimizer_map: an `OptimizerMap`, or a callable `variable -> Optimizer`.
        loss_scale_factor: float or None, set on every inner optimizer.
        name: the optimizer's name.

    Example:
        >>> opt = MultiOptimizer(OptimizerMap(jkeras.optimizers.SGD(), {"dense/.*": Adam()}))
    """

    def __init__(self, optimizer_map, loss_scale_factor=None, name=None):
        self._inner_optimizers = []
        super().__init__(learning_rate=0.0, loss_scale_factor=loss_scale_factor, name=name)
        self._optimizer_map = optimizer_map
        for optimizer in list(getattr(optimizer_map, "values", list)()) + [
            getattr(optimizer_map, "default_optimizer", None)
        ]:
            if optimizer is not None:
                self._add_inner(optimizer)
        self._owner = []  # per built variable: the index of its optimizer

    def _add_inner(self, optimizer):
        if not any(optimizer is o for o in self._inner_optimizers):
            optimizer.loss_scale_factor = self.loss_scale_factor
            self._inner_optimizers.append(optimizer)
        return next(i for i, o in enumerate(self._inner_optimizers) if o is optimizer)

    def build(self, var_list):
        """Ask the map for each variable's optimizer and build each on its variables."""
        if self.built:
            return
        var_list = list(var_list)
        owner = []
        for variable in var_list:
            optimizer = self._optimizer_map(variable)
            check_inner_optimizer(optimizer)
            owner.append(self._add_inner(optimizer))
        for index, optimizer in enumerate(self._inner_optimizers):
            own = [v for v, o in zip(var_list, owner) if o == index]
            if own:
                optimizer.build(own)
        self._trainable_variables, self._owner = var_list, owner
        self.built = True

    @property
    def optimizers(self):
        """The inner optimizers, in the order their variables follow in `variables`."""
        return list(self._inner_optimizers)

    @property
    def variables(self):
        inner = [v for optimizer in self._inner_optimizers for v in optimizer.variables]
        return self._variables[:] + inner

    @property
    def learning_rate(self):
        raise AttributeError(
            "Learning rate cannot be accessed on a MultiOptimizer. Access the learning rate "
            "on the individual sub-optimizers instead."
        )

    @learning_rate.setter
    def learning_rate(self, value):
        raise AttributeError(
            "Learning rate cannot be set on a MultiOptimizer. Set the learning rate on the "
            "individual sub-optimizers instead."
        )

    @property
    def loss_scale_factor(self):
        return self._loss_scale_factor

    @loss_scale_factor.setter
    def loss_scale_factor(self, value):
        self._loss_scale_factor = value
        for optimizer in self._inner_optimizers:
            optimizer.loss_scale_factor = value

    @property
    def iterations(self):
        return self._iterations

    def stateless_apply(self, optimizer_variables, grads, trainable_variables):
        """One pure step: each inner optimizer's `stateless_apply` on its variables.

        Returns:
            `(new_trainable_variables, new_optimizer_variables)`, lists ordered as
            `trainable_variables` and `self.variables`.
        """
        if not self.built:
            raise ValueError("To call `stateless_apply`, MultiOptimizer must be built. You can "
                             "build it via `optimizer.build(trainable_variables)`.")
        optimizer_variables, grads = list(optimizer_variables), list(grads)
        if len(grads) != len(self._owner) or len(trainable_variables) != len(self._owner):
            raise ValueError(
                "Gradients must match trainable variables one-to-one. Received "
                f"{len(grads)} gradients and {len(self._owner)} variables."
            )
        new_params = [_value(p) for p in trainable_variables]
        start = len(self._variables)
        iteration = jnp.asarray(_value(optimizer_variables[0]))
        new_values = [iteration + 1] + optimizer_variables[1:start]
        for index, optimizer in enumerate(self._inner_optimizers):
            count = len(optimizer.variables)
            values = optimizer_variables[start : start + count]
            start += count
            mine = [i for i, o in enumerate(self._owner) if o == index]
            if not mine or all(grads[i] is None for i in mine):
                new_values += values
                continue
            params, values = optimizer.stateless_apply(
                values, [grads[i] for i in mine], [new_params[i] for i in mine]
            )
            for i, param in zip(mine, params):
                new_params[i] = param
            new_values += values
        return new_params, new_values

    def finalize_variable_values(self, var_list):
        positions = {id(v): i for i, v in enumerate(self._trainable_variables)}
        for index, optimizer in enumerate(self._inner_optimizers):
            mine = [v for v in var_list if self._owner[positions[id(v)]] == index]
            if mine:
                optimizer.finalize_variable_values(mine)

    def get_config(self):
        optimizer_map = self._optimizer_map
        if isinstance(optimizer_map, OptimizerMap):
            optimizer_map = OPTIMIZERS.serialize(optimizer_map)
        else:
            optimizer_map = function_config(object_registration.get_registered_name(optimizer_map))
        return {"optimizer_map": optimizer_map, "loss_scale_factor": self.loss_scale_factor,
                "name": self.name}

    def __repr__(self):
        return f"<MultiOptimizer name={self.name}, optimizers={self._inner_optimizers!r}>"

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        entry = config["optimizer_map"]
        if entry.get("class_name") == "function":
            selector = object_registration.get_registered_object(entry["config"], custom_objects)
            if selector is None:
                raise ValueError(
                    f"MultiOptimizer: the optimizer_map function {entry['config']!r} is not "
                    "registered; pass it in `custom_objects` or register it."
                )
            config["optimizer_map"] = selector
        else:
            config["optimizer_map"] = OPTIMIZERS.deserialize(entry, custom_objects)
        return cls(**config)
