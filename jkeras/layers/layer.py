"""`Layer`: the Keras object API over a pure function of explicit state.

A layer owns `Variable`s created in `build` with `add_weight`, and computes in `call`. Its pure
core (`PureCore`, layers/pure_core.py) is `stateless_call` (Keras 3's name) and `init`/`apply`
(parameter dicts): both run `call` inside a `StatelessScope`, so the variables' values come from
the arguments and the new non-trainable state comes back as a result. Nothing in a jitted step
touches the objects.

Sublayers, variables and seed generators are found by walking the layer's attributes (lists,
tuples and dicts included) in assignment order, so no registration call is needed. A class
lists the attributes the walk skips (caches, compiled functions, symbolic graphs) in its
`untracked_attributes`.
"""

import functools
import inspect
import threading

import jax
import jax.numpy as jnp
import numpy as np

from jkeras import constraints, initializers, regularizers
from jkeras.core import naming
from jkeras.core.autocast_scope import AutocastScope, get_autocast_scope, is_float_dtype
from jkeras.core.host_staged import HostStaged
from jkeras.core.keras_tensor import KerasTensor, Node, any_symbolic, output_spec
from jkeras.core.remat_scope import get_current_remat_mode
from jkeras.core.stateless_scope import StatelessScope, current_scope
from jkeras.core.tracing import concrete
from jkeras.core.variable import Variable, standardize_dtype
from jkeras.dtype_policies import dtype_policy as dtype_policies
from jkeras.dtype_policies.dtype_policy_map import DTypePolicyMap
from jkeras.layers import rematerialization
from jkeras.layers.input_spec import assert_input_compatibility
from jkeras.layers.keras_layer_api import KerasLayerAPI
from jkeras.layers.mask_propagation import (
    attach_output_masks,
    default_supports_masking,
    fill_mask_arguments,
    keeping_mask,
    spec_kwargs,
)
from jkeras.layers.pure_core import PureCore
from jkeras.random.seed_generator import SeedGenerator, draw_key

_context = threading.local()

# Keyword arguments every layer accepts for Keras compatibility; `input_shape` and friends let a
# first layer of a Sequential model declare the model's input.
_BASE_KWARGS = {"input_shape", "input_dim", "batch_size", "batch_input_shape", "autocast"}


def _training_context():
    return getattr(_context, "training", None)


@functools.cache
def call_arguments(call):
    """The parameter names of a `call` method (cached per function)."""
    return set(inspect.signature(call).parameters)


@functools.cache
def _build_takes_shape(build):
    return len(inspect.signature(build).parameters) > 1


def _shape_of(x):
    if isinstance(x, (KerasTensor, Variable)) or hasattr(x, "shape"):
        return tuple(x.shape)
    return None


def _to_array(x):
    if isinstance(x, Variable):
        return x.value
    if isinstance(x, (np.ndarray, np.generic)) and x.dtype.kind not in "USO":
        # Strings (and objects) stay numpy: only host layers (`runs_on_host`) read them.
        return jnp.asarray(x)
    return x


def _is_variable(x):
    return isinstance(x, Variable)


def _convert_input(x, autocast, dtype):
    """Keras's input conversion: numpy to JAX arrays, floating inputs cast to `dtype` when
    `autocast` (integer and boolean inputs are never cast)."""
    x = _to_array(x)
    if autocast and hasattr(x, "astype") and x.dtype != dtype and is_float_dtype(x.dtype):
        x = x.astype(dtype)
    return x


def _unique_by_id(items):
    seen, out = set(), []
    for item in items:
        if id(item) not in seen:
            seen.add(id(item))
            out.append(item)
    return out


