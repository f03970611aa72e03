"""Which values of a traced function depend on which rows of its batch: a dataflow analysis of
the function's jaxpr. The trainer pads an epoch's last, smaller batch (`batch_padding`) when the
model's forward pass treats rows independently; for layers it cannot vouch for (user layers,
operations on symbolic tensors) this analysis decides.

Each value of the jaxpr gets a dependence:

- `None`: it depends neither on the batch's data nor on its size (weights, constants);
- `Rows(axis, inner)`: along `axis` (of size `batch * inner`), elements `i * inner` to
  `(i + 1) * inner - 1` depend on row `i` of the batch alone (and on values that are `None`);
- `MIXED`: it may combine rows, or depend on how many there are.

The function is traced twice, the second time with one row more, and the two jaxprs read side by side: an axis
whose length changes with the batch size is a batch axis (so `ones_like(x)` or a random draw
of the batch's shape counts as row by row, and summing it over the batch is `MIXED`), and a
constant, literal or parameter that changes with it (`x / batch_size`) makes its results
`MIXED`. The rules below cover the primitives models are made of; any other primitive with an
input that depends on the batch makes its outputs `MIXED`, so the analysis errs only towards
"not independent". Calls (`jit`, custom derivatives, `remat`) are analysed inside, loops
(`scan`, `while`) iterated to a fixed point, and `cond` joins its branches.
"""

import dataclasses
import math

import numpy as np
from jax import extend as jax_extend

MIXED = "mixed"


@dataclasses.dataclass(frozen=True)
class Rows:
    """Depends row by row on the batch along `axis`, `inner` elements per row."""

    axis: int
    inner: int = 1


def output_dependence(closed_jaxpr, other_jaxpr, input_dependence):
    """The dependence of each output of `closed_jaxpr` (a `jax.make_jaxpr` result) given its
    inputs' (a list: `None`, `Rows` or `MIXED` per flat input); `other_jaxpr` is the same
    function traced with one row more."""
    try:
        return _called(closed_jaxpr, other_jaxpr, input_dependence)
    except _Unmatched:  # the traces differ beyond their shapes: the batch size steers the code
        return [MIXED] * len(closed_jaxpr.jaxpr.outvars)


def join(a, b):
    """The dependence of a value that may be either `a` or `b`."""
    if a is None:
        return b
    if b is None or a == b:
        return a
    return MIXED


class _Unmatched(Exception):
    """The two traces are not the same program at two batch sizes."""


# Parameters not compared between the traces: shapes (they change with the batch size) and
# custom derivative rules (only the forward pass is analysed).
_UNCOMPARED_PARAMETERS = frozenset({
    "shape", "new_sizes", "limit_indices", "slice_sizes", "jvp", "jvp_jaxpr_fun",
    "jvp_jaxpr_thunk", "fwd_jaxpr_thunk", "bwd", "out_trees"})


def _called(jaxpr, other, input_dependence):
    """Analyse a jaxpr (closed, or open as `remat`'s) beside its trace at another batch size."""
    consts, other_consts = getattr(jaxpr, "consts", []), getattr(other, "consts", [])
    jaxpr, other = getattr(jaxpr, "jaxpr", jaxpr), getattr(other, "jaxpr", other)
    if len(consts) != len(other_consts) or len(jaxpr.eqns) != len(other.eqns):
        raise _Unmatched
    env = {}
    for var, a, b in zip(jaxpr.constvars, consts, other_consts):
        same = np.shape(a) == np.shape(b) and np.array_equal(a, b)
        env[var] = None if same else _by_shape(None, np.shape(a), np.shape(b))
    env.update(zip(jaxpr.invars, input_dependence))

    def read(var):
        return None if isinstance(var, jax_extend.core.Literal) else env[var]

    for eqn, twin in zip(jaxpr.eqns, other.eqns):
        dependence = [read(var) for var in eqn.invars]
        if not _same_parameters(eqn, twin):
            outputs = [MIXED] * len(eqn.outvars)  # the batch size is read as a value
        elif all(d is None for d in dependence):
            outputs = [None] * len(eqn.outvars)
        elif MIXED in dependence:
            outputs = [MIXED] * len(eqn.outvars)
        elif eqn.primitive.name in _CALL_RULES:
            outputs = _CALL_RULES[eqn.primitive.name](eqn, twin, dependence)
        else:
            rule = _RULES.get(eqn.primitive.name)
            outputs = rule(eqn, dependence) if rule else [MIXED] * len(eqn.outvars)
        for var, twin_var, d in zip(eqn.outvars, twin.outvars, outputs):
            env[var] = _by_shape(d, _shape(var), _shape(twin_var))
    return [read(var) for var in jaxpr.outvars]


