"""`Metric`: accumulated state (non-trainable variables) with an object API and a pure API.

Subclasses are written the Keras way — `update_state` calls `assign_add` on variables made
with `add_variable`, `result` reads them. The stateless methods turn that code into pure
functions of a list of arrays by running it inside a `StatelessScope`, once, here in the base
class; so every metric, user subclasses included, works inside `jax.jit`.
"""

import jax.numpy as jnp

from jkeras import initializers
from jkeras.core import naming
from jkeras.core.stateless_scope import StatelessScope
from jkeras.core.variable import Variable, standardize_dtype
from jkeras.initializers.constant_initializers import filled
from jkeras.losses.loss import compute_dtype


def _initial_value(initializer, shape, dtype):
    if initializer is None or (isinstance(initializer, str) and initializer == "zeros"):
        return filled(shape, 0, dtype)
    if isinstance(initializer, str) and initializer == "ones":
        return filled(shape, 1, dtype)
    if isinstance(initializer, (int, float)):
        return filled(shape, initializer, dtype)
    if isinstance(initializer, str):
        initializer = initializers.get(initializer)
    if callable(initializer):
        return jnp.asarray(initializer(shape, dtype=dtype), dtype)
    return jnp.broadcast_to(jnp.asarray(initializer, dtype), shape)