class Layer(KerasLayerAPI, PureCore):
    """Base class of all layers.

    Subclasses create weights in `build(input_shape)` with `add_weight` and compute in
    `call(inputs, training=None)`. The first `layer(x)` builds the layer from `x`'s shape.

    Args:
        trainable: whether the layer's weights are updated by training.
        name: unique name; defaults to the snake-cased class name (`dense`, `dense_1`, ...).
        dtype: the layer's dtype policy: a `jkeras.DTypePolicy` or its name (`"float32"`,
            `"mixed_float16"`, `"mixed_bfloat16"`, any dtype name); default the global policy
            (`jkeras.mixed_precision.set_global_policy`). Weights are created in its
            `variable_dtype`; `call` computes in its `compute_dtype`.
        autocast: whether floating inputs are cast to the compute dtype and, under a mixed
            policy, float weights read in the compute dtype inside `call` (default True).
        input_shape: for the first layer of a `Sequential` model, the shape of one sample.

    Example:
        >>> class SimpleDense(jkeras.Layer):
        ...     def __init__(self, units):
        ...         super().__init__()
        ...         self.units = units
        ...     def build(self, input_shape):
        ...         self.W = self.add_weight(shape=(input_shape[-1], self.units))
        ...     def call(self, inputs):
        ...         return jkeras.ops.matmul(inputs, self.W)
    """

    # Attributes never searched for sublayers, variables or seed generators; each class
    # declares its own, and those of its bases apply too.
    untracked_attributes = ("inbound_nodes",)

    # Whether the layer holds quantized variables (set by a quantizable layer's
    # `quantized_build`); a quantized policy set on a built layer without them quantizes it.
    _is_quantized = False

    # Whether `call` runs a loop on the device (a recurrent layer's time loop): on CPU, the
    # trainer's `steps_per_execution="auto"` then does not nest it in its fused loop.
    runs_loop = False

    # Whether `__call__` converts the arguments (numpy to arrays, floats to the compute dtype)
    # before `call`; models leave that to their layers.
    _convert_input_args = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "build" in cls.__dict__:
            cls.build = _wrap_build(cls.__dict__["build"])

    def __init__(self, *, trainable=True, name=None, dtype=None, activity_regularizer=None, **kwargs):
        unknown = set(kwargs) - _BASE_KWARGS
        if unknown:
            raise ValueError(
                f"Unrecognized keyword arguments passed to {type(self).__name__}: "
                f"{ {k: kwargs[k] for k in sorted(unknown)} }"
            )
        self.name = name or naming.auto_name(naming.to_snake_case(type(self).__name__))
        self._trainable = bool(trainable)
        self._dtype_policy = dtype_policies.get(dtype)
        # Keras sets the path when the layer builds; a layer built by `build()` directly keeps
        # the path of the scopes it was created in.
        with naming.name_scope(self.name):
            self._path = naming.scope_path()
        self._remat_mode = get_current_remat_mode()
        self.autocast = bool(kwargs.get("autocast", True))
        self.built = False
        self.input_spec = None
        self._own_variables = []
        self._created_trainable = {}  # id(variable) -> trainable, for `add_weight`'s variables
        self.inbound_nodes = []
        self._eager_losses = []
        self.activity_regularizer = regularizers.get(activity_regularizer)
        # Keras 3's default: layers that override `compute_mask` support masking.
        self.supports_masking = getattr(self, "supports_masking", default_supports_masking(self))
        self._input_shape_arg = None
        if kwargs.get("batch_input_shape") is not None:
            self._input_shape_arg = tuple(kwargs["batch_input_shape"])
        elif kwargs.get("input_shape") is not None:
            self._input_shape_arg = (kwargs.get("batch_size"),) + tuple(kwargs["input_shape"])
        elif kwargs.get("input_dim") is not None:
            self._input_shape_arg = (kwargs.get("batch_size"), int(kwargs["input_dim"]))

    # ----------------------------------------------------------------------------- building

    def build(self, input_shape=None):
        """Create the layer's weights for inputs of `input_shape`. The default creates none."""
        self.built = True

    def add_weight(
        self,
        shape=None,
        initializer=None,
        dtype=None,
        trainable=True,
        autocast=True,
        regularizer=None,
        constraint=None,
        aggregation="none",
        overwrite_with_gradient=False,
        name=None,
    ):
        """Create a `Variable` owned by this layer and return it.

        Args:
            shape: the variable's shape (default `()`).
            initializer: name, `Initializer` or callable; default `glorot_uniform` for floats and
                `zeros` otherwise (as Keras).
            dtype: default the layer's `variable_dtype`.
            trainable: whether training updates it (a non-trainable weight is state).
            autocast: whether the weight reads in the compute dtype inside `call` under a
                mixed policy (False for weights that must stay float32, e.g. statistics).
            overwrite_with_gradient: whether optimizers set the variable to its gradient
                instead of updating it (`Variable.overwrite_with_gradient`; float8 training).
            name: the variable's name; its `path` is `<layer path>/<name>`.
        """
        dtype = standardize_dtype(dtype or self.variable_dtype)
        if initializer is None:
            initializer = "glorot_uniform" if "float" in dtype else "zeros"
        initializer = initializers.get(initializer)
        with naming.name_scope(self.name):
            variable = Variable(
                initializer,
                shape=() if shape is None else tuple(shape),
                dtype=dtype,
                trainable=trainable and self._trainable,
                autocast=autocast,
                name=name,
            )
        self._created_trainable[id(variable)] = bool(trainable)
        variable.regularizer = regularizers.get(regularizer)
        variable.constraint = constraints.get(constraint)
        variable.overwrite_with_gradient = overwrite_with_gradient
        self._own_variables.append(variable)
        return variable

    def add_variable(self, shape, initializer, dtype=None, trainable=True, name=None, **kwargs):
        """Keras 3 alias of `add_weight` with a required initializer."""
        return self.add_weight(shape, initializer, dtype, trainable, name=name, **kwargs)

    def _maybe_build(self, inputs):
        if self.built:
            return
        shape = jax.tree_util.tree_map(
            _shape_of, inputs, is_leaf=lambda x: isinstance(x, (KerasTensor, Variable))
        )
        build = type(self).build
        self._build_shapes_dict = {"input_shape": shape}  # what summary() reports shapes from
        with naming.name_scope(self.name):
            self._path = naming.scope_path()
        if _build_takes_shape(build):
            self.build(shape)
        else:
            self.build()
        self.built = True

    @property
    def batch_input_shape(self):
        """The input shape declared with `input_shape`, `input_dim` or `batch_input_shape`
        (batch dimension first), or None: a `Sequential` model starts with it."""
        return self._input_shape_arg

    def get_build_config(self):
        """The input shape the layer was built from, as Keras 3 saves it
        (`{"input_shape": ...}`), or None if it was not built from an input."""
        shapes = getattr(self, "_build_shapes_dict", None)
        if not shapes:
            return None
        if len(shapes) == 1:
            return {"input_shape": next(iter(shapes.values()))}
        return {"shapes_dict": shapes}  # a `build` of several shapes, by argument name

    def build_from_config(self, config):
        """Build from `get_build_config()`'s output (nothing to do for None)."""
        if config and config.get("input_shape") is not None:
            self.build(config["input_shape"])
        elif config and config.get("shapes_dict"):
            self.build(**config["shapes_dict"])

    def compute_output_shape(self, input_shape):
        """The output shape for `input_shape`, found by tracing `call` (no computation)."""
        return self.compute_output_spec(KerasTensor(input_shape, self.compute_dtype)).shape

    def compute_output_spec(self, *args, **kwargs):
        """KerasTensor(s) describing the output for KerasTensor inputs, by abstract tracing.

        Unknown (None) dimensions are traced with two different sizes; output dimensions that
        change with them are reported as None.
        """
        return _symbolic_output(self, args, kwargs)

    @property
    def dtype_policy(self):
        """The layer's `DTypePolicy`."""
        return self._dtype_policy

    @dtype_policy.setter
    def dtype_policy(self, value):
        """Set the policy (the layer's entry when its policy is a `DTypePolicyMap`). A
        quantized policy on a built, unquantized layer quantizes it with the mode's default
        config, as Keras (an unbuilt layer builds quantized variables instead)."""
        policy = dtype_policies.get(value)
        if isinstance(self._dtype_policy, DTypePolicyMap) and self.path:
            if self.path in self._dtype_policy:
                del self._dtype_policy[self.path]
            self._dtype_policy[self.path] = policy
        else:
            self._dtype_policy = policy
        mode = policy.quantization_mode
        if mode is not None and self.built and not self._is_quantized:
            if mode == "gptq":
                raise ValueError(
                    f"Implicitly enabling GPTQ quantization by setting `dtype_policy` to "
                    f"'{value}' is not supported. GPTQ requires a calibration dataset and a "
                    "`GPTQConfig` object.\n\nPlease use the `.quantize('gptq', config=...)` "
                    "method on the layer or model instead."
                )
            self.quantize(mode)

    @property
    def remat_mode(self):
        """The `RematMode` of the `RematScope` the layer was created in (None: no scope)."""
        return self._remat_mode

    def rematerialized_call(self, layer_call, *args, **kwargs):
        """`layer_call`, rematerialized as the layer's remat mode says (Keras 3's hook)."""
        if self._remat_mode is None:
            return layer_call
        return rematerialization.rematerialized_call(self, layer_call, args, kwargs)

    @property
    def path(self):
        """The layer's path (`outer/inner/name`): the name scopes it was built in."""
        return self._path

    def _own_policy(self):
        """The layer's policy: its entry in a `DTypePolicyMap` given as its dtype (by path)."""
        policy = self._dtype_policy
        if isinstance(policy, DTypePolicyMap) and self.path:
            return policy[self.path]
        return policy

    @property
    def _dtype(self):
        # The policy's name: what layers that forward their dtype to sublayers pass on.
        if isinstance(self._dtype_policy, DTypePolicyMap):
            return self._dtype_policy  # sublayers look their own paths up in it
        return self._dtype_policy.name

    @_dtype.setter
    def _dtype(self, value):
        self._dtype_policy = dtype_policies.get(value)

    @property
    def quantization_mode(self):
        """The layer's quantization mode (its policy's: `"int8"`, ...), None if not quantized."""
        return self._own_policy().quantization_mode

    def quantize(self, mode=None, type_check=True, config=None):
        """Quantize the layer's weights in place; layers that support it override this
        (Dense, EinsumDense, Embedding: layers/core/quantized_layer.py)."""
        raise NotImplementedError(
            f"Layer {type(self).__name__} does not have a `quantize` method implemented."
        )

    @property
    def dtype(self):
        """The dtype of the layer's weights (alias of `variable_dtype`, as in Keras)."""
        return self._own_policy().variable_dtype

    @property
    def variable_dtype(self):
        """The dtype of the layer's weights."""
        return self._own_policy().variable_dtype

    @property
    def compute_dtype(self):
        """The dtype the layer computes in: floating inputs are cast to it."""
        return self._own_policy().compute_dtype

    @property
    def input_dtype(self):
        """The dtype floating inputs are converted to (the compute dtype)."""
        return self.compute_dtype

    def _autocast_scope(self):
        """Keras 3's rule: the `AutocastScope` to run `call` in, or None to keep the current."""
        current = get_autocast_scope()
        if current is not None:
            if not self.autocast or not is_float_dtype(self.compute_dtype):
                return AutocastScope(None)
            if current.dtype != self.compute_dtype:
                return AutocastScope(self.compute_dtype)
            return None
        if self.compute_dtype != self.variable_dtype:
            return AutocastScope(self.compute_dtype)
        return None

    # ---------------------------------------------------------------------------- calling

    def call(self, *args, **kwargs):
        raise NotImplementedError(f"Layer {type(self).__name__} does not implement call().")

    def __call__(self, *args, **kwargs):
        if any_symbolic(args, kwargs):
            return self._symbolic_call(*args, **kwargs)
        training = kwargs.pop("training", None)
        if self._convert_input_args:
            # As Keras 3: floating arguments are cast to the compute dtype (unless autocast is
            # off); functional and sequential models leave that to their layers.
            convert = functools.partial(
                _convert_input, autocast=self.autocast, dtype=self.input_dtype
            )
            args, kwargs = jax.tree_util.tree_map(keeping_mask(convert), (args, kwargs),
                                                  is_leaf=_is_variable)
        else:
            args = jax.tree_util.tree_map(keeping_mask(_to_array), args, is_leaf=_is_variable)
        # The masks are this call's to handle, unless its symbolic call does (`_symbolic_output`).
        handles_masks = getattr(_context, "masks_handled_for", None) is not self
        _context.masks_handled_for = None  # the sublayers it calls handle theirs
        if handles_masks:
            kwargs, previous_mask, first_argument = fill_mask_arguments(self, args, kwargs)
        if args:
            self._maybe_build(args[0])
            if not isinstance(args[0], HostStaged):  # checked as raw inputs by the host stage
                assert_input_compatibility(self.input_spec, args[0], self.name)
        call_args = call_arguments(type(self).call)
        if training is None:
            training = _training_context()
        if "training" in call_args:
            if training is None:
                default = inspect.signature(type(self).call).parameters["training"].default
                training = None if default is inspect.Parameter.empty else default
            kwargs["training"] = training
        if "mask" in kwargs and "mask" not in call_args and kwargs["mask"] is None:
            kwargs.pop("mask")
        previous = _training_context()
        _context.training = training
        if previous is None:
            # An entry call forgets the last eager call's losses, pure calls (fit, predict,
            # stateless_call) included, as in Keras 3; a pure call's go to its scope.
            self._clear_eager_losses()
        autocast_scope = self._autocast_scope()
        try:
            with naming.name_scope(self.name):
                call = self.rematerialized_call(self.call, *args, **kwargs)
                if autocast_scope is None:
                    outputs = call(*args, **kwargs)
                else:
                    with autocast_scope:
                        outputs = call(*args, **kwargs)
        finally:
            _context.training = previous
        if handles_masks:
            attach_output_masks(self, first_argument, previous_mask, outputs)
        if self.activity_regularizer is not None:
            for output in jax.tree_util.tree_leaves(outputs):
                if hasattr(output, "ndim"):
                    penalty = self.activity_regularizer(output)
                    if output.ndim > 0:  # Keras normalizes by the batch size
                        penalty = penalty / output.shape[0]
                    self.add_loss(penalty)
        return outputs

    def symbolic_call(self, *args, **kwargs):
        """The call on KerasTensors: record a node, return the output specs (Keras 3's)."""
        return self._symbolic_call(*args, **kwargs)

    def _symbolic_call(self, *args, **kwargs):
        if args:
            self._maybe_build(args[0])
            if not isinstance(args[0], HostStaged):  # checked as raw inputs by the host stage
                assert_input_compatibility(self.input_spec, args[0], self.name)
        # The masks the inputs carry reach `call` while tracing, as Keras passes them; the
        # node records the call without them (a replay attaches the real ones again).
        filled, previous_mask, first_argument = fill_mask_arguments(self, args, kwargs)
        outputs = self.compute_output_spec(*args, **spec_kwargs(self, filled, kwargs))
        Node(self, args, kwargs, outputs)
        attach_output_masks(self, first_argument, previous_mask, outputs)
        return outputs

    @property
    def input(self):
        """The symbolic input of the layer's single call on symbolic tensors."""
        return self._single_node("input").args[0]

    @property
    def output(self):
        """The symbolic output of the layer's single call on symbolic tensors."""
        return self._single_node("output").outputs

    def _single_node(self, attribute):
        if not self.inbound_nodes:
            raise AttributeError(
                f"Layer '{self.name}' has never been called on a symbolic tensor and thus has no "
                f"defined {attribute}."
            )
        if len(self.inbound_nodes) > 1:
            raise AttributeError(
                f"Layer '{self.name}' has multiple inbound nodes, hence the notion of \"layer "
                f"{attribute}\" is ill-defined."
            )
        return self.inbound_nodes[0]

    # -------------------------------------------------------------------------- tracking

    def _tracked(self):
        """Sublayers, Variables and SeedGenerators held in attributes, in assignment order."""
        return self._held((Layer, Variable, SeedGenerator))

    def _held(self, kinds):
        """The objects of `kinds` held in the tracked attributes (also in lists, tuples and
        dicts, three levels deep), in assignment order, each once, the layer itself aside."""
        found = []

        def visit(value, depth):
            if isinstance(value, kinds):
                found.append(value)
            elif depth < 3 and isinstance(value, (list, tuple)):
                for item in value:
                    visit(item, depth + 1)
            elif depth < 3 and isinstance(value, dict):
                for item in value.values():
                    visit(item, depth + 1)

        for _, value in self.tracked_attributes():
            visit(value, 0)
        return _unique_by_id(x for x in found if x is not self)

    def tracked_attributes(self):
        """`(name, value)` of the attributes searched for sublayers, variables and seed
        generators: all but the `untracked_attributes` of the layer's classes."""
        untracked = _skipped_attributes(type(self))
        return [(key, value) for key, value in vars(self).items() if key not in untracked]

    @property
    def sublayers(self):
        """The layers this layer holds directly, in the order Keras saves their weights."""
        return [x for x in self._tracked() if isinstance(x, Layer)]

    @property
    def own_weights(self):
        """This layer's own weights, trainable then non-trainable (no sublayer's)."""
        own, _ = self._own_state()
        return self._keras_weight_order(own)

    def _keras_weight_order(self, variables):
        """`variables` in Keras 3's weight order: those created trainable, then the others.

        A weight frozen after its creation (`variable.trainable = False`, as `enable_lora`
        does to a kernel) keeps its place, as in Keras, whose layers list weights by their
        trainability at creation."""
        created = [self._created_trainable.get(id(v), v.trainable) for v in variables]
        return ([v for v, t in zip(variables, created) if t]
                + [v for v, t in zip(variables, created) if not t])

    def rows_independent(self, training):
        """Whether this layer's own computation treats the rows of a batch independently (in
        training mode when `training`): the trainer then pads a last, smaller batch to the
        full size (`jkeras.trainers.batch_padding`). Only jkeras's own layers are asked."""
        return True

    def check_host_input(self, value):
        """Raise for a numpy input (`value`) that compiled code could not reject (Embedding's
        out-of-range indices). The trainer calls it once per `fit`/`evaluate`/`predict`,
        before any step, on the array of `x` the layer reads as it is; nothing by default."""

    def _own_state(self, tracked=None):
        """`(own variables, own seed generators' states)`; `tracked`: `self._tracked()` when
        the caller has it already."""
        if tracked is None:
            tracked = self._tracked()
        variables = self._own_variables + [x for x in tracked if isinstance(x, Variable)]
        seeds = [x.state for x in tracked if isinstance(x, SeedGenerator)]
        return _unique_by_id(variables), seeds

    def _flatten(self, include_seeds):
        tracked = self._tracked()  # one walk serves the own state and the sublayers
        own, seeds = self._own_state(tracked)
        result = self._keras_weight_order(own)
        if include_seeds:
            result += seeds
        for layer in tracked:
            if isinstance(layer, Layer):
                result += layer._flatten(include_seeds)
        return _unique_by_id(result)

    @property
    def variables(self):
        """All state: weights and the seed generators' states."""
        return self._flatten(include_seeds=True)

    @property
    def weights(self):
        """Trainable then non-trainable weights, sublayers' after the layer's own."""
        return self._flatten(include_seeds=False)

    @property
    def trainable_weights(self):
        return [v for v in self.weights if v.trainable] if self.trainable else []

    @property
    def non_trainable_weights(self):
        if not self.trainable:
            return self.weights
        return [v for v in self.weights if not v.trainable]

    @property
    def trainable_variables(self):
        return self.trainable_weights

    @property
    def non_trainable_variables(self):
        """Non-trainable weights plus seed states: the state `stateless_call` threads through.

        The complement of `trainable_variables` within `variables` (seed states are never
        trainable), from one walk over the layers."""
        variables = self.variables
        if not self.trainable:
            return variables
        return [v for v in variables if not v.trainable]

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        value = bool(value)
        self._trainable = value
        own, _ = self._own_state()
        for variable in own:
            # Only weights created trainable follow the layer (state such as moving statistics
            # stays non-trainable), as in Keras 3.
            if self._created_trainable.get(id(variable), variable.trainable):
                variable.trainable = value
        for layer in self.sublayers:
            layer.trainable = value

    def add_loss(self, loss):
        """Add a scalar to the training loss (e.g. from `call`). Inside a pure call it is
        collected by the stateless scope and returned, never stored on the object."""
        scope = current_scope()
        if scope is not None:
            scope.add_loss(loss)
        else:
            self._eager_losses.append(loss)

    def _clear_eager_losses(self):
        self._eager_losses = []
        for layer in self.sublayers:
            layer._clear_eager_losses()

    @property
    def losses(self):
        """Weight regularization penalties (from the current values: inside a pure call, the
        traced ones) plus, outside pure calls, the losses added by the last call if it was
        eager (a later pure call, such as `fit`'s, clears them as in Keras 3)."""
        result = []
        if current_scope() is None:
            result += self._collect_eager_losses()
        for variable in self.weights:
            regularizer = getattr(variable, "regularizer", None)
            if regularizer is not None:
                result.append(regularizer(variable.value))
        return result

    def _collect_eager_losses(self):
        result = list(self._eager_losses)
        for layer in self.sublayers:
            result += layer._collect_eager_losses()
        return result

    def compute_mask(self, inputs, previous_mask):
        """The mask of the outputs, given the inputs' mask: passed through by default."""
        return previous_mask

    def count_params(self):
        """The number of scalars in the layer's weights."""
        if not self.built:
            raise ValueError(
                f"You tried to call `count_params` on layer '{self.name}', but the layer isn't "
                "built. You can build it manually via: `layer.build(input_shape)`."
            )
        return int(sum(np.prod(v.shape) for v in self.weights))

    def get_weights(self):
        """The weights' values as a list of numpy arrays (copies)."""
        return [np.array(v.value) for v in self.weights]

    def set_weights(self, weights):
        """Assign numpy arrays to the weights, in `weights` order; shapes must match.

        Nothing is assigned unless every array fits, so a failed call leaves the layer intact.
        """
        variables = self.weights
        if len(weights) != len(variables):
            raise ValueError(
                f"Layer '{self.name}' expects {len(variables)} weights, but the provided list "
                f"has {len(weights)} elements."
            )
        arrays = []
        for variable, value in zip(variables, weights):
            value = np.asarray(value)
            if tuple(value.shape) != variable.shape:
                raise ValueError(
                    f"Layer '{self.name}' weight shape mismatch for '{variable.path}': expected "
                    f"{variable.shape}, received {tuple(value.shape)}."
                )
            arrays.append(value)
        for variable, value in zip(variables, arrays):
            variable.assign(value)

    # ------------------------------------------------------------------------ config

    def get_config(self):
        """The constructor arguments that recreate this layer (without its weights)."""
        config_ = {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": dtype_policies.serialize(self._dtype_policy),
        }
        if self.activity_regularizer is not None:
            config_["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        if self._input_shape_arg is not None:
            config_["batch_input_shape"] = self._input_shape_arg
        return config_

    @classmethod
    def from_config(cls, config_):
        return cls(**config_)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


@functools.cache
def _skipped_attributes(cls):
    return frozenset(name for klass in cls.__mro__
                     for name in klass.__dict__.get("untracked_attributes", ()))


def _wrap_build(build):
    @functools.wraps(build)
    def wrapped(self, *args, **kwargs):
        with naming.name_scope(self.name):
            result = build(self, *args, **kwargs)
        # A direct `build(shape)` (or `build_from_config`) is recorded, by argument name, for
        # `get_build_config`, as Keras 3 records every build; not a build given data (a
        # functional model's `build(batch)`, a no-op), which no config could hold.
        if (args or kwargs) and not any(hasattr(leaf, "dtype")
                                        for leaf in jax.tree_util.tree_leaves((args, kwargs))):
            arguments = inspect.signature(build).bind(self, *args, **kwargs).arguments
            self._build_shapes_dict = {k: v for k, v in list(arguments.items())[1:]}
        self.built = True
        return result

    return wrapped


def _symbolic_output(layer, args, kwargs):
    """Run the layer abstractly on KerasTensors (see `keras_tensor.output_spec`)."""

    # A fresh concrete key: weights created while tracing (sublayers built lazily inside the
    # call) draw from it, and no layer's own seed state is consumed by shape inference.
    with concrete():
        throwaway_key = draw_key(None)

    def call(*call_args, **call_kwargs):
        previous = getattr(_context, "masks_handled_for", None)
        _context.masks_handled_for = layer  # its symbolic call fills and attaches its masks
        try:
            with StatelessScope(rng=throwaway_key):
                return layer(*call_args, **call_kwargs)
        finally:
            _context.masks_handled_for = previous

    return output_spec(call, args, kwargs)
