"""Keras 3's type promotion: the dtype that combining tensors (and Python scalars) gives.

The rule is JAX's promotion lattice with Keras's two twists: a Python `int`/`float` is "weak"
(it takes the other operand's type, and alone resolves to the precision of `floatx()`: `int`
is `int16` when `floatx()` is `"float16"`), and 64-bit results are narrowed to 32 bits (JAX
without `jax_enable_x64`). `jkeras.backend.result_type` is this function.

Example: `int8` with `uint8` gives `int16`; `bool` with a Python `float` gives `float32`;
`float16` with a Python `float` stays `float16`.
"""

import functools

from jkeras import config
from jkeras.ops.core import standardize_dtype

_WEAK_INT, _WEAK_FLOAT = "int", "float"

# Each type's immediate successors on the lattice (a type promotes to any type above it).
_LATTICE = {
    "bool": [_WEAK_INT],
    _WEAK_INT: ["uint8", "int8", "complex64"],
    "uint8": ["int16", "uint16"],
    "uint16": ["int32", "uint32"],
    "uint32": ["int64", "uint64"],
    "uint64": [_WEAK_FLOAT],
    "int8": ["int16"],
    "int16": ["int32"],
    "int32": ["int64"],
    "int64": [_WEAK_FLOAT],
    _WEAK_FLOAT: ["bfloat16", "float16"],
    "bfloat16": ["float32"],
    "float16": ["float32"],
    "float32": ["float64", "complex64"],
    "float64": ["complex128"],
    "complex64": ["complex128"],
    "complex128": [],
}
_FLOAT8 = ("float8_e4m3fn", "float8_e5m2")
# JAX without x64 has no 64-bit types (int64 stays int64 only on TensorFlow).
_NARROW_64 = {"int64": "int32", "uint64": "uint32", "float64": "float32",
              "complex128": "complex64"}


def _upper_bounds(node):
    """`node` and every type above it on the lattice."""
    bounds, frontier = {node}, [node]
    while frontier:
        for successor in _LATTICE[frontier.pop()]:
            if successor not in bounds:
                bounds.add(successor)
                frontier.append(successor)
    return frozenset(bounds)


_UPPER_BOUNDS = {node: _upper_bounds(node) for node in _LATTICE}


def _join(nodes):
    """The least type above all `nodes` (the lattice's least upper bound)."""
    for node in nodes:
        if node not in _UPPER_BOUNDS:
            raise ValueError(f"dtype={node!r} is not a valid dtype for Keras type promotion.")
    common = frozenset.intersection(*(_UPPER_BOUNDS[n] for n in nodes))
    least = [c for c in common if common <= _UPPER_BOUNDS[c]]
    if not least:
        raise ValueError(
            f"Input dtypes {tuple(nodes)} have no implicit dtype promotion path. "
            "Cast the inputs to the desired output type explicitly."
        )
    return least[0]


def _weak_kind(name):
    """The weak lattice node standing for a Python scalar of dtype `name`."""
    if name == "bool":
        return name
    for kind in ("complex", "float", "int"):  # "float" also matches "bfloat16".
        if kind in name:
            return "complex64" if kind == "complex" else kind
    raise ValueError(f"Invalid dtype for a Python scalar: {name!r}")


def _resolve_weak(node, precision):
    """A weak result as a concrete type of `floatx`'s precision ("16", "32" or "64")."""
    if node == _WEAK_INT:
        return f"int{precision}"
    return f"float{precision}"


@functools.lru_cache(maxsize=2048)
def _cached_result_type(dtypes, floatx):
    names, weak = [], []
    for dtype in dtypes:
        if dtype is None:
            dtype = floatx
        if isinstance(dtype, str) and dtype in _FLOAT8:
            raise ValueError(
                "There is no implicit conversion from float8 dtypes to others: cast "
                f"explicitly. Received: {dtypes}"
            )
        names.append(standardize_dtype(dtype))
        weak.append(dtype is int or dtype is float)
    if len(names) == 1:
        result, result_weak = names[0], weak[0]
    elif len(set(names)) == 1 and not all(weak):
        result, result_weak = names[0], False
    elif all(weak):
        result, result_weak = _join(set(names)), True
    else:
        nodes = {_weak_kind(n) if w else n for n, w in zip(names, weak)}
        result = _join(nodes)
        result_weak = result in (_WEAK_INT, _WEAK_FLOAT)
    if result_weak and result != "bool":
        result = _resolve_weak(_weak_kind(result), floatx[-2:])
    return _NARROW_64.get(result, result)


def result_type(*dtypes):
    """The dtype name Keras 3 gives to an operation on values of `dtypes`.

    Args:
        *dtypes: dtypes (names, numpy/JAX dtypes), Python types (`int`, `float`, `bool`:
            weakly typed scalars) or `None` (`floatx()`). No argument at all gives `floatx()`.

    Returns:
        A dtype name such as `"float32"`.
    """
    if not dtypes:
        return config.floatx()
    return _cached_result_type(dtypes, config.floatx())


def float_result_type(dtype):
    """The float dtype Keras computes `dtype` inputs in for float-only ops (`sin`, `floor`):
    `result_type(dtype, float)`."""
    return _cached_result_type((dtype, float), config.floatx())
