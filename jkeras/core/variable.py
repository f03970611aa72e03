"""`Variable`: a named, mutable reference to an immutable JAX array.

A variable's value is a `jax.Array`; `assign` rebinds it to a new array. Inside a
`StatelessScope` reads and writes go to the scope instead (see `stateless_scope.py`), which is
what makes layer code pure under `jax.jit`/`jax.grad`.
"""

import jax
import jax.numpy as jnp
import numpy as np

from jkeras.core import config, naming, registry
from jkeras.core.autocast_scope import get_autocast_scope
from jkeras.core.stateless_scope import _scopes, current_scope
from jkeras.core.tracing import concrete


def standardize_dtype(dtype):
    """A dtype name (`"float32"`), defaulting to `jkeras.config.floatx()`; `"string"` (or
    `str`) is Keras's name for text, which only host-side layers take."""
    if dtype is None:
        return config.floatx()
    if dtype is str or (isinstance(dtype, str) and dtype == "string"):
        return "string"
    if hasattr(dtype, "name") and not isinstance(dtype, str):
        return dtype.name
    return np.dtype(dtype).name if dtype != "bfloat16" else "bfloat16"


class Placement:
    """Where variable values live. This default keeps them where they are (JAX's default
    device); `jkeras.distribution` installs its own with `set_placement` when imported, so that
    core does not depend on it."""

    def layout(self, variable, value, layout):
        """The layout a new `variable` with initial `value` takes; `layout` is the one given
        to `Variable` (or None)."""
        return layout

    def place(self, value, layout, path):
        """`value` laid out as `layout` (not None); `path` names the variable in errors."""
        return value


_placement = Placement()


def set_placement(placement):
    """Install the `Placement` that every variable creation and `assign` consults."""
    global _placement
    _placement = placement


class ArrayLike:
    """Arithmetic, comparison and numpy conversion for objects that stand for an array.

    Subclasses define `value`; every operator applies to it and returns a plain `jax.Array`.
    """

    def __jax_array__(self):
        return self.value

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.value, dtype=dtype)

    def numpy(self):
        """A writable numpy copy of the value."""
        return np.array(self.value)

    def __len__(self):
        return len(self.value)

    def __bool__(self):
        return bool(self.value)

    def __float__(self):
        return float(self.value)

    def __int__(self):
        return int(self.value)

    def __iter__(self):
        return iter(self.value)


def _binary(name):
    def op(self, other):
        other = other.value if isinstance(other, ArrayLike) else other
        return getattr(jnp.asarray(self.value), name)(other)

    op.__name__ = name
    return op


def _unary(name):
    def op(self):
        return getattr(jnp.asarray(self.value), name)()

    op.__name__ = name
    return op


for _name in ["__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__", "__truediv__", "__rtruediv__", "__floordiv__", "__rfloordiv__", "__mod__", "__rmod__", "__pow__", "__rpow__", "__matmul__", "__rmatmul__", "__lt__", "__le__", "__gt__", "__ge__", "__eq__", "__ne__", "__and__", "__rand__", "__or__", "__ror__", "__xor__", "__rxor__"]:
    setattr(ArrayLike, _name, _binary(_name))
for _name in ["__neg__", "__pos__", "__abs__", "__invert__"]:
    setattr(ArrayLike, _name, _unary(_name))
ArrayLike.__hash__ = object.__hash__


