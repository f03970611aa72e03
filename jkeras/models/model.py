"""`Model`: a `Layer` that can be trained (`compile`/`fit`/`evaluate`/`predict`).

Subclass it and write `call` (layers created in `__init__` are tracked and built on the first
call), use `Sequential`, or build a graph with `Model(inputs, outputs)` (see `functional.py`).
"""

import inspect
import warnings
from types import SimpleNamespace

import jax

from jkeras.core.keras_tensor import KerasTensor
from jkeras.export import check_export_format, export_model
from jkeras.layers.layer import Layer
from jkeras.models.calibration import leaf_layers, quantize_calibrated
from jkeras.models.functional_config import functional_from_config
from jkeras.quantizers.quantization_config import resolve_config
from jkeras.quantizers.utils import should_quantize_layer
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
        if cls is Model and functional_init_arguments(args, kwargs):
            return cls._functional_class.__new__(cls._functional_class)
        return super().__new__(cls)

    def __init__(self, *args, **kwargs):
        if functional_init_arguments(args, kwargs):
            # A subclass built from symbolic tensors (`CustomModel(inputs, outputs)`, or its
            # `__init__` calling `super().__init__(inputs=..., outputs=...)`) becomes a
            # functional model that keeps its own methods (`train_step`, `get_config`...), as
            # in Keras 3: `Functional` takes `Model`'s place among the class's bases.
            functional = self._functional_class
            _inject_base(type(self), functional)
            functional.__init__(self, *args, **kwargs)
            return
        if args:
            raise TypeError(
                f"{type(self).__name__}.__init__ got positional arguments {args!r}: a "
                "subclassed model takes keyword arguments (`name`, `trainable`, `dtype`), or "
                "`inputs` and `outputs` to be a functional model."
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
        """Build by calling the model on symbolic inputs of `input_shape` (batch included):
        one shape, or a dict, list or tuple of shapes for a model that takes a structure."""
        if input_shape is None:
            raise ValueError(f"Model '{self.name}' needs `input_shape` to be built.")
        self.build_from_inputs(_symbolic_inputs(input_shape, "float32"))

    def build_from_inputs(self, inputs):
        """Build by calling the model on `inputs`, KerasTensors in the structure its `call`
        takes (what `fit` does with the first batch's structure, shapes and dtypes)."""
        self(inputs)
        shapes = jax.tree_util.tree_map(
            lambda t: tuple(t.shape), inputs, is_leaf=lambda x: isinstance(x, KerasTensor))
        self._build_shapes = (shapes, None)
        self.built = True

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """A model from `get_config()`'s output: a functional config rebuilds the graph when
        the class takes `(inputs, outputs, ...)`; any other config is passed to `cls(**config)`
        (a subclass that adds constructor arguments writes them in its `get_config`)."""
        if _is_functional_config(config) and takes_functional_arguments(cls):
            functional = cls._functional_class
            target = functional if cls is Model else cls
            return functional_from_config(target, config, custom_objects)
        try:
            return cls(**config)
        except TypeError as error:
            raise TypeError(
                f"Unable to revive model from config. When overriding `get_config()`, make "
                f"sure that the returned config contains every argument of the constructor of "
                f"{cls.__name__}, or define a `from_config(cls, config)` class method. "
                f"Received config={config}. Error: {error}"
            ) from error

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

    def get_quantization_layer_structure(self, mode=None):
        """The layers GPTQ/AWQ calibrate through: `{"pre_block_layers": [...],
        "sequential_blocks": [...]}` (the inputs go through the pre-block layers, e.g. the
        token embedding, then through each block in turn), or None. Override it in a model
        that GPTQ/AWQ should quantize without `config.quantization_layer_structure`."""
        del mode

    def quantize(self, mode=None, config=None, filters=None, **kwargs):
        """Quantize the weights of every layer that supports it (Dense, EinsumDense,
        Embedding), in place; the model must be built.

        `"gptq"` and `"awq"` quantize the Dense and EinsumDense layers of the sequential
        blocks only (see `get_quantization_layer_structure`), calibrated by running
        `config.dataset` through them (jkeras/models/calibration.py; jkeras really records
        the calibration inputs, where Keras 3.15 computes with none: docs/differences.md).

        Args:
            mode: `"int8"`, `"int4"`, `"float8"` (Dense and EinsumDense: float8 training
                with delayed scaling), `"gptq"` or `"awq"` (optional when `config` is given).
            config: a `jkeras.quantizers.QuantizationConfig`; a `GPTQConfig`/`AWQConfig`
                (with the calibration dataset and tokenizer) for `"gptq"`/`"awq"`.
            filters: only layers whose name matches this regex (or one of these regexes), or
                for which this callable returns True, are quantized.

        Example:
            >>> model.quantize("int8")
            >>> model.quantize("gptq", config=jkeras.quantizers.GPTQConfig(
            ...     texts, tokenizer, num_samples=16, sequence_length=128,
            ...     quantization_layer_structure={"pre_block_layers": [embedding],
            ...                                   "sequential_blocks": blocks}))
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
        resolved = resolve_config(mode, config)
        mode = resolved.mode
        if mode in ("gptq", "awq"):
            quantize_calibrated(self, resolved, filters=filters, type_check=type_check)
            self._forget_compiled_steps()  # the variables changed
            return
        changed = False
        for layer in leaf_layers(self):
            if not should_quantize_layer(layer, filters):
                continue
            try:
                layer.quantize(mode, type_check=type_check, config=config)
                changed = True
            except NotImplementedError as error:
                warnings.warn(str(error), stacklevel=2)
        if changed:
            self._forget_compiled_steps()  # the variables changed

    def get_build_config(self):
        """`{"input_shape": ...}` of a model built with `build(input_shape)`, else the input
        shapes of its first call (as Keras 3), else the shape its layers were first built from
        (None if none)."""
        shapes = getattr(self, "_build_shapes", None)
        if shapes is not None:
            return {"input_shape": shapes[0]}
        called_with = getattr(self, "_call_signature", None)
        if called_with is not None:  # built by its first call: that call's input shapes
            return {"input_shape": jax.tree_util.tree_map(
                lambda a: a.shape if isinstance(a, SimpleNamespace) else None, called_with,
                is_leaf=lambda a: isinstance(a, SimpleNamespace))}
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
        return _symbolic_inputs(shapes, getattr(self, "input_dtype", None) or "float32")

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


def functional_init_arguments(args, kwargs):
    """Whether constructor arguments describe a functional model (`(inputs, outputs)`)."""
    return (
        len(args) == 2
        or (len(args) == 1 and "outputs" in kwargs)
        or ("inputs" in kwargs and "outputs" in kwargs)
    )


# `Functional.__init__`'s named arguments in Keras 3 (`name`) and in jkeras (`trainable` too).
_FUNCTIONAL_ARGUMENTS = (["inputs", "outputs"], ["inputs", "outputs", "name"],
                         ["inputs", "outputs", "name", "trainable"])


def takes_functional_arguments(cls):
    """Whether `cls(inputs, outputs, name=..., trainable=...)` builds an instance: its
    constructor has `Functional`'s arguments or takes `*args, **kwargs` (Keras 3's rule)."""
    if cls is Model or cls is Model._functional_class:
        return True
    spec = inspect.getfullargspec(cls.__init__)
    if spec.args[1:] in _FUNCTIONAL_ARGUMENTS:
        return True
    return spec.varargs is not None and spec.varkw is not None


def _is_functional_config(config):
    return all(key in config for key in ("name", "layers", "input_layers", "output_layers"))


def _inject_base(cls, functional):
    """Make `cls` derive from `functional` wherever its bases derived from `Model` directly."""
    if issubclass(cls, functional):
        return
    bases = []
    for base in cls.__bases__:
        if base is Model:
            base = functional
        elif issubclass(base, Model):
            _inject_base(base, functional)
        bases.append(base)
    cls.__bases__ = tuple(bases)


def _symbolic_inputs(shapes, dtype):
    """KerasTensors of `dtype` in the structure of `shapes` (a shape, or a dict, list or tuple
    of them)."""
    if _is_shape(shapes):
        return KerasTensor(tuple(shapes), dtype)
    if isinstance(shapes, dict):
        return {k: _symbolic_inputs(v, dtype) for k, v in shapes.items()}
    if isinstance(shapes, (list, tuple)):
        return type(shapes)(_symbolic_inputs(v, dtype) for v in shapes)
    raise ValueError(f"Cannot read an input shape from {shapes!r}.")
def _is_shape(value):
    return isinstance(value, (tuple, list)) and all(
        d is None or isinstance(d, int) for d in value
    )
