"""`PureCore`: a layer as pure functions of explicit state, the mixin `Layer` inherits.

`stateless_call` (Keras 3's name) takes and returns variable values as lists in the order of
`trainable_variables`/`non_trainable_variables`; `init`/`apply`/`get_state` use dicts keyed by
variable path. Both run the layer's `__call__` inside a `StatelessScope`, so no object is
touched and the functions can be jitted, vmapped and differentiated.
"""

from jkeras.core.stateless_scope import StatelessScope


class PureCore:
    """Pure-function API over a `Layer`'s variables (see the module docstring)."""

    def stateless_call(
        self, trainable_variables, non_trainable_variables, *args, return_losses=False, **kwargs
    ):
        """Call the layer as a pure function of explicit variable values (Keras 3's JAX API).

        Args:
            trainable_variables: arrays in the order of `self.trainable_variables`.
            non_trainable_variables: arrays in the order of `self.non_trainable_variables`.
            *args, **kwargs: the call's inputs and options (`training=...`).

        Returns:
            `(outputs, new_non_trainable_variables)` (and the list of losses if requested).
        """
        trainable = self.trainable_variables
        non_trainable = self.non_trainable_variables
        _check_length(self, "trainable_variables", trainable, trainable_variables)
        _check_length(self, "non_trainable_variables", non_trainable, non_trainable_variables)
        mapping = list(zip(trainable, trainable_variables)) + list(
            zip(non_trainable, non_trainable_variables)
        )
        with StatelessScope(mapping) as scope:
            outputs = self(*args, **kwargs)
            # Added losses (activity penalties, add_loss) plus the weight penalties, computed
            # from the given values: the pure forward pass returns every regularization term.
            losses = scope.losses + self.losses if return_losses else None
        new_state = [scope.value_of(v) for v in non_trainable]
        if return_losses:
            return outputs, new_state, losses
        return outputs, new_state

    def init(self, rng, input_shape=None):
        """Create fresh parameters and state from an RNG key, purely.

        Args:
            rng: a JAX key; the same key gives the same parameters.
            input_shape: needed if the layer is not built yet (batch dimension included).

        Returns:
            `(params, state)`: dicts from variable path to array (trainable / the rest).
        """
        if not self.built:
            if input_shape is None:
                raise ValueError(
                    f"Layer '{self.name}' is not built: pass `input_shape` to init()."
                )
            self.build(tuple(input_shape))
        values = {}
        with StatelessScope(rng=rng):
            for variable in self.variables:
                if variable.initializer is None:
                    values[id(variable)] = variable.value
                else:
                    values[id(variable)] = variable.initializer(variable.shape, dtype=variable.dtype)
        params = _by_path(self, self.trainable_variables, values)
        state = _by_path(self, self.non_trainable_variables, values)
        return params, state

    def apply(self, params, state, *args, training=False, rng=None, **kwargs):
        """`(params, state, inputs, training, rng) -> (outputs, new_state)`, purely.

        Args:
            params / state: dicts from variable path to array, as `init` or `get_state` give.
            training: the training flag passed to `call`.
            rng: optional JAX key for dropout and other noise; without it, the layers' seed
                states (in `state`) supply and advance the randomness.
        """
        mapping = _from_path(self, self.trainable_variables, params, "params")
        mapping += _from_path(self, self.non_trainable_variables, state, "state")
        with StatelessScope(mapping, rng=rng) as scope:
            outputs = self(*args, training=training, **kwargs)
        new_state = {v.path: scope.value_of(v) for v in self.non_trainable_variables}
        return outputs, new_state

    def get_state(self):
        """The current `(params, state)` dicts of this layer's variables."""
        values = {id(v): v.value for v in self.variables}
        return (
            _by_path(self, self.trainable_variables, values),
            _by_path(self, self.non_trainable_variables, values),
        )


def _check_length(layer, argument, variables, values):
    if len(values) != len(variables):
        raise ValueError(
            f"Argument `{argument}` of {type(layer).__name__} '{layer.name}'.stateless_call must "
            f"have {len(variables)} elements (one per variable, in the order of "
            f"`{argument}`), received {len(values)}."
        )


def _by_path(layer, variables, values):
    result = {}
    for variable in variables:
        if variable.path in result:
            raise ValueError(
                f"Two variables of '{layer.name}' share the path '{variable.path}': give the "
                "layers unique names to use path-keyed parameter dicts."
            )
        result[variable.path] = values[id(variable)]
    return result


def _from_path(layer, variables, values, argument):
    expected = {v.path for v in variables}
    if set(values) != expected:
        missing = sorted(expected - set(values))
        extra = sorted(set(values) - expected)
        raise ValueError(
            f"`{argument}` for '{layer.name}' does not match its variables. "
            f"Missing: {missing}. Unexpected: {extra}."
        )
    return [(v, values[v.path]) for v in variables]
