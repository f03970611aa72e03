"""`Model(inputs, outputs)`: a model defined by the graph of calls between symbolic tensors."""

import jax
import jax.numpy as jnp
import numpy as np

from jkeras.core.graph import Function, topological_nodes
from jkeras.core.host_staged import HostStaged
from jkeras.core.keras_tensor import KerasTensor, flatten
from jkeras.core.tensor_masks import set_keras_mask
from jkeras.layers.input_spec import InputSpec
from jkeras.layers.layer import Layer
from jkeras.models import host_stage, input_rank
from jkeras.models.functional_config import functional_config
from jkeras.models.model import Model, takes_functional_arguments


class Functional(Function, Model):
    """A model that replays the layer calls recorded from `inputs` to `outputs`.

    Args:
        inputs: a `jkeras.Input` tensor, or a list or dict of them.
        outputs: a symbolic tensor computed from `inputs`, or a list or dict of them.
        name: the model's name.

    Example:
        >>> inputs = jkeras.Input(shape=(784,))
        >>> x = jkeras.layers.Dense(64, activation="relu")(inputs)
        >>> outputs = jkeras.layers.Dense(10, activation="softmax")(x)
        >>> model = jkeras.Model(inputs=inputs, outputs=outputs)
    """

    # Inputs are converted by the layers that consume them (each to its own compute dtype),
    # never to the model's, as in Keras 3.
    _convert_input_args = False
    # The recorded calls, and the layers in Keras's order: the graph, not owned sublayers.
    untracked_attributes = ("_nodes", "_keras_order", "_host_stage")
    __call__ = Model.__call__  # a layer call (Function's replays the graph without one)

    def build(self, input_shape=None):
        """Nothing to do: the graph is built from its inputs. Keras 3 accepts any argument
        here (a shape, or a batch of data, as its distributed-training guide passes)."""
        self.built = True

    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        Model.__init__(self, name=name, trainable=trainable, **kwargs)
        for argument, structure in (("inputs", inputs), ("outputs", outputs)):
            for leaf in jax.tree_util.tree_leaves(
                structure, is_leaf=lambda x: isinstance(x, KerasTensor)
            ):
                if not isinstance(leaf, KerasTensor):
                    raise ValueError(  # noqa: TRY004 (Keras raises ValueError here)
                        f"All `{argument}` of a functional Model must be symbolic tensors "
                        f"created by `jkeras.Input` and layer calls. Received: {leaf!r} "
                        f"(of type {type(leaf).__name__})"
                    )
        self._inputs_struct = _as_list_if_tuple(inputs)
        self._outputs_struct = _as_list_if_tuple(outputs)
        self.inputs = flatten(self._inputs_struct)
        self.outputs = flatten(self._outputs_struct)
        for tensor in self.inputs:
            if getattr(tensor, "input_layer", None) is None:
                raise ValueError(
                    f"Model inputs must come from `jkeras.Input`; {tensor!r} was produced by "
                    f"'{tensor.node.operation.name}'."
                )
        self._nodes = topological_nodes(self.inputs, self.outputs)
        self._host_stage = host_stage.plan_for(self.inputs, self._nodes, self.outputs)
        layers = [t.input_layer for t in self.inputs]
        layers += [n.operation for n in self._nodes if isinstance(n.operation, Layer)]
        self._graph_layers = _unique(layers)
        names = [layer.name for layer in self._graph_layers]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(
                f"The name {duplicates[0]!r} is used {names.count(duplicates[0])} times in the "
                f"model '{self.name}'. All layer names should be unique."
            )
        self._keras_order = [op for op in self.operations if isinstance(op, Layer)]
        self.built = True

    @property
    def sublayers(self):
        """The graph's layers, InputLayers included, in Keras's order (by decreasing depth
        from the outputs), the order Keras saves their weights in."""
        return list(self._keras_order)

    def get_build_config(self):
        return {"input_shape": None}  # as Keras: a functional model is built from its inputs

    def _default_input_signature(self):
        return self._inputs_struct

    def rows_independent(self, training):
        # Operations applied to symbolic tensors (not layers) may reduce over rows.
        return all(isinstance(node.operation, Layer) for node in self._nodes)

    @property
    def layers(self):
        """Every layer of the graph, InputLayers included, in Keras's order: by decreasing
        depth from the outputs, ties in traversal order (a branch's layers are not listed
        in call order)."""
        return list(self._keras_order)

    @property
    def input_names(self):
        return [t.input_layer.name for t in self.inputs]

    @property
    def output_names(self):
        if isinstance(self._outputs_struct, dict):
            return list(self._outputs_struct)
        return [t.node.operation.name for t in self.outputs]

    @property
    def input_spec(self):
        """As Keras 3, unless one was set: an `InputSpec` per `Input` (its shape without the
        batch size, named after it; a rank one more or less passes where the last axis is 1),
        in `inputs` order, by sorted name for a dict of Inputs; None for deeper dicts."""
        manual = getattr(self, "_manual_input_spec", None)
        if manual is not None or getattr(self, "_inputs_struct", None) is None:
            return manual
        structure = self._inputs_struct
        if isinstance(structure, dict):
            if not all(isinstance(x, KerasTensor) for x in structure.values()):
                return None
            return [_input_spec(structure[name], name) for name in sorted(structure)]
        return [_input_spec(x) for x in self.inputs]

    @input_spec.setter
    def input_spec(self, value):
        self._manual_input_spec = value

    @property
    def input(self):
        """The symbolic inputs in the structure the model was built with."""
        return self._inputs_struct

    @property
    def output(self):
        """The symbolic outputs in the structure the model was built with."""
        return self._outputs_struct

    @property
    def input_shape(self):
        shapes = [t.shape for t in self.inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        shapes = [t.shape for t in self.outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    def call(self, inputs, training=None, mask=None):
        """Replay the graph on `inputs`; `mask` (one per input, or None) is attached to them,
        and masks travel with the values from layer to layer
        (`jkeras.layers.mask_propagation`)."""
        nodes = self._nodes
        if isinstance(inputs, HostStaged):  # the host stage ran (`_stage_host_inputs`)
            values = self._host_stage.seed(inputs)
            nodes = self._host_stage.device_nodes
        else:
            flat = [_input_value(v, t)
                    for t, v in zip(self.inputs, self._standardized_inputs(inputs))]
            masks = [None] * len(flat) if mask is None else flatten_masks(mask)
            for value, input_mask in zip(flat, masks):
                set_keras_mask(value, input_mask)
            values = {id(t): v for t, v in zip(self.inputs, flat)}
        for node in nodes:
            args, kwargs = jax.tree_util.tree_map(
                lambda x: values[id(x)] if isinstance(x, KerasTensor) else x,
                (node.args, node.kwargs),
                is_leaf=lambda x: isinstance(x, KerasTensor),
            )
            if training is not None and "training" in kwargs:
                # A call's training flag overrides one recorded in the node (Keras 3 files
                # record each layer's resolved flag, e.g. True for augmentation layers).
                kwargs = {**kwargs, "training": training}
            outputs = node.operation(*args, **kwargs)
            for tensor, value in zip(flatten(node.outputs), jax.tree_util.tree_leaves(outputs)):
                values[id(tensor)] = value
        return jax.tree_util.tree_map(
            lambda t: values[id(t)], self._outputs_struct,
            is_leaf=lambda x: isinstance(x, KerasTensor),
        )

    def _flatten_inputs(self, inputs):
        names = self.input_names
        if isinstance(inputs, dict):
            if isinstance(self._inputs_struct, dict):
                keys = sorted(self._inputs_struct)  # `self.inputs` order (flattened by key)
            else:
                keys = names
            missing = [k for k in keys if k not in inputs]
            if missing:
                raise ValueError(
                    f"Model '{self.name}' is missing inputs {missing}; it expects the keys "
                    f"{keys}, received {sorted(inputs)}."
                )
            return [inputs[k] for k in keys]
        received = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if len(received) != len(self.inputs):
            raise ValueError(
                f"Model '{self.name}' expects {len(self.inputs)} input(s) ({names}), but it "
                f"received {len(received)} input tensors."
            )
        return received

    def _standardized_inputs(self, inputs):
        """The flat inputs, each with its `Input`'s rank (`jkeras.models.input_rank`)."""
        return [input_rank.adjust_rank(value, tensor.shape, tensor.input_layer.name)
                if hasattr(value, "shape") else value
                for tensor, value in zip(self.inputs, self._flatten_inputs(inputs))]

    def _stage_host_inputs(self, x):
        """Run the host stage on raw inputs `x` (see `jkeras.models.host_stage`)."""
        if self._host_stage is None or isinstance(x, HostStaged):
            return x
        self._check_input_shapes(x)
        return self._host_stage.run(self._standardized_inputs(x))

    def _check_input_shapes(self, x):
        if isinstance(x, HostStaged):
            return
        for tensor, value in zip(self.inputs, self._flatten_inputs(x)):
            shape = tuple(getattr(value, "shape", ()))
            expected = tensor.shape
            if not input_rank.compatible(shape, expected):
                raise ValueError(
                    f"Input '{tensor.input_layer.name}' of model '{self.name}' is incompatible "
                    f"with the model: expected shape {expected}, but received input with shape "
                    f"{shape}."
                )

    def get_config(self):
        """The graph's config, or for a subclass with constructor arguments of its own, the
        base layer config (such a subclass writes its arguments in its `get_config`)."""
        if not takes_functional_arguments(type(self)):
            return Model.get_config(self)
        return functional_config(self)


def _input_spec(tensor, name=None):
    return InputSpec(shape=(None,) + tuple(tensor.shape[1:]), allow_last_axis_squeeze=True,
                     name=tensor.input_layer.name if name is None else name)


def _input_value(value, tensor):
    """A model input as the graph takes it: strings stay numpy (host layers read them)."""
    if tensor.dtype == "string":
        return np.asarray(value)
    value = jnp.asarray(value)
    return value.astype(tensor.dtype) if value.dtype != tensor.dtype else value


def _as_list_if_tuple(structure):
    return list(structure) if isinstance(structure, tuple) else structure


def _unique(items):
    seen, out = set(), []
    for item in items:
        if id(item) not in seen:
            seen.add(id(item))
            out.append(item)
    return out


def flatten_masks(mask):
    """A `mask` argument as a flat list, one entry (None for none) per input."""
    return jax.tree_util.tree_leaves(mask, is_leaf=lambda x: x is None or hasattr(x, "shape"))


Model._functional_class = Functional