class Metric:
    """Metric base class: subclass it and implement `update_state` and `result`.

    Args:
        dtype: the dtype of the metric's computations and (by default) variables;
            defaults to `jkeras.config.floatx()`.
        name: the metric name; defaults to the snake-cased class name, made unique.

    Example:
        >>> class RootMeanSquaredError(Metric):
        ...     def __init__(self, name="rmse", **kwargs):
        ...         super().__init__(name=name, **kwargs)
        ...         self.mse_sum = self.add_weight(name="mse_sum", initializer="zeros")
        ...         self.total_samples = self.add_weight(name="total_samples", initializer="zeros")
        ...
        ...     def update_state(self, y_true, y_pred, sample_weight=None):
        ...         self.mse_sum.assign_add(jnp.sum(jnp.square(y_true - y_pred)))
        ...         self.total_samples.assign_add(y_pred.shape[0])
        ...
        ...     def result(self):
        ...         return jnp.sqrt(self.mse_sum / self.total_samples)

    The object API (`update_state`, `result`, `reset_state`) mutates the variables; the pure
    API (`stateless_update_state`, `stateless_result`, `stateless_reset_state`) takes and
    returns the list of variable values instead, in the order of `variables`.
    """

    # Whether the result weighs each row by its sample weight alone, so that zero-weight rows
    # change nothing (padded batches, `jkeras.trainers.batch_padding`).
    rows_independent = True

    def __init__(self, dtype=None, name=None):
        self.name = name or naming.auto_name(naming.to_snake_case(type(self).__name__))
        self._dtype = compute_dtype(dtype)
        self._variables = []
        self._metrics = []

    @property
    def direction(self):
        """`"up"` when larger values are better, `"down"` when smaller are, None when unknown
        (what `EarlyStopping(mode="auto")` and `ModelCheckpoint` go by; Keras's
        `_direction`, which subclasses set)."""
        return getattr(self, "_direction", None)

    def __setattr__(self, name, value):
        # Track sub-metrics so that their variables are part of `variables`.
        if name not in ("_variables", "_metrics") and "_metrics" in self.__dict__:
            items = value if isinstance(value, (list, tuple)) else [value]
            for item in items:
                if (
                    isinstance(item, Metric)
                    and item is not self
                    and not any(item is m for m in self._metrics)
                ):
                    self._metrics.append(item)
        super().__setattr__(name, value)

    def _check_super_called(self):
        if "_variables" not in self.__dict__:
            raise RuntimeError(
                f"{type(self).__name__}: you forgot to call `super().__init__()` in the "
                "`__init__()` method. Go add it!"
            )

    @property
    def dtype(self):
        return self._dtype

    @property
    def variables(self):
        """The metric's variables, its own in creation order, then its sub-metrics'."""
        self._check_super_called()
        variables = list(self._variables)
        for metric in self._metrics:
            variables.extend(metric.variables)
        return variables

    def add_variable(self, shape, initializer, dtype=None, aggregation="sum", name=None):
        """Create a non-trainable state variable.

        Args:
            shape: the variable's shape.
            initializer: `"zeros"`, `"ones"`, a number, an initializer name or callable
                `(shape, dtype) -> array`, or an array.
            dtype: the variable's dtype; defaults to `jkeras.config.floatx()`.
            aggregation: how replicas combine it (`"sum"`, `"mean"`, ...); recorded only.
            name: the variable's name.

        Returns:
            The new `Variable`.
        """
        self._check_super_called()
        shape = tuple(shape)
        dtype = standardize_dtype(dtype)
        with naming.name_scope(self.name.replace("/", ">")):
            variable = Variable(
                _initial_value(initializer, shape, dtype), dtype=dtype, trainable=False, name=name
            )
        variable.aggregation = aggregation
        self._variables.append(variable)
        return variable

    def add_weight(self, shape=(), initializer=None, dtype=None, name=None):
        """Alias of `add_variable` with Keras 2's defaults (a scalar of zeros)."""
        return self.add_variable(shape=shape, initializer=initializer, dtype=dtype, name=name)

    def update_state(self, *args, **kwargs):
        """Accumulate statistics for one batch."""
        raise NotImplementedError(f"{type(self).__name__} must implement `update_state`.")

    def result(self):
        """The metric value from the accumulated state."""
        raise NotImplementedError(f"{type(self).__name__} must implement `result`.")

    def reset_state(self):
        """Zero every variable (subclasses override this for other initial values)."""
        for variable in self.variables:
            variable.assign(jnp.zeros(variable.shape, dtype=variable.dtype))

    def __call__(self, *args, **kwargs):
        """`update_state(*args, **kwargs)`, then `result()`."""
        self._check_super_called()
        self.update_state(*args, **kwargs)
        return self.result()

    # The pure API: the object API run inside a `StatelessScope`.

    def _check_metric_variables(self, metric_variables, method):
        variables = self.variables
        if not isinstance(metric_variables, (list, tuple)) or len(metric_variables) != len(
            variables
        ):
            received = (
                f"a list of length {len(metric_variables)}"
                if isinstance(metric_variables, (list, tuple))
                else f"{type(metric_variables).__name__}"
            )
            raise ValueError(
                f"{type(self).__name__}.{method}: argument `metric_variables` must be a list "
                f"of arrays corresponding 1:1 to {type(self).__name__}().variables "
                f"({len(variables)}: {[v.name for v in variables]}). Received {received}."
            )
        return variables

    def stateless_update_state(self, metric_variables, *args, **kwargs):
        """Pure `update_state`: the new variable values, given the current ones.

        Args:
            metric_variables: list of arrays, one per entry of `variables`, in that order.
            *args, **kwargs: the arguments of `update_state`.

        Returns:
            The list of updated variable values.
        """
        variables = self._check_metric_variables(metric_variables, "stateless_update_state")
        with StatelessScope(values=zip(variables, metric_variables)) as scope:
            self.update_state(*args, **kwargs)
        return [scope.value_of(v) for v in variables]

    def stateless_result(self, metric_variables):
        """Pure `result`: the metric value for the given variable values."""
        variables = self._check_metric_variables(metric_variables, "stateless_result")
        with StatelessScope(values=zip(variables, metric_variables)):
            return self.result()

    def stateless_reset_state(self):
        """Pure `reset_state`: the list of initial variable values."""
        variables = self.variables
        with StatelessScope() as scope:
            self.reset_state()
        return [scope.value_of(v) for v in variables]

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"