class Variable(ArrayLike):
    """A named variable holding a `jax.Array` value.

    Args:
        initializer: an initial value (array-like) or an initializer (callable
            `(shape, dtype) -> array`, or a name such as `"glorot_uniform"`).
        shape: required when `initializer` is callable.
        dtype: dtype name; defaults to the initial value's dtype or `jkeras.config.floatx()`.
        trainable: whether gradient descent should update it.
        autocast: whether a float variable reads in the compute dtype inside an
            `AutocastScope` (a mixed precision layer's `call`). Defaults to `True`.
        name: the variable's name; `path` prefixes it with the enclosing layer names.
        layout: a `jkeras.distribution.TensorLayout` (or `jax.sharding.Sharding`) to place the
            value with; by default the current distribution's `get_variable_layout` (none:
            the default device).

    Example:
        >>> v = jkeras.Variable(np.zeros((2, 2)))
        >>> v.assign(np.ones((2, 2))).numpy().sum()
        4.0
    """

    # Set by `Layer.add_weight`: a penalty added to the loss, a projection after each update.
    regularizer = None
    constraint = None
    _layout = None  # the distribution layout its value is placed with (see __init__)
    _autocast = True
    _overwrite_with_gradient = False

    def __init__(self, initializer, shape=None, dtype=None, trainable=True, name=None,
                 layout=None, autocast=True, **kwargs):
        for unsupported in ("aggregation", "synchronization"):
            kwargs.pop(unsupported, None)
        if kwargs:
            raise TypeError(f"Variable() got unexpected keyword arguments: {sorted(kwargs)}")
        self.name = name or "variable"
        self._autocast = bool(autocast)
        self.path = naming.current_path(self.name)
        self.trainable = bool(trainable)
        if isinstance(initializer, str):
            initializer = registry.family("initializer").get(initializer)
        with concrete():
            if callable(initializer) and not isinstance(initializer, (np.ndarray, jax.Array)):
                if shape is None:
                    raise ValueError(
                        f"Variable '{self.name}': when `initializer` is callable, `shape` "
                        "must be given."
                    )
                dtype = standardize_dtype(dtype)
                value = initializer(tuple(shape), dtype=dtype)
                self.initializer = initializer
            else:
                value = initializer.value if isinstance(initializer, ArrayLike) else initializer
                if dtype is None and not hasattr(value, "dtype"):
                    # Python numbers/lists: ints stay int32, floats take floatx (as Keras 3).
                    kind = np.asarray(value).dtype.kind
                    dtype = {"i": "int32", "u": "int32", "b": "bool"}.get(kind, config.floatx())
                if dtype is not None:
                    dtype = standardize_dtype(dtype)
                if isinstance(value, (jax.Array, jax.core.Tracer)):
                    value = jnp.asarray(value, dtype=dtype)
                else:  # numbers and numpy: transferred, where `jnp.asarray` compiles a program
                    value = jax.device_put(np.asarray(value, dtype=dtype))
                self.initializer = None
                if shape is not None and tuple(shape) != value.shape:
                    raise ValueError(
                        f"Variable '{self.name}': initial value has shape {value.shape}, "
                        f"but shape={tuple(shape)} was requested."
                    )
            self._value = jnp.asarray(value, dtype=standardize_dtype(dtype or value.dtype))
            self._layout = _placement.layout(self, self._value, layout)
            if self._layout is not None:
                self._value = _placement.place(self._value, self._layout, self.path)

    @property
    def value(self):
        """The current value: the active stateless scope's, else the variable's own; inside an
        `AutocastScope`, a float value is cast to the scope's dtype (unless `autocast=False`)."""
        value = self._stored_value()
        autocast_scope = get_autocast_scope()
        if self._autocast and autocast_scope is not None:
            return autocast_scope.maybe_cast(value)
        return value

    def _stored_value(self):
        # The value in the variable's own dtype: the active stateless scope's, else its own.
        for scope in reversed(_scopes()):
            scoped = scope.get(self)
            if scoped is not None:
                return scoped
        return self._value

    @property
    def shape(self):
        return tuple(self._value.shape)

    @property
    def dtype(self):
        """The dtype name; inside an `AutocastScope`, the dtype reads give (as Keras)."""
        autocast_scope = get_autocast_scope()
        if (
            self._autocast and autocast_scope is not None and autocast_scope.dtype is not None
            and jnp.issubdtype(self._value.dtype, jnp.floating)
        ):
            return autocast_scope.dtype
        return standardize_dtype(self._value.dtype)

    @property
    def layout(self):
        """The distribution layout the value is placed with (None: the default device)."""
        return self._layout

    @property
    def autocast(self):
        return self._autocast

    @property
    def overwrite_with_gradient(self):
        """Whether an optimizer replaces this trainable variable's value by its gradient
        instead of updating it (the new float8 scales and amax histories that a float8
        layer's backward pass computes; Keras 3's property). Defaults to False."""
        return self._overwrite_with_gradient

    @overwrite_with_gradient.setter
    def overwrite_with_gradient(self, value):
        if not isinstance(value, bool):
            raise TypeError(f"`overwrite_with_gradient` must be a boolean. Received: {value}")
        self._overwrite_with_gradient = value

    @property
    def ndim(self):
        return self._value.ndim

    def _check(self, value):
        value = value.value if isinstance(value, ArrayLike) else value
        source = getattr(value, "dtype", None)
        if source is not None and not (np.issubdtype(source, np.number) or source == bool):
            raise TypeError(
                f"Cannot assign a value of dtype {source} to variable '{self.path}' of dtype "
                f"{self.dtype}: expected numbers."
            )
        try:
            value = jnp.asarray(value, dtype=self._value.dtype)
        except (TypeError, ValueError) as error:
            raise TypeError(
                f"Cannot assign {value!r} to variable '{self.path}' of dtype {self.dtype}: "
                f"{error}"
            ) from None
        if value.shape != self._value.shape:
            raise ValueError(
                "The shape of the target variable and the shape of the target value in "
                f"`variable.assign(value)` must match. Variable '{self.path}': "
                f"variable.shape={self.shape}, Received: value.shape={tuple(value.shape)}."
            )
        return value

    def assign(self, value):
        """Rebind the variable to `value` (same shape; cast to the variable's dtype)."""
        value = self._check(value)
        scope = current_scope()
        if scope is not None:
            scope.assign(self, value)
        else:
            if isinstance(value, jax.core.Tracer):
                raise RuntimeError(
                    f"Variable '{self.path}' was assigned a traced value outside a stateless "
                    "scope. Inside jax.jit, use `stateless_call`/`apply` and return the new "
                    "state instead of assigning."
                )
            if self._layout is not None:
                value = _placement.place(value, self._layout, self.path)
            self._value = value
        return self

    def set_value(self, value):
        """Store `value`, a `jax.Array` of the variable's shape, dtype and layout (e.g. the
        output of a compiled step that took this variable's value), as it is: no checks,
        conversion or placement, unlike `assign`."""
        self._value = value

    def assign_add(self, delta):
        delta = delta.value if isinstance(delta, ArrayLike) else delta
        return self.assign(self._stored_value() + delta)  # in the stored dtype, never autocast

    def assign_sub(self, delta):
        delta = delta.value if isinstance(delta, ArrayLike) else delta
        return self.assign(self._stored_value() - delta)  # in the stored dtype, never autocast

    def __getitem__(self, index):
        return VariableSlice(self, index)

    def __repr__(self):
        return (
            f"<Variable path={self.path}, shape={self.shape}, dtype={self.dtype}, "
            f"value={np.asarray(self._value)}>"
        )


class VariableSlice(ArrayLike):
    """`variable[index]`: reads as the sliced array; `assign` writes that slice back."""

    def __init__(self, variable, index):
        self._variable = variable
        self._index = index

    @property
    def value(self):
        return self._variable.value[self._index]

    @property
    def shape(self):
        return tuple(self.value.shape)

    @property
    def dtype(self):
        return standardize_dtype(self.value.dtype)

    def __getitem__(self, index):
        return self.value[index]

    def assign(self, value):
        value = value.value if isinstance(value, ArrayLike) else value
        target_shape = self.shape
        try:
            fits = np.broadcast_shapes(np.shape(value), target_shape) == target_shape
        except ValueError:
            fits = False
        if not fits:
            raise ValueError(
                f"Cannot assign a value of shape {np.shape(value)} to the slice "
                f"{self._index!r} of variable '{self._variable.path}', whose shape is "
                f"{target_shape}."
            )
        self._variable.assign(self._variable._stored_value().at[self._index].set(value))
        return self._variable

    def assign_add(self, delta):
        return self.assign(self.value + delta)

    def assign_sub(self, delta):
        return self.assign(self.value - delta)