def _same_parameters(eqn, twin):
    """Whether `twin` is the same operation as `eqn`, its shapes aside (raise `_Unmatched`
    when it is another operation)."""
    if (eqn.primitive is not twin.primitive or len(eqn.invars) != len(twin.invars)
            or len(eqn.outvars) != len(twin.outvars)):
        raise _Unmatched
    for a, b in zip(eqn.invars, twin.invars):
        if isinstance(a, jax_extend.core.Literal) != isinstance(b, jax_extend.core.Literal):
            raise _Unmatched
        if isinstance(a, jax_extend.core.Literal) and not _equal(a.val, b.val):
            return False
    for name, value in eqn.params.items():
        other = twin.params[name]
        if name in _UNCOMPARED_PARAMETERS or callable(value) or _is_jaxpr(value):
            continue  # shapes may change; called jaxprs are compared as they are analysed
        if isinstance(value, (tuple, list)) and any(_is_jaxpr(v) for v in value):
            continue
        if not _equal(value, other):
            return False
    return True


def _is_jaxpr(value):
    return isinstance(value, (jax_extend.core.ClosedJaxpr, jax_extend.core.Jaxpr))


def _equal(a, b):
    """Equal parameters or literals (NaN equals NaN: gathers' fill values are NaN)."""
    numbers = (np.ndarray, np.generic, float, int, complex)
    if isinstance(a, numbers) and isinstance(b, numbers):
        a, b = np.asarray(a), np.asarray(b)
        inexact = np.issubdtype(a.dtype, np.inexact) and np.issubdtype(b.dtype, np.inexact)
        return a.shape == b.shape and np.array_equal(a, b, equal_nan=inexact)
    return bool(a == b)


def _by_shape(dependence, shape, other_shape):
    """`dependence` checked against the value's shapes in the two traces: the axis whose length
    changes is the batch axis (a value of `None` with one becomes `Rows`); none, several, or
    lengths not a multiple of the batch size make it `MIXED`."""
    if dependence is MIXED or len(shape) != len(other_shape):
        return MIXED
    changed = [axis for axis, (a, b) in enumerate(zip(shape, other_shape)) if a != b]
    if not changed:
        return MIXED if isinstance(dependence, Rows) else None
    if len(changed) > 1:
        return MIXED
    axis = changed[0]
    inner = other_shape[axis] - shape[axis]  # the other trace has one row more
    if inner <= 0 or shape[axis] % inner or (dependence is not None
                                             and dependence != Rows(axis, inner)):
        return MIXED
    return Rows(axis, inner)


def _shape(var):
    return tuple(var.aval.shape)


def _batch(var, rows):
    """The batch size of `var` (whose dependence is `rows`)."""
    return _shape(var)[rows.axis] // rows.inner


def _all_equal(dependence):
    """The one `Rows` shared by the operands that depend on the batch, or MIXED."""
    found = {d for d in dependence if d is not None}
    return found.pop() if len(found) == 1 else MIXED


# ------------------------------------------------------------------------------- the rules
# Each rule takes the equation and its operands' dependence (`None` or `Rows`, at least one
# `Rows`) and gives its outputs'.


def _elementwise(eqn, dependence):
    """Operands of one shape (or scalars), combined element by element."""
    return [_all_equal(dependence)] * len(eqn.outvars)


def _per_operand(eqn, dependence):
    """Each output is its operand (identities over several operands)."""
    return list(dependence)


def _same_leading_axes(eqn, dependence):
    """Shapes that only change trailing axes (`bitcast_convert_type` across widths)."""
    rows = _all_equal(dependence)
    if rows is MIXED:
        return [MIXED] * len(eqn.outvars)
    out = []
    for var in eqn.outvars:
        shape = _shape(var)
        keeps = rows.axis < len(shape) and shape[rows.axis] == _shape(eqn.invars[0])[rows.axis]
        out.append(rows if keeps else MIXED)
    return out


def _without_axes(rows, axes):
    """After removing `axes`: MIXED if the batch axis is one of them."""
    if rows.axis in axes:
        return MIXED
    return Rows(rows.axis - sum(a < rows.axis for a in axes), rows.inner)


