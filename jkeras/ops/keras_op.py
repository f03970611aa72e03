"""`keras_op`: what turns a function over arrays into a public `jkeras.ops` op.

The wrapped op
- runs the function on arrays (eagerly, or under `jax.jit`/`grad`/`vmap` on tracers);
- on symbolic `KerasTensor`s, records a graph node whose outputs' shapes and dtypes come from
  abstract tracing of the same function (`keras_tensor.output_spec`, unknown dimensions probed
  at two sizes, then at two larger ones if those fail: a split in three needs a multiple of 3)
  or from the op's own `spec` where tracing cannot tell (data-dependent output sizes) or
  where Keras's shape rule differs (an unknown dimension broadcast against a known one);
- when the function fails, runs the op's argument `checks` (jkeras/ops/errors.py), which
  raise an error naming the op and the argument, instead of JAX's.

The checks are signature-driven and cost nothing on the success path.
"""

import functools
import inspect

import jax
import jax.numpy as jnp

from jkeras.core.keras_tensor import KerasTensor, Node, Operation, output_spec
from jkeras.ops.errors import check_broadcastable

_SMALL_PROBES, _LARGE_PROBES = (2, 3), (60, 120)


def _symbolic(value):
    if isinstance(value, KerasTensor):
        return True
    if isinstance(value, (list, tuple)):
        return any(_symbolic(v) for v in value)
    if isinstance(value, dict):
        return any(_symbolic(v) for v in value.values())
    return False


def probed_spec(fn, args, kwargs):
    """The KerasTensors `fn(*args, **kwargs)` gives, by abstract tracing."""
    try:
        return output_spec(fn, args, kwargs, _SMALL_PROBES)
    except Exception as error:  # noqa: BLE001 - retried at sizes divisible by more factors.
        try:
            return output_spec(fn, args, kwargs, _LARGE_PROBES)
        except Exception:  # noqa: BLE001
            raise error from None


def keras_op(fn=None, *, spec=None, broadcast=(), checks=(), name=None):
    """Make `fn` a public op (see the module docstring).

    Args:
        fn: The op's function over arrays.
        spec: Optional `spec(*args, **kwargs) -> KerasTensor structure` for symbolic calls.
        broadcast: For elementwise ops, the names of the tensor arguments broadcast
            together: the symbolic shape follows Keras's broadcasting of unknown dimensions,
            and a failure checks that they broadcast.
        checks: Argument checks `check(op_name, arguments)` run when `fn` raises.
        name: The op's name (default: `fn.__name__`), shown in model summaries.
    """
    if fn is None:
        return functools.partial(keras_op, spec=spec, broadcast=broadcast, checks=checks,
                                 name=name)
    op_name = name or fn.__name__
    signature = inspect.signature(fn)
    if broadcast:
        spec = spec or broadcast_spec(fn, *broadcast)
        checks = (check_broadcastable(*broadcast), *checks)

    def diagnose(args, kwargs):
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError:
            return  # Python's own error for a wrong call is clear.
        bound.apply_defaults()
        for check in checks:
            check(op_name, bound.arguments)

    def record(args, kwargs):
        try:
            outputs = spec(*args, **kwargs) if spec else probed_spec(fn, args, kwargs)
        except (TypeError, ValueError, IndexError):
            diagnose(args, kwargs)
            raise
        Node(Operation(fn, op_name), args, kwargs, outputs)
        return outputs

    @functools.wraps(fn)
    def op(*args, **kwargs):
        for value in args:
            if isinstance(value, KerasTensor) or (
                isinstance(value, (list, tuple)) and _symbolic(value)
            ):
                return record(args, kwargs)
        if kwargs and _symbolic(kwargs):
            return record(args, kwargs)
        try:
            return fn(*args, **kwargs)
        except (TypeError, ValueError, IndexError):
            diagnose(args, kwargs)
            raise

    return op


def broadcast_shapes(*shapes):
    """Keras's broadcasting of shapes with unknown (None) dimensions: None with 1 is None,
    None with a known size is that size."""
    rank = max((len(s) for s in shapes), default=0)
    result = []
    for position in range(rank, 0, -1):
        sizes = [s[-position] for s in shapes if len(s) >= position]
        known = {d for d in sizes if d is not None and d != 1}
        if len(known) > 1:
            raise ValueError(f"Cannot broadcast the shapes {list(shapes)} together.")
        if known:
            result.append(known.pop())
        else:
            result.append(None if None in sizes else 1)
    return tuple(result)


def broadcast_spec(fn, *tensor_names):
    """A `spec` for elementwise ops: Keras's broadcast shape of the tensor arguments
    `tensor_names`, the dtype from abstract tracing."""
    signature = inspect.signature(fn)

    def spec(*args, **kwargs):
        arguments = signature.bind(*args, **kwargs).arguments
        shapes = [tuple(getattr(arguments[n], "shape", ())) for n in tensor_names
                  if arguments.get(n) is not None]
        return KerasTensor(broadcast_shapes(*shapes), dtype_spec(fn, args, kwargs))

    return spec


def dtype_spec(fn, args, kwargs):
    """The dtype name `fn(*args, **kwargs)` gives for KerasTensor arguments (unknown
    dimensions taken as 1)."""

    def struct(value):
        if isinstance(value, KerasTensor):
            return jax.ShapeDtypeStruct(tuple(1 if d is None else d for d in value.shape),
                                        value.dtype)
        return value

    leaves, tree = jax.tree_util.tree_flatten(
        (args, kwargs), is_leaf=lambda v: isinstance(v, KerasTensor))
    positions = [i for i, leaf in enumerate(leaves) if isinstance(leaf, KerasTensor)]

    def run(*tensors):
        filled = list(leaves)
        for position, tensor in zip(positions, tensors):
            filled[position] = tensor
        call_args, call_kwargs = jax.tree_util.tree_unflatten(tree, filled)
        return fn(*call_args, **call_kwargs)

    result = jax.eval_shape(run, *[struct(leaves[i]) for i in positions])
    return jnp.dtype(result.dtype).name
