"""`Model`: a `Layer` that can be trained (`compile`/`fit`/`evaluate`/`predict`).

Subclass it and write `call` (layers created in `__init__` are tracked and built on the first
call), use `Sequential`, or build a graph with `Model(inputs, outputs)` (see `functional.py`).
"""

from types import SimpleNamespace

import jax

from jkeras.core.keras_tensor import KerasTensor
from jkeras.layers.layer import Layer
from jkeras.saving.model_saving import ModelSavingMixin
from jkeras.trainers.trainer import Trainer


class Model(ModelSavingMixin, Trainer, Layer):
    """A trainable layer. See `Sequential` for stacks of layers.

    Example:
        >>> class MySequential(jkeras.Model):
        ...     def __init__(self, layers):
        ...         super().__init__()
        ...         self.my_layers = layers
        ...     def call(self, inputs):
        ...         for layer in self.my_layers:
        ...             inputs = layer(inputs)
        ...         return inputs
    """

    def __new__(cls, *args, **kwargs):
        if cls is Model and (args or "inputs" in kwargs or "outputs" in kwargs):
            from jkeras.models.functional import Functional

            return Functional.__new__(Functional)
        return super().__new__(cls)

    def __init__(self, *args, **kwargs):
        if args or "inputs" in kwargs or "outputs" in kwargs:
            raise TypeError(
                f"{type(self).__name__}.__init__ got `inputs`/`outputs`: a subclassed model "
                "defines its computation in `call`, not with symbolic tensors."
            )
        Layer.__init__(self, **kwargs)
        self._init_trainer()

    def _maybe_build(self, inputs):
        # A subclassed model builds lazily: its sublayers build on the first call. The first
        # input's shapes and dtypes are kept for `export` (Keras records them too). Not as
        # `jax.ShapeDtypeStruct`s: symbolic inputs have unknown (None) sizes, which newer jax
        # versions reject there.
        if getattr(self, "_untracked_call_signature", None) is None:
            self._untracked_call_signature = jax.tree_util.tree_map(
                lambda a: SimpleNamespace(shape=tuple(a.shape), dtype=a.dtype)
                if hasattr(a, "dtype")
                else a,
                inputs,
            )

    def __call__(self, *args, **kwargs):
        outputs = super().__call__(*args, **kwargs)
        self.built = True
        return outputs

    def build(self, input_shape=None):
        """Build by calling the model on a symbolic input of `input_shape` (batch included)."""
        if input_shape is None:
            raise ValueError(f"Model '{self.name}' needs `input_shape` to be built.")
        self(KerasTensor(tuple(input_shape)))
        self._build_shapes = (tuple(input_shape), None)
        self.built = True

    @classmethod
    def from_config(cls, config, custom_objects=None):
        if "input_layers" in config and "layers" in config:
            from jkeras.models.functional import Functional

            return Functional.from_config(config, custom_objects)
        return super().from_config(config)

    def get_layer(self, name=None, index=None):
        """The sublayer with this `name`, or at position `index` of `self.layers`."""
        if index is not None and name is not None:
            raise ValueError("Provide only `name` or `index`, not both.")
        layers = self.layers
        if index is not None:
            if not -len(layers) <= index < len(layers):
                raise ValueError(
                    f"Was asked to retrieve layer at index {index} but model only has "
                    f"{len(layers)} layers."
                )
            return layers[index]
        for layer in layers:
            if layer.name == name:
                return layer
        raise ValueError(
            f"No such layer: {name}. Existing layers are: {[layer.name for layer in layers]}."
        )

    @property
    def layers(self):
        return self._layers

    def summary(
        self,
        line_length=None,
        positions=None,
        print_fn=None,
        expand_nested=False,
        show_trainable=False,
        layer_range=None,
    ):
        """Print Keras 3's table of the layers, their output shapes and parameter counts.

        See `jkeras.utils.summary_utils.print_summary` for the arguments; `print_fn` receives
        the whole text in one call.
        """
        from jkeras.utils import summary_utils

        summary_utils.print_summary(
            self,
            line_length=line_length,
            positions=positions,
            print_fn=print_fn,
            expand_nested=expand_nested,
            show_trainable=show_trainable,
            layer_range=layer_range,
        )
