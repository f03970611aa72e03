"""`Sequential`: a linear stack of layers."""

import numpy as np

from jkeras.core.graph import LayerStack
from jkeras.core.host_staged import HostStaged
from jkeras.core.keras_tensor import KerasTensor
from jkeras.core.tensor_masks import set_keras_mask
from jkeras.layers import registry
from jkeras.layers.core.input_layer import InputLayer
from jkeras.layers.layer import Layer
from jkeras.models import host_stage, input_rank
from jkeras.models.model import Model


class Sequential(LayerStack, Model):
    """A plain stack of layers, each with one input and one output.

    Args:
        layers: optional list of layers (a first `jkeras.Input(...)` or a layer with
            `input_shape=` declares the input and builds the model at once).
        trainable: whether the model's weights are trainable.
        name: the model's name.

    Example:
        >>> model = jkeras.Sequential([
        ...     jkeras.layers.Dense(512, activation="relu"),
        ...     jkeras.layers.Dense(10, activation="softmax"),
        ... ])
        >>> model.build((None, 784))
    """

    # Inputs are converted by the layers that consume them (each to its own compute dtype),
    # never to the model's, as in Keras 3.
    _convert_input_args = False
    # The symbolic input and output of the build: a graph's ends, not owned state.
    untracked_attributes = ("_symbolic_ends",)

    def __init__(self, layers=None, trainable=True, name=None):
        super().__init__(trainable=trainable, name=name)
        self._stack = []
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._maybe_build_from_input()

    def add(self, layer, rebuild=True):
        """Append a layer (or a `jkeras.Input` tensor as the first element)."""
        if isinstance(layer, KerasTensor) and getattr(layer, "input_layer", None) is not None:
            layer = layer.input_layer
        if not isinstance(layer, Layer):
            raise ValueError(
                "Only instances of `jkeras.Layer` can be added to a Sequential model. "
                f"Received: {layer!r} (of type {type(layer).__name__})"
            )
        if isinstance(layer, InputLayer) and self._stack:
            raise ValueError(
                f"Sequential model '{self.name}': an InputLayer can only be the first layer."
            )
        if not self._stack and layer.batch_input_shape is not None:
            self._stack.append(InputLayer(batch_shape=layer.batch_input_shape))
        names = {existing.name for existing in self._stack}
        if layer.name in names:
            raise ValueError(
                f"All layers added to a Sequential model should have unique names. Name "
                f"'{layer.name}' is already the name of a layer in this model. Update the "
                "`name` argument to pass a unique name."
            )
        self._stack.append(layer)
        if rebuild:
            self.built = False
            self._maybe_build_from_input()

    def pop(self, rebuild=True):
        """Remove and return the last layer."""
        if not self.layers:
            raise TypeError("There are no layers in the model.")
        layer = self._stack.pop()
        self.built = False
        if rebuild:
            self._maybe_build_from_input()
        return layer

    @property
    def layers(self):
        """The model's layers, without the InputLayer (as Keras)."""
        return [layer for layer in self._stack if not isinstance(layer, InputLayer)]

    @property
    def sublayers(self):
        """The model's layers (its InputLayer aside), the order Keras saves them in."""
        return self.layers

    @property
    def _input_layer(self):
        if self._stack and isinstance(self._stack[0], InputLayer):
            return self._stack[0]
        return None

    def _maybe_build_from_input(self):
        if self._input_layer is not None and self.layers:
            self.build(self._input_layer.batch_shape)

    def build(self, input_shape=None):
        """Build every layer in turn for inputs of `input_shape` (batch dimension included)."""
        if input_shape is None:
            if self._input_layer is None:
                raise ValueError(
                    f"Sequential model '{self.name}' cannot be built: pass `input_shape` to "
                    "build() or start the model with `jkeras.Input(shape)`."
                )
            input_shape = self._input_layer.batch_shape
        input_layer = self._input_layer
        if input_layer is None and self.layers:
            # As Keras 3, a model built from a shape starts with an InputLayer from then on
            # (in its config too), of its first layer's compute dtype.
            input_layer = InputLayer(batch_shape=tuple(input_shape),
                                     dtype=self.layers[0].compute_dtype)
            self._stack.insert(0, input_layer)
        if input_layer is not None and tuple(input_shape) == input_layer.batch_shape:
            first = tensor = input_layer.output  # the Input's own tensor, as in Keras 3
        else:
            first = tensor = KerasTensor(tuple(input_shape), self._input_dtype())
        for layer in self.layers:
            tensor = layer(tensor)
        self._build_shapes = (tuple(input_shape), tensor.shape)
        self._symbolic_ends = (first, tensor)
        self.built = True

    def _input_dtype(self):
        return self._input_layer.dtype if self._input_layer is not None else "float32"

    def _default_input_signature(self):
        return KerasTensor(self._build_shapes[0], self._input_dtype())

    @property
    def inputs(self):
        """`[KerasTensor]`: the symbolic input the model was built from (as Keras 3)."""
        return [self._built_ends("inputs")[0]]

    @property
    def outputs(self):
        """`[KerasTensor]`: the last layer's symbolic output."""
        return [self._built_ends("outputs")[1]]

    def _built_ends(self, attribute):
        ends = getattr(self, "_symbolic_ends", None)
        if not self.built or ends is None:
            raise AttributeError(
                f"Sequential model '{self.name}' has no defined {attribute} yet."
            )
        return ends

    @property
    def input_shape(self):
        return self._built_shapes()[0]

    @property
    def output_shape(self):
        return self._built_shapes()[1]

    def _built_shapes(self):
        if not self.built:
            raise AttributeError(
                f"Sequential model '{self.name}' has not been built yet, so it has no defined "
                "input/output shape."
            )
        return self._build_shapes

    def _stage_host_inputs(self, x):
        """Run the leading host layers on raw inputs `x` (see `jkeras.models.host_stage`)."""
        host_layers = host_stage.leading_host_layers(self.layers)
        if not host_layers or isinstance(x, HostStaged):
            return x
        x = np.asarray(x)
        if not self.built:
            self.build((None,) + x.shape[1:])
        return host_stage.run_stack(host_layers, x, (None,) + x.shape[1:])

    def _check_input_shapes(self, x):
        """Raise a ValueError when `x` does not fit the shape the model was built for."""
        expected = getattr(self, "_build_shapes", (None,))[0]
        shape = tuple(np.shape(x))
        if expected is not None and not isinstance(x, HostStaged) \
                and not input_rank.compatible(shape, expected):
            raise ValueError(
                f"Input of model '{self.name}' is incompatible with the model: expected shape "
                f"{expected}, but received input with shape {shape}."
            )

    def call(self, inputs, training=None, mask=None):
        layers = self.layers
        if isinstance(inputs, HostStaged):  # the host stage ran (`_stage_host_inputs`)
            layers = layers[len(host_stage.leading_host_layers(layers)):]
            inputs = inputs.values[0]
        elif getattr(self, "_build_shapes", None) is not None and hasattr(inputs, "shape"):
            name = self._input_layer.name if self._input_layer is not None else self.name
            inputs = input_rank.adjust_rank(inputs, self._build_shapes[0], name)
        if mask is not None:  # masks travel with the values (`jkeras.layers.mask_propagation`)
            set_keras_mask(inputs, mask)
        outputs = inputs
        for layer in layers:
            outputs = layer(outputs, training=training)
        return outputs

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        for layer in self.layers:
            shape = layer.compute_output_shape(shape)
        return shape

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "layers": [registry.serialize(layer) for layer in self._stack],
        }

    @classmethod
    def from_config(cls, config_, custom_objects=None):
        layers = [registry.deserialize(c, custom_objects) for c in config_["layers"]]
        return cls(layers=layers, trainable=config_.get("trainable", True), name=config_["name"])
