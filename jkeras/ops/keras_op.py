"""`keras_op`: what turns a function over arrays into a public `jkeras.ops` op.

The wrapped op
- runs the function on arrays (eagerly, or under `jax.jit`/`grad`/`vmap` on tracers);
- on symbolic `KerasTensor`s, records a graph node whose outputs' shapes and dtypes come from
  abstract tracing of the same function (`probed_spec`: unknown dimensions traced at three
  sizes) or from the op's own `spec` where tracing cannot tell (data-dependent output sizes)
  or where Keras's shape rule differs (an unknown dimension broadcast against a known one);
- when the function fails, runs the op's argument `checks` (jkeras/ops/errors.py), which
  raise an error naming the op and the argument, instead of JAX's.

The checks are signature-driven and cost nothing on the success path.
"""

import functools
import inspect

import jax
import jax.numpy as jnp

from jkeras.core.keras_tensor import KerasTensor, Node, Operation, abstract_call
from jkeras.ops.errors import check_broadcastable

# Sizes unknown dimensions are traced at. Three sizes from 1 tell the dimensions that depend on
# them (`x[:2]` on an unknown axis); larger ones serve ops that need divisible sizes (`split`)
# or that treat size 1 specially (`squeeze`).
_PROBES = ((1, 2, 3), (2, 3, 4), (60, 120, 180))


_MAY_HOLD_TENSORS = (KerasTensor, list, tuple, dict)


def _symbolic(value):
    if isinstance(value, KerasTensor):
        return True
    if isinstance(value, (list, tuple)):
        return any(_symbolic(v) for v in value)
    if isinstance(value, dict):
        return any(_symbolic(v) for v in value.values())
    return False


def _merge(results):
    """KerasTensors for the traced outputs `results` (one per probe size): dimensions that
    differ between probes are None; None if the probes disagree on structure or ranks."""
    first_leaves, tree = jax.tree_util.tree_flatten(results[0])
    others = [jax.tree_util.tree_flatten(r) for r in results[1:]]
    if any(other_tree != tree for _, other_tree in others):
        return None
    merged = []
    for index, leaf in enumerate(first_leaves):
        shapes = [leaf.shape] + [leaves[index].shape for leaves, _ in others]
        if len({len(shape) for shape in shapes}) > 1:
            return None
        dims = tuple(d if all(s[i] == d for s in shapes) else None
                     for i, d in enumerate(leaf.shape))
        merged.append(KerasTensor(dims, jnp.dtype(leaf.dtype).name))
    return jax.tree_util.tree_unflatten(tree, merged)


def probed_spec(fn, args, kwargs):
    """The KerasTensors `fn(*args, **kwargs)` gives, by abstract tracing: unknown dimensions
    take each size of a probe; output dimensions that vary with them are unknown."""
    trace = abstract_call(fn, args, kwargs)
    if not trace.has_unknown:
        return _merge([trace(None)])
    first_error = None
    for sizes in _PROBES:
        try:
            merged = _merge([trace(size) for size in sizes])
        except Exception as error:  # noqa: BLE001 - the next probe sizes may work.
            first_error = first_error or error
            continue
        if merged is not None:
            return merged
    raise first_error or ValueError(
        f"{getattr(fn, '__name__', fn)}: cannot infer the output shapes for inputs with "
        "unknown dimensions.")


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
            if isinstance(value, _MAY_HOLD_TENSORS) and _symbolic(value):
                return record(args, kwargs)
        for value in kwargs.values():
            if isinstance(value, _MAY_HOLD_TENSORS) and _symbolic(value):
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
    return jnp.dtype(abstract_call(fn, args, kwargs)(1).dtype).name