def _reduction(eqn, dependence):
    return [_without_axes(dependence[0], tuple(eqn.params["axes"]))] * len(eqn.outvars)


def _along_axis(eqn, dependence):
    """Operations along one axis (`cumsum`, `sort`, `split`, ...): MIXED along the batch axis."""
    rows = _all_equal(dependence)
    axis = eqn.params.get("axis", eqn.params.get("dimension"))
    if rows is MIXED or rows.axis == axis:
        return [MIXED] * len(eqn.outvars)
    return [rows] * len(eqn.outvars)


def _last_axis(eqn, dependence):
    """`top_k`: along the last axis."""
    rows = dependence[0]
    last = len(_shape(eqn.invars[0])) - 1
    return [MIXED if rows.axis == last else rows] * len(eqn.outvars)


def _squeeze(eqn, dependence):
    return [_without_axes(dependence[0], tuple(eqn.params["dimensions"]))]


def _transpose(eqn, dependence):
    rows = dependence[0]
    return [Rows(list(eqn.params["permutation"]).index(rows.axis), rows.inner)]


def _broadcast_in_dim(eqn, dependence):
    if any(d is not None for d in dependence[1:]):  # dynamic shapes
        return [MIXED]
    rows = dependence[0]
    return [Rows(eqn.params["broadcast_dimensions"][rows.axis], rows.inner)]


