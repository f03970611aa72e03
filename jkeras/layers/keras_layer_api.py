"""Keras 3 `Layer` methods outside jkeras's core design, in one mixin of `Layer`: the metrics a
layer holds (`metrics`, `metrics_variables`), the saving hooks
`save_own_variables`/`load_own_variables` (a layer's own weights by index, which a subclass
overrides to save other state), `call_signature_parameters`, and the Keras names that only
raise (`add_metric`, which Keras 3 disabled; `quantized_build` and `quantized_call` of layers
that are not quantizable)."""

import collections
import inspect

from jkeras.metrics.metric import Metric


class KerasLayerAPI:
    """The mixin of `Layer` with these Keras 3 methods."""

    # Every jkeras layer runs under `jax.jit` (Keras 3's flag for layers that cannot).
    supports_jit = True

    @property
    def own_metrics(self):
        """The `Metric`s held in the layer's attributes (lists and dicts of them too), in
        assignment order; not its sublayers'."""
        return self._held(Metric)

    @property
    def metrics(self):
        """As Keras 3: `own_metrics`, then each sublayer's `metrics`."""
        found = self.own_metrics
        for layer in self.sublayers:
            found.extend(layer.metrics)
        return found

    @property
    def metrics_variables(self):
        return [variable for metric in self.metrics for variable in metric.variables]

    def descendant_layers(self):
        """Every layer under this one, in Keras 3's `_flatten_layers` order (depth first,
        each layer's sublayers visited last to first)."""
        found, seen = [], set()
        pending = collections.deque(self.sublayers)
        while pending:
            layer = pending.popleft()
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            found.append(layer)
            pending.extendleft(layer.sublayers)
        return found

    @property
    def call_signature_parameters(self):
        """The names of `call`'s parameters (Keras 3's attribute)."""
        return list(inspect.signature(self.call).parameters)

    def save_own_variables(self, store):
        """Write the layer's own weights into `store` (a dict-like) under "0", "1", ...
        (trainable ones first, as `weights`); what `save` and `save_weights` store."""
        for index, variable in enumerate(self.own_weights):
            store[str(index)] = variable.value

    def load_own_variables(self, store):
        """Assign the layer's own weights from `store`, as `save_own_variables` wrote it."""
        variables = self.own_weights
        if len(store.keys()) != len(variables):
            if not variables and not self.built:
                raise ValueError(
                    f"Layer '{self.name}' was never built and thus it doesn't have any "
                    f"variables. However the weights file lists {len(store.keys())} variables "
                    "for this layer. Its `build()` (or its parent's) must create all its "
                    "state, or it needs a `build_from_config(config)` to rebuild it on "
                    "loading."
                )
            raise ValueError(
                f"Layer '{self.name}' expected {len(variables)} variables, but received "
                f"{len(store.keys())} variables during loading. Expected: "
                f"{[v.name for v in variables]}"
            )
        for index, variable in enumerate(variables):
            variable.assign(store[str(index)])

    def add_metric(self, *args, **kwargs):
        """Disabled, as in Keras 3."""
        raise NotImplementedError(
            "Layer `add_metric()` method is deprecated. Add your metric in "
            "`Model.compile(metrics=[...])`, or create metric trackers in init() or build() "
            "when subclassing the layer or model, then call `metric.update_state()` whenever "
            "necessary."
        )

    def quantized_build(self, input_shape, mode):
        """Build a quantizable layer's quantized weights (the quantizable layers implement
        it)."""
        raise NotImplementedError(
            f"Layer {type(self).__name__} does not have a `quantized_build()` method: it is "
            "not quantizable."
        )

    def quantized_call(self, *args, **kwargs):
        """The call of a quantized layer; only quantizable layers have one."""
        raise NotImplementedError(
            f"Layer {type(self).__name__} does not have a `quantized_call()` method: it is "
            "not quantizable."
        )
