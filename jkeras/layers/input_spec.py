"""`InputSpec`: the structure, rank, dtype and sizes a layer accepts, checked on every call
with Keras 3's rules and messages (`assert_input_compatibility`)."""

import jax
import numpy as np

from jkeras.core.variable import standardize_dtype


class InputSpec:
    """Constraints on a layer input (a functional model has one per `Input`).

    Args:
        dtype: the expected dtype, or None.
        shape: the expected shape, batch dimension included (None entries match any size);
            sets `ndim`.
        ndim: exact rank, or None.
        max_ndim: maximum rank, or None.
        min_ndim: minimum rank, or None.
        axes: dict mapping axis index (negative allowed) to the required size.
        allow_last_axis_squeeze: accept an input one rank longer whose last axis is 1, or one
            rank shorter when the spec's last axis is 1.
        name: the key of this input when inputs come as a dict.
        optional: whether None is accepted as the input.

    Example:
        >>> spec = jkeras.InputSpec(shape=(None, 28, 28, 1), allow_last_axis_squeeze=True)
        >>> spec.ndim
        4
    """

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None,
                 axes=None, allow_last_axis_squeeze=False, name=None, optional=False):
        self.dtype = standardize_dtype(dtype) if dtype is not None else None
        if shape is not None:
            self.shape = tuple(None if d is None else int(d) for d in shape)
            self.ndim = len(self.shape)
        else:
            self.shape, self.ndim = None, ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.name = name
        self.optional = optional
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        try:
            self.axes = {int(k): v for k, v in (axes or {}).items()}
        except (AttributeError, ValueError, TypeError):
            raise TypeError(
                f"Argument `axes` must be a dict with integer keys. Received: axes={axes}"
            ) from None
        rank = self.ndim if self.ndim is not None else self.max_ndim
        if self.axes and rank is not None and max(self.axes) > rank - 1:
            raise ValueError(
                f"Axis {max(self.axes)} is greater than the maximum allowed value: {rank - 1}"
            )

    def __repr__(self):
        fields = [("dtype", self.dtype), ("shape", self.shape), ("ndim", self.ndim),
                  ("max_ndim", self.max_ndim), ("min_ndim", self.min_ndim),
                  ("axes", self.axes)]
        return f"InputSpec({', '.join(f'{k}={v}' for k, v in fields if v)})"

    def get_config(self):
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim,
                "max_ndim": self.max_ndim, "min_ndim": self.min_ndim, "axes": self.axes,
                "optional": self.optional}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _flat_specs(input_spec):
    return jax.tree_util.tree_leaves(
        input_spec, is_leaf=lambda x: x is None or isinstance(x, InputSpec))


def _flat_inputs(inputs, specs):
    """`inputs` as a list in the specs' order: a dict is read by the specs' names."""
    names = [spec.name if spec is not None else None for spec in specs]
    if isinstance(inputs, dict) and all(names):
        missing = [name for name in names if name not in inputs]
        if missing:
            raise ValueError(
                f'Missing data for input "{missing[0]}". You passed a data dictionary with keys '
                f"{list(inputs)}. Expected the following keys: {names}"
            )
        inputs = [inputs[name] for name in names]
    return jax.tree_util.tree_leaves(inputs, is_leaf=lambda x: x is None or hasattr(x, "shape"))


def assert_input_compatibility(input_spec, inputs, layer_name):
    """Raise a ValueError naming the layer, the input, the expectation and what was received
    when `inputs` (a tensor, or a structure of them matching `input_spec`'s structure, a dict
    matched by the specs' names) do not satisfy `input_spec` (None: no constraint)."""
    if not input_spec:
        return
    specs = _flat_specs(input_spec)
    inputs = _flat_inputs(inputs, specs)
    if len(inputs) != len(specs):
        names = [spec.name for spec in specs if spec is not None]
        if len(names) == len(specs) and all(names):
            raise ValueError(
                f'Layer "{layer_name}" expects {len(specs)} named input(s) with keys {names}, '
                f"but it received {len(inputs)} input tensors. Pass inputs as a dict, e.g. "
                "`layer({" + ", ".join(f"'{n}': ..." for n in names) + "})`."
            )
        raise ValueError(
            f'Layer "{layer_name}" expects {len(specs)} input(s), but it received '
            f"{len(inputs)} input tensors. Inputs received: {inputs}"
        )
    for index, (x, spec) in enumerate(zip(inputs, specs)):
        if spec is None or (x is None and spec.optional):
            continue
        if not hasattr(x, "shape"):
            raise ValueError(
                f"Inputs to a layer should be tensors. Got '{x}' (of type {type(x)}) as input "
                f"for layer '{layer_name}'."
            )
        _check_one(spec, x, f"Input {index} with name '{spec.name}' of layer '{layer_name}' "
                            "is incompatible with the layer:")


def _dim(d):
    """A size, or None where it is unknown (None, or symbolic under `jax.export`)."""
    return int(d) if isinstance(d, (int, np.integer)) else None


def _check_one(spec, x, prefix):
    shape = tuple(_dim(d) for d in x.shape)
    ndim = len(shape)
    if spec.ndim is not None and not spec.allow_last_axis_squeeze and ndim != spec.ndim:
        raise ValueError(f"{prefix} expected ndim={spec.ndim}, found ndim={ndim}. "
                         f"Full shape received: {shape}")
    if spec.max_ndim is not None and ndim > spec.max_ndim:
        raise ValueError(f"{prefix} expected max_ndim={spec.max_ndim}, found ndim={ndim}")
    if spec.min_ndim is not None and ndim < spec.min_ndim:
        raise ValueError(f"{prefix} expected min_ndim={spec.min_ndim}, found ndim={ndim}. "
                         f"Full shape received: {shape}")
    if spec.dtype is not None and hasattr(x, "dtype"):
        dtype = standardize_dtype(x.dtype)
        if dtype != spec.dtype:
            raise ValueError(f"{prefix} expected dtype={spec.dtype}, found dtype={dtype}")
    for axis, value in spec.axes.items():
        if value is not None and -ndim <= axis < ndim and shape[axis] not in (value, None):
            raise ValueError(f"{prefix} expected axis {axis} of input shape to have value "
                             f"{value}, but received input with shape {shape}")
    if spec.shape is not None:
        spec_shape = spec.shape
        if spec.allow_last_axis_squeeze:
            shape = shape[:-1] if shape and shape[-1] == 1 else shape
            spec_shape = spec_shape[:-1] if spec_shape and spec_shape[-1] == 1 else spec_shape
        if any(s is not None and d is not None and s != d for s, d in zip(spec_shape, shape)):
            raise ValueError(f"{prefix} expected shape={spec.shape}, found shape={shape}")


class _Shaped:
    def __init__(self, shape):
        self.shape = shape


def assert_shape_compatibility(input_spec, shape, layer_name):
    """`assert_input_compatibility` for one input known by its shape (in `build` and
    `compute_output_shape`)."""
    if shape is not None:
        assert_input_compatibility(input_spec, _Shaped(tuple(shape)), layer_name)