def _reshape(eqn, dependence):
    """The batch axis may merge with the axes after it (`inner` grows) or split from them, as
    long as each row's elements stay one contiguous block."""
    rows = dependence[0]
    if eqn.params.get("dimensions") is not None or any(d is not None for d in dependence[1:]):
        return [MIXED]
    old, new = _shape(eqn.invars[0]), tuple(eqn.params["new_sizes"])
    batch, before = _batch(eqn.invars[0], rows), math.prod(old[:rows.axis])
    for axis in range(len(new)):
        if math.prod(new[:axis]) == before and new[axis] % batch == 0:
            return [Rows(axis, new[axis] // batch)]
        if math.prod(new[:axis]) > before:
            break
    return [MIXED]


def _concatenate(eqn, dependence):
    rows = _all_equal(dependence)
    return [MIXED if rows is MIXED or rows.axis == eqn.params["dimension"] else rows]


def _stack(eqn, dependence):
    rows, axis = _all_equal(dependence), eqn.params["axis"]
    if rows is MIXED:
        return [MIXED]
    return [Rows(rows.axis + (rows.axis >= axis), rows.inner)]


def _whole_batch_axis(eqn, rows, starts, sizes, strides=None):
    """Slicing ops: the batch axis must be taken whole."""
    axis = rows.axis
    full = _shape(eqn.invars[0])[axis]
    whole = starts[axis] == 0 and sizes[axis] == full and (strides is None or strides[axis] == 1)
    return rows if whole else MIXED


def _slice(eqn, dependence):
    p = eqn.params
    rows = dependence[0]
    sizes = [limit - start for start, limit in zip(p["start_indices"], p["limit_indices"])]
    return [_whole_batch_axis(eqn, rows, p["start_indices"], sizes, p["strides"])]


def _dynamic_slice(eqn, dependence):
    rows = dependence[0]
    if rows is None or any(d is not None for d in dependence[1:]):  # data-dependent starts
        return [MIXED]
    sizes = eqn.params["slice_sizes"]
    return [rows if sizes[rows.axis] == _shape(eqn.invars[0])[rows.axis] else MIXED]


def _dynamic_update_slice(eqn, dependence):
    operand, update, *starts = dependence
    rows = _all_equal([operand, update])
    if rows is MIXED or any(d is not None for d in starts):
        return [MIXED]
    whole = _shape(eqn.invars[1])[rows.axis] == _shape(eqn.invars[0])[rows.axis]
    return [rows if whole or update is None else MIXED]


def _pad(eqn, dependence):
    rows, value = dependence
    if rows is None or value is not None:
        return [MIXED]
    return [rows if tuple(eqn.params["padding_config"][rows.axis]) == (0, 0, 0) else MIXED]


def _rev(eqn, dependence):
    rows = dependence[0]
    return [MIXED if rows.axis in eqn.params["dimensions"] else rows]


def _dot_general(eqn, dependence):
    (lhs_contract, rhs_contract), (lhs_batch, rhs_batch) = eqn.params["dimension_numbers"]
    ranks = [len(_shape(var)) for var in eqn.invars]
    contract, batch = (lhs_contract, rhs_contract), (lhs_batch, rhs_batch)
    free = [[d for d in range(ranks[i]) if d not in contract[i] and d not in batch[i]]
            for i in (0, 1)]
    placed = []
    for side, rows in enumerate(dependence):
        if rows is None:
            continue
        if rows.axis in contract[side]:
            return [MIXED]
        if rows.axis in batch[side]:
            placed.append(("batch", Rows(list(batch[side]).index(rows.axis), rows.inner)))
        else:
            offset = len(lhs_batch) + (len(free[0]) if side else 0)
            placed.append(("free", Rows(offset + free[side].index(rows.axis), rows.inner)))
    if len(placed) == 2 and not (placed[0][0] == placed[1][0] == "batch"
                                 and placed[0][1] == placed[1][1]):
        return [MIXED]  # both operands' rows meet: an outer product across rows
    return [placed[0][1]]


def _conv(eqn, dependence):
    lhs, rhs = dependence
    numbers = eqn.params["dimension_numbers"]
    if rhs is not None or eqn.params["batch_group_count"] != 1 or lhs.axis != numbers.lhs_spec[0]:
        return [MIXED]
    return [Rows(numbers.out_spec[0], lhs.inner)]


def _reduce_window(eqn, dependence):
    p = eqn.params
    count = len(eqn.outvars)
    operands, inits = dependence[:count], dependence[count:]
    rows = _all_equal(operands)
    if rows is MIXED or any(d is not None for d in inits):
        return [MIXED] * count
    axis = rows.axis
    whole = (p["window_dimensions"][axis] == 1 and p["window_strides"][axis] == 1
             and tuple(p["padding"][axis]) == (0, 0) and p["base_dilation"][axis] == 1)
    return [rows if whole else MIXED] * count


def _gather(eqn, dependence):
    operand, indices = dependence
    numbers, slice_sizes = eqn.params["dimension_numbers"], eqn.params["slice_sizes"]
    out_rank = len(_shape(eqn.outvars[0]))
    index_rank = len(_shape(eqn.invars[1]))
    offset_dims = [int(d) for d in numbers.offset_dims]
    batch_positions = [d for d in range(out_rank) if d not in offset_dims]
    operand_batching = [int(d) for d in numbers.operand_batching_dims]
    indices_batching = [int(d) for d in numbers.start_indices_batching_dims]
    if operand is None:  # a lookup (embeddings): the indices' rows pick rows of the output
        if indices.axis == index_rank - 1:
            return [MIXED]
        return [Rows(batch_positions[indices.axis], indices.inner)]
    if operand.axis in operand_batching:  # a batched gather: row i reads row i's operand
        axis = indices_batching[operand_batching.index(operand.axis)]
        if indices is None or indices == Rows(axis, operand.inner):
            return [Rows(batch_positions[axis], operand.inner)]
        return [MIXED]
    if indices is None:  # slices of the operand that take its batch axis whole
        skipped = {int(d) for d in numbers.collapsed_slice_dims} | set(operand_batching)
        if (operand.axis in skipped or operand.axis in {int(d) for d in numbers.start_index_map}
                or slice_sizes[operand.axis] != _shape(eqn.invars[0])[operand.axis]):
            return [MIXED]
        kept = [d for d in range(len(slice_sizes)) if d not in skipped]
        return [Rows(offset_dims[kept.index(operand.axis)], operand.inner)]
    return [MIXED]


def _call(eqn, twin, dependence):
    name = next((n for n in ("jaxpr", "call_jaxpr") if n in eqn.params), None)
    if name is None:  # a call whose body this jax version keeps elsewhere
        return [MIXED] * len(eqn.outvars)
    return _called(eqn.params[name], twin.params[name], dependence)


def _fixed_point(body, carry, bound=8):
    """Join `carry` with `body(carry)` until it stops changing (MIXED after `bound` rounds)."""
    for _ in range(bound):
        new = [join(old, d) for old, d in zip(carry, body(carry))]
        if new == carry:
            return carry
        carry = new
    return [MIXED] * len(carry)


def _scan(eqn, twin, dependence):
    p = eqn.params
    n_consts, n_carry = p["num_consts"], p["num_carry"]
    consts, carry, xs = (dependence[:n_consts], dependence[n_consts:n_consts + n_carry],
                         dependence[n_consts + n_carry:])
    if any(x.axis == 0 for x in xs if x is not None):
        return [MIXED] * len(eqn.outvars)  # scanning along the batch axis

    sliced = [None if x is None else Rows(x.axis - 1, x.inner) for x in xs]

    def body(carry):
        return _called(p["jaxpr"], twin.params["jaxpr"], consts + carry + sliced)

    carry = _fixed_point(lambda c: body(c)[:n_carry], carry)
    ys = [y if y in (None, MIXED) else Rows(y.axis + 1, y.inner) for y in body(carry)[n_carry:]]
    return carry + ys


def _while(eqn, twin, dependence):
    p, q = eqn.params, twin.params
    n_cond, n_body = p["cond_nconsts"], p["body_nconsts"]
    cond_consts, body_consts = dependence[:n_cond], dependence[n_cond:n_cond + n_body]
    carry = _fixed_point(lambda c: _called(p["body_jaxpr"], q["body_jaxpr"], body_consts + c),
                         dependence[n_cond + n_body:])
    if _called(p["cond_jaxpr"], q["cond_jaxpr"], cond_consts + carry)[0] is not None:
        return [MIXED] * len(eqn.outvars)  # the data decides how often the loop runs
    return carry


def _cond(eqn, twin, dependence):
    if dependence[0] is not None:
        return [MIXED] * len(eqn.outvars)  # the data picks the branch
    outputs = [_called(branch, other, dependence[1:])
               for branch, other in zip(eqn.params["branches"], twin.params["branches"])]
    joined = outputs[0]
    for other in outputs[1:]:
        joined = [join(a, b) for a, b in zip(joined, other)]
    return joined


_ELEMENTWISE = (
    "abs", "acos", "acosh", "add", "and", "asin", "asinh", "atan", "atan2", "atanh", "cbrt",
    "ceil", "clamp", "clz", "conj", "convert_element_type", "copy", "copy_p", "cos", "cosh",
    "digamma", "div", "eq", "erf", "erf_inv", "erfc", "exp", "exp2", "expm1", "floor", "ge",
    "gt", "imag", "integer_pow", "is_finite", "le", "lgamma", "log", "log1p", "logistic", "lt",
    "max", "min", "mul", "ne", "neg", "nextafter", "not", "or", "population_count", "pow",
    "real", "reduce_precision", "rem", "round", "rsqrt", "select_n", "shift_left",
    "shift_right_arithmetic", "shift_right_logical", "sign", "sin", "sinh", "sqrt", "square",
    "stop_gradient", "sub", "tan", "tanh", "xor",
)

_RULES = {name: _elementwise for name in _ELEMENTWISE}
_RULES.update({name: _reduction for name in (
    "reduce_sum", "reduce_max", "reduce_min", "reduce_prod", "reduce_and", "reduce_or",
    "reduce_xor", "argmax", "argmin")})
_RULES.update({name: _along_axis for name in (
    "cumsum", "cumprod", "cummax", "cummin", "cumlogsumexp", "sort", "split")})
_RULES.update({name: _reduce_window for name in (
    "reduce_window_sum", "reduce_window_max", "reduce_window_min", "reduce_window")})
_RULES.update({name: _per_operand for name in (
    "optimization_barrier", "sharding_constraint", "device_put")})
_RULES.update({
    "bitcast_convert_type": _same_leading_axes,
    "broadcast_in_dim": _broadcast_in_dim,
    "concatenate": _concatenate,
    "conv_general_dilated": _conv,
    "dot_general": _dot_general,
    "dynamic_slice": _dynamic_slice,
    "dynamic_update_slice": _dynamic_update_slice,
    "gather": _gather,
    "pad": _pad,
    "reshape": _reshape,
    "rev": _rev,
    "slice": _slice,
    "squeeze": _squeeze,
    "stack": _stack,
    "top_k": _last_axis,
    "transpose": _transpose,
})

# Rules that analyse the jaxprs they call: `(eqn, its twin in the other trace, dependence)`.
_CALL_RULES = {name: _call for name in (
    "jit", "pjit", "closed_call", "core_call", "custom_jvp_call", "custom_vjp_call", "remat",
    "remat2", "checkpoint")}
_CALL_RULES.update({"scan": _scan, "while": _while, "cond": _cond})
