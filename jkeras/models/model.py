"""`Model`: a `Layer` that can be trained (`compile`/`fit`/`evaluate`/`predict`).

Subclass it and write `call` (layers created in `__init__` are tracked and built on the first
call), use `Sequential`, or build a graph with `Model(inputs, outputs)` (see `functional.py`).
"""

import re
import warnings
from types import SimpleNamespace

import jax

from jkeras.core.keras_tensor import KerasTensor
from jkeras.export import check_export_format, export_model
from jkeras.layers.layer import Layer
from jkeras.quantizers.quantization_config import resolve_config
from jkeras.saving.model_saving import ModelSavingMixin
from jkeras.trainers.trainer import Trainer
from jkeras.utils import summary_utils


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

    # The shapes and dtypes of the first call's inputs (what `export` defaults to).
    untracked_attributes = ("_call_signature",)

    # What `Model(inputs, outputs)` builds: `Functional`, which sets it (it subclasses Model).
    _functional_class = None

    def __new__(cls, *args, **kwargs):
        if cls is Model and (args or "inputs" in kwargs or "outputs" in kwargs):
            return cls._functional_class.__new__(cls._functional_class)
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
        if getattr(self, "_call_signature", None) is None:
            self._call_signature = jax.tree_util.tree_map(
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
            return cls._functional_class.from_config(config, custom_objects)
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
        return self.sublayers

    def quantize(self, mode=None, config=None, filters=None, **kwargs):
        """Quantize the weights of every layer that supports it (Dense, EinsumDense,
        Embedding), in place; the model must be built.

        Args:
            mode: `"int8"` or `"int4"` (optional when `config` is given); `"float8"`,
                `"gptq"` and `"awq"` raise NotImplementedError in jkeras.
            config: a `jkeras.quantizers.QuantizationConfig`.
            filters: only layers whose name matches this regex (or one of these regexes), or
                for which this callable returns True, are quantized.

        Example:
            >>> model.quantize("int8")
        """
        type_check = kwargs.pop("type_check", True)
        if kwargs:
            raise ValueError(
                f"Unrecognized keyword arguments passed to {type(self).__name__}: {kwargs}"
            )
        if filters is not None and not isinstance(filters, (str, list, tuple)) \
                and not callable(filters):
            raise ValueError(
                "The `filters` argument must be a regex string, a list of regex strings, or a "
                f"callable. Received: {type(filters)}"
            )
        mode = resolve_config(mode, config).mode
        if mode in ("float8", "gptq", "awq"):
            raise NotImplementedError(
                f"model.quantize: mode '{mode}' is not implemented in jkeras (int8 and int4 "
                "are; see docs/differences.md)."
            )
        changed = False
        for layer in _leaf_layers(self):
            if not _selected(layer, filters):
                continue
            try:
                layer.quantize(mode, type_check=type_check, config=config)
                changed = True
            except NotImplementedError as error:
                warnings.warn(str(error), stacklevel=2)
        if changed:
            self._jit = {}  # the variables changed: compile the steps again

    def get_build_config(self):
        """`{"input_shape": ...}` of a model built with `build(input_shape)`, else the shape
        its layers were first built from (None if none)."""
        shapes = getattr(self, "_build_shapes", None)
        if shapes is not None:
            return {"input_shape": shapes[0]}
        return super().get_build_config()

    def export(self, filepath, format="jax_export", verbose=None, input_signature=None,
               **kwargs):
        """Export the model's inference function for serving, as one file.

        Keras 3 defaults to `format="tf_saved_model"`; jkeras has no TensorFlow and writes
        `format="jax_export"` instead: a serialized `jax.export.Exported` taking
        `(params, inputs)`, with the weights stored next to it and a symbolic batch size.
        Load it with `jkeras.export.load_exported(filepath)`, without the model's code.

        Args:
            filepath: the file to write (replaced atomically).
            format: "jax_export" (the only format; "tf_saved_model" raises an error).
            verbose: print a message when done.
            input_signature: a structure of `jkeras.InputSpec`, `KerasTensor`,
                `jax.ShapeDtypeStruct` or arrays; default: the model's inputs.
            **kwargs: `platforms`, e.g. `("cpu", "cuda")` (default: JAX's default backend).
        """
        check_export_format(format)
        model_inputs = None
        if input_signature is None:
            if not self.built:
                raise ValueError(
                    "The model provided has not yet been built. It must be built before export."
                )
            model_inputs = self._default_input_signature()
        export_model(self, filepath, format=format, verbose=verbose,
                     input_signature=input_signature, model_inputs=model_inputs, **kwargs)

    def _default_input_signature(self):
        """The inputs of the model's first call (structure, shapes, dtypes), or the shapes it
        was built from in its input dtype."""
        called_with = getattr(self, "_call_signature", None)
        if called_with is not None:
            return called_with
        shapes = (self.get_build_config() or {}).get("input_shape")
        if shapes is None:
            raise ValueError(
                "The model provided has never been called. It must be called at least once "
                "before export, or pass `input_signature`."
            )
        dtype = getattr(self, "input_dtype", None) or "float32"

        def convert(value):
            if _is_shape(value):
                return KerasTensor(tuple(value), dtype)
            if isinstance(value, dict):
                return {k: convert(v) for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return type(value)(convert(v) for v in value)
            raise ValueError(
                f"Cannot read an input shape from {value!r}; pass `input_signature`."
            )

        return convert(shapes)

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
        summary_utils.print_summary(
            self,
            line_length=line_length,
            positions=positions,
            print_fn=print_fn,
            expand_nested=expand_nested,
            show_trainable=show_trainable,
            layer_range=layer_range,
        )


def _leaf_layers(layer):
    """The layers without sublayers under `layer`, depth first."""
    found = []
    for sublayer in layer.sublayers:
        found += _leaf_layers(sublayer) if sublayer.sublayers else [sublayer]
    return found


def _selected(layer, filters):
    """Whether `quantize`'s `filters` select `layer`."""
    if filters is None:
        return True
    if isinstance(filters, str):
        return bool(re.search(filters, layer.name))
    if isinstance(filters, (list, tuple)):
        return any(re.search(pattern, layer.name) for pattern in filters)
    return bool(filters(layer))


def _is_shape(value):
    return isinstance(value, (tuple, list)) and all(
        d is None or isinstance(d, int) for d in value
    )
