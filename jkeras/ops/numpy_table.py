"""The `keras.ops.numpy` ops that are plain aliases of `jax.numpy` functions, from one table.

Each line defines one op: its Keras name, the JAX function, Keras's dtype rule
(jkeras/ops/dtype_rules.py; none means `jax.numpy`'s promotion, which is Keras's there) and
a summary. The factory the line uses fixes Keras's signature and the argument mapping:
`unary(x)`, `binary(x1, x2)` (broadcasting), `bitwise(x, y)`, `reduction(x, axis=None,
keepdims=False)`, `cumulative(x, axis=None, dtype=None)`, `quantiles(x, q, axis=None,
method="linear", keepdims=False)`; `mapped` takes a lambda with Keras's signature that maps
the arguments onto the JAX function. Ops with semantics of their own are written out in the
other `numpy_*` modules.
"""

import jax.numpy as jnp

from jkeras.core.keras_tensor import KerasTensor
from jkeras.ops import dtype_rules as rules
from jkeras.ops.arguments import as_axis, as_operand
from jkeras.ops.core import convert_to_tensor as _t
from jkeras.ops.core import standardize_dtype
from jkeras.ops.errors import (
    check_axis,
    check_broadcastable,
    check_contraction,
    check_distinct_axes,
)
from jkeras.ops.keras_op import keras_op


def define(name, fn, summary, **op_options):
    """Name and document `fn` as the public op `name` and wrap it with `keras_op`."""
    fn.__name__ = fn.__qualname__ = name
    fn.__module__ = "jkeras.ops.numpy"
    fn.__doc__ = f"{summary}\n\nKeras 3's `keras.ops.{name}`."
    return keras_op(fn, **op_options)


def unary(name, jax_fn, summary, rule=None):
    """An elementwise op of one tensor `x`."""
    if rule is None:
        def op(x):
            return jax_fn(as_operand(x))
    else:
        def op(x):
            return jax_fn(rule(_t(x)))

    return define(name, op, summary)


def binary(name, jax_fn, summary, rule=None):
    """A broadcasting elementwise op of two tensors `x1`, `x2`."""
    if rule is None:
        def op(x1, x2):
            return jax_fn(as_operand(x1), as_operand(x2))
    else:
        def op(x1, x2):
            return jax_fn(*rule(_t(x1), _t(x2)))

    return define(name, op, summary, broadcast=("x1", "x2"))


def bitwise(name, jax_fn, summary):
    """A broadcasting bitwise op of two tensors `x`, `y`."""

    def op(x, y):
        return jax_fn(as_operand(x), as_operand(y))

    return define(name, op, summary, broadcast=("x", "y"))


def reduction(name, jax_fn, summary):
    """A reduction of `x` over `axis` (an int, a tuple, or None for all axes)."""

    def op(x, axis=None, keepdims=False):
        return jax_fn(as_operand(x), axis=as_axis(axis), keepdims=keepdims)

    return define(name, op, summary, checks=(check_axis("x", "axis"),))


def cumulative(name, jax_fn, summary):
    """A cumulative op along `axis` (None: over the flattened `x`), accumulated in `dtype`."""

    def op(x, axis=None, dtype=None):
        return jax_fn(_t(x), axis=axis, dtype=standardize_dtype(dtype))

    return define(name, op, summary, checks=(check_axis("x", "axis"),))


def quantiles(name, jax_fn, summary):
    """A quantile-style reduction of `x` at levels `q` over `axis`."""

    def op(x, q, axis=None, method="linear", keepdims=False):
        return jax_fn(_t(x), _t(q), axis=as_axis(axis), method=method, keepdims=keepdims)

    return define(name, op, summary, checks=(check_axis("x", "axis"),))


def mapped(name, mapping, summary, **op_options):
    """An op whose arguments `mapping` (a lambda with Keras's signature) maps onto JAX."""
    return define(name, mapping, summary, **op_options)


FLOAT, BOTH_FLOAT, INT_FLOATX = rules.to_float, rules.both_to_float, rules.int_to_floatx


# Elementwise, one tensor.
absolute = unary("absolute", jnp.absolute, "Elementwise `|x|`.")
angle = unary("angle", jnp.angle, "The argument (phase) of each element.", FLOAT)
arccos = unary("arccos", jnp.arccos, "Elementwise inverse cosine.", FLOAT)
arccosh = unary("arccosh", jnp.arccosh, "Elementwise inverse hyperbolic cosine.", FLOAT)
arcsin = unary("arcsin", jnp.arcsin, "Elementwise inverse sine.", FLOAT)
arcsinh = unary("arcsinh", jnp.arcsinh, "Elementwise inverse hyperbolic sine.", FLOAT)
arctan = unary("arctan", jnp.arctan, "Elementwise inverse tangent.", FLOAT)
arctanh = unary("arctanh", jnp.arctanh, "Elementwise inverse hyperbolic tangent.", FLOAT)
bitwise_invert = unary("bitwise_invert", jnp.invert, "Elementwise bitwise NOT.")
bitwise_not = unary("bitwise_not", jnp.invert, "Elementwise bitwise NOT.")
cbrt = unary("cbrt", jnp.cbrt, "Elementwise cube root.")
ceil = unary("ceil", jnp.ceil, "Smallest integer `>= x`, as a float.", FLOAT)
conjugate = unary("conjugate", jnp.conjugate, "Elementwise complex conjugate.")
copy = unary("copy", jnp.copy, "A copy of `x`.")
corrcoef = unary("corrcoef", jnp.corrcoef, "Pearson correlation coefficients of the rows.")
cos = unary("cos", jnp.cos, "Elementwise cosine.", FLOAT)
cosh = unary("cosh", jnp.cosh, "Elementwise hyperbolic cosine.", FLOAT)
deg2rad = unary("deg2rad", jnp.deg2rad, "Degrees to radians.")
exp = unary("exp", jnp.exp, "`e ** x`; integer inputs give `floatx()`.", INT_FLOATX)
exp2 = unary("exp2", jnp.exp2, "`2 ** x`; integer inputs give `floatx()`.", INT_FLOATX)
expm1 = unary("expm1", jnp.expm1, "`exp(x) - 1`, accurate near 0.", INT_FLOATX)
fabs = unary("fabs", jnp.fabs, "Elementwise `|x|` as a float.")
fliplr = unary("fliplr", jnp.fliplr, "`x` with its axis 1 reversed.")
flipud = unary("flipud", jnp.flipud, "`x` with its axis 0 reversed.")
floor = unary("floor", jnp.floor, "Largest integer `<= x`, as a float.", FLOAT)
i0 = unary("i0", jnp.i0, "Modified Bessel function of order 0.", rules.half_or_floatx)
imag = unary("imag", jnp.imag, "The imaginary part of each element.")
isfinite = unary("isfinite", jnp.isfinite, "Whether each element is finite.")
isinf = unary("isinf", jnp.isinf, "Whether each element is +-inf.")
isnan = unary("isnan", jnp.isnan, "Whether each element is NaN.")
isneginf = unary("isneginf", jnp.isneginf, "Whether each element is -inf.")
isposinf = unary("isposinf", jnp.isposinf, "Whether each element is +inf.")
isreal = unary("isreal", jnp.isreal, "Whether each element has a zero imaginary part.")
log = unary("log", jnp.log, "Elementwise natural logarithm.")
log10 = unary("log10", jnp.log10, "Elementwise base-10 logarithm.")
log1p = unary("log1p", jnp.log1p, "`log(1 + x)`, accurate near 0.")
log2 = unary("log2", jnp.log2, "Elementwise base-2 logarithm.")
logical_not = unary("logical_not", jnp.logical_not, "Elementwise logical NOT.")
negative = unary("negative", jnp.negative, "`-x`.")
rad2deg = unary("rad2deg", jnp.rad2deg, "Radians to degrees.")
ravel = unary("ravel", jnp.ravel, "`x` flattened to one dimension.")
real = unary("real", jnp.real, "The real part of each element.")
reciprocal = unary("reciprocal", jnp.reciprocal, "`1 / x`.")
sign = unary("sign", jnp.sign, "-1, 0 or 1 according to the sign of each element.")
signbit = unary("signbit", jnp.signbit, "Whether each element's sign bit is set.")
sin = unary("sin", jnp.sin, "Elementwise sine.", FLOAT)
sinc = unary("sinc", jnp.sinc, "`sin(pi x) / (pi x)`.", FLOAT)
sinh = unary("sinh", jnp.sinh, "Elementwise hyperbolic sine.", FLOAT)
sqrt = unary("sqrt", jnp.sqrt, "Elementwise square root.")
square = unary("square", jnp.square, "`x * x`.")
tan = unary("tan", jnp.tan, "Elementwise tangent.", FLOAT)
tanh = unary("tanh", jnp.tanh, "Elementwise hyperbolic tangent.", FLOAT)

# Elementwise, two broadcast tensors.
add = binary("add", jnp.add, "`x1 + x2`.")
arctan2 = binary("arctan2", jnp.arctan2, "The angle of the point `(x2, x1)`.", BOTH_FLOAT)
divide = binary("divide", jnp.divide, "`x1 / x2` (true division).")
equal = binary("equal", jnp.equal, "`x1 == x2`.")
floor_divide = binary("floor_divide", jnp.floor_divide, "`x1 // x2`.")
fmax = binary("fmax", jnp.fmax, "Elementwise maximum, ignoring NaNs.")
fmin = binary("fmin", jnp.fmin, "Elementwise minimum, ignoring NaNs.")
fmod = binary("fmod", jnp.fmod, "Remainder of `x1 / x2` with the sign of `x1`.")
gcd = binary("gcd", jnp.gcd, "Greatest common divisor.")
greater = binary("greater", jnp.greater, "`x1 > x2`.")
greater_equal = binary("greater_equal", jnp.greater_equal, "`x1 >= x2`.")
heaviside = binary("heaviside", jnp.heaviside, "Heaviside step of `x1`, `x2` at 0.")
hypot = binary("hypot", jnp.hypot, "`sqrt(x1**2 + x2**2)`.")
lcm = binary("lcm", jnp.lcm, "Least common multiple.")
less = binary("less", jnp.less, "`x1 < x2`.")
less_equal = binary("less_equal", jnp.less_equal, "`x1 <= x2`.")
logaddexp = binary("logaddexp", jnp.logaddexp, "`log(exp(x1) + exp(x2))`.", BOTH_FLOAT)
logaddexp2 = binary("logaddexp2", jnp.logaddexp2, "`log2(2**x1 + 2**x2)`.", BOTH_FLOAT)
logical_and = binary("logical_and", jnp.logical_and, "Elementwise logical AND.")
logical_or = binary("logical_or", jnp.logical_or, "Elementwise logical OR.")
logical_xor = binary("logical_xor", jnp.logical_xor, "Elementwise logical XOR.")
maximum = binary("maximum", jnp.maximum, "Elementwise maximum (NaN propagates).")
minimum = binary("minimum", jnp.minimum, "Elementwise minimum (NaN propagates).")
mod = binary("mod", jnp.mod, "Remainder of `x1 / x2` with the sign of `x2`.")
multiply = binary("multiply", jnp.multiply, "`x1 * x2`.")
nextafter = binary("nextafter", jnp.nextafter, "The next float after `x1` towards `x2`.")
not_equal = binary("not_equal", jnp.not_equal, "`x1 != x2`.")
power = binary("power", jnp.power, "`x1 ** x2`.", rules.both_as_arrays)
subtract = binary("subtract", jnp.subtract, "`x1 - x2`.")
true_divide = binary("true_divide", jnp.true_divide, "`x1 / x2` (true division).")

# Bitwise, two broadcast integer tensors.
bitwise_and = bitwise("bitwise_and", jnp.bitwise_and, "Elementwise bitwise AND.")
bitwise_left_shift = bitwise("bitwise_left_shift", jnp.left_shift, "`x << y`.")
bitwise_or = bitwise("bitwise_or", jnp.bitwise_or, "Elementwise bitwise OR.")
bitwise_right_shift = bitwise("bitwise_right_shift", jnp.right_shift, "`x >> y`.")
bitwise_xor = bitwise("bitwise_xor", jnp.bitwise_xor, "Elementwise bitwise XOR.")
left_shift = bitwise("left_shift", jnp.left_shift, "`x << y`.")
right_shift = bitwise("right_shift", jnp.right_shift, "`x >> y`.")

# Reductions over `axis`.
all = reduction("all", jnp.all, "Whether all elements over `axis` are truthy.")
amax = reduction("amax", jnp.amax, "Maximum over `axis`.")
amin = reduction("amin", jnp.amin, "Minimum over `axis`.")
any = reduction("any", jnp.any, "Whether any element over `axis` is truthy.")
median = reduction("median", jnp.median, "Median over `axis`.")
nanargmax = reduction("nanargmax", jnp.nanargmax, "Index of the maximum, ignoring NaNs.")
nanargmin = reduction("nanargmin", jnp.nanargmin, "Index of the minimum, ignoring NaNs.")
nanmax = reduction("nanmax", jnp.nanmax, "Maximum over `axis`, ignoring NaNs.")
nanmean = reduction("nanmean", jnp.nanmean, "Mean over `axis`, ignoring NaNs.")
nanmedian = reduction("nanmedian", jnp.nanmedian, "Median over `axis`, ignoring NaNs.")
nanmin = reduction("nanmin", jnp.nanmin, "Minimum over `axis`, ignoring NaNs.")
nanprod = reduction("nanprod", jnp.nanprod, "Product over `axis`, NaNs taken as 1.")
nanstd = reduction("nanstd", jnp.nanstd, "Standard deviation over `axis`, ignoring NaNs.")
nansum = reduction("nansum", jnp.nansum, "Sum over `axis`, NaNs taken as 0.")
nanvar = reduction("nanvar", jnp.nanvar, "Variance over `axis`, ignoring NaNs.")
ptp = reduction("ptp", jnp.ptp, "`max - min` over `axis`.")
std = reduction("std", jnp.std, "Population standard deviation over `axis`.")
sum = reduction("sum", jnp.sum, "Sum over `axis`.")

# Cumulative along `axis`.
cumprod = cumulative("cumprod", jnp.cumprod, "Cumulative product along `axis`.")
cumsum = cumulative("cumsum", jnp.cumsum, "Cumulative sum along `axis`.")
nancumprod = cumulative("nancumprod", jnp.nancumprod, "Cumulative product, NaNs as 1.")
nancumsum = cumulative("nancumsum", jnp.nancumsum, "Cumulative sum, NaNs as 0.")

# Quantiles over `axis` (`q` in [0, 1] for quantiles, in [0, 100] for percentiles).
nanpercentile = quantiles("nanpercentile", jnp.nanpercentile, "Percentiles, ignoring NaNs.")
nanquantile = quantiles("nanquantile", jnp.nanquantile, "Quantiles, ignoring NaNs.")
percentile = quantiles("percentile", jnp.percentile, "Percentiles `q` over `axis`.")
quantile = quantiles("quantile", jnp.quantile, "Quantiles `q` over `axis`.")

# Other signatures: a lambda with Keras's signature maps the arguments.
PRODUCT_CHECKS = (check_contraction(-1, -2),)
allclose = mapped(
    "allclose", lambda x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False: jnp.allclose(
        _t(x1), _t(x2), rtol, atol, equal_nan), "Whether all elements are close.",
    checks=(check_broadcastable("x1", "x2"),))
append = mapped("append", lambda x1, x2, axis=None: jnp.append(_t(x1), _t(x2), axis=axis),
                "`x2` appended to `x1` along `axis` (flattened if None).",
                checks=(check_axis("x1", "axis"),))
broadcast_to = mapped("broadcast_to", lambda x, shape: jnp.broadcast_to(_t(x), shape),
                      "`x` broadcast to `shape`.",
                      spec=lambda x, shape: KerasTensor(tuple(shape), x.dtype))
correlate = mapped("correlate", lambda x1, x2, mode="valid": jnp.correlate(_t(x1), _t(x2), mode),
                   "Cross-correlation of two 1-D tensors.")
count_nonzero = mapped(
    "count_nonzero", lambda x, axis=None: rules.result_to_int32(jnp.count_nonzero(
        _t(x), axis=as_axis(axis))), "How many elements over `axis` are nonzero (int32).",
    checks=(check_axis("x", "axis"),))
cross = mapped("cross", lambda x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None: jnp.cross(
    _t(x1), _t(x2), axisa, axisb, axisc, axis), "Cross product of 3- (or 2-) vectors.",
    checks=(check_axis("x1", "axisa", "axis"), check_axis("x2", "axisb")))
diag = mapped("diag", lambda x, k=0: jnp.diag(_t(x), k=k),
              "The `k`-th diagonal of a matrix, or a matrix with a vector on it.")
diagflat = mapped("diagflat", lambda x, k=0: jnp.diagflat(_t(x), k=k),
                  "A matrix with flattened `x` on its `k`-th diagonal.")
diagonal = mapped("diagonal", lambda x, offset=0, axis1=0, axis2=1: jnp.diagonal(
    _t(x), offset, axis1, axis2), "The `offset` diagonals of the `axis1`, `axis2` planes.",
    checks=(check_distinct_axes("x", "axis1", "axis2"),))
diff = mapped("diff", lambda a, n=1, axis=-1: jnp.diff(_t(a), n=n, axis=axis),
              "The `n`-th discrete difference along `axis`.", checks=(check_axis("a", "axis"),))
digitize = mapped("digitize", lambda x, bins: jnp.digitize(_t(x), _t(bins)),
                  "The index of the bin each element of `x` falls in.")
dsplit = mapped("dsplit", lambda x, indices_or_sections: jnp.dsplit(_t(x), indices_or_sections),
                "`x` split along axis 2.")
dstack = mapped("dstack", lambda xs: jnp.dstack([_t(x) for x in xs]),
                "`xs` joined along axis 2 (lower-rank tensors get size-1 axes first).")
dot = mapped("dot", lambda x1, x2: jnp.dot(_t(x1), _t(x2)),
             "`np.dot`: inner product of vectors, matrix product of matrices.",
             checks=PRODUCT_CHECKS)
flip = mapped("flip", lambda x, axis=None: jnp.flip(_t(x), as_axis(axis)),
              "`x` reversed along `axis` (all axes if None).", checks=(check_axis("x", "axis"),))
hsplit = mapped("hsplit", lambda x, indices_or_sections: jnp.hsplit(_t(x), indices_or_sections),
                "`x` split along axis 1 (axis 0 for 1-D `x`).")
hstack = mapped("hstack", lambda xs: jnp.hstack([_t(x) for x in xs]),
                "`xs` joined along axis 1 (axis 0 for 1-D tensors).")
inner = mapped("inner", lambda x1, x2: jnp.inner(_t(x1), _t(x2)),
               "Inner product over the last axes.", checks=(check_contraction(-1, -1),))
isclose = mapped(
    "isclose", lambda x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False: jnp.isclose(
        _t(x1), _t(x2), rtol, atol, equal_nan), "Whether each element pair is close.",
    broadcast=("x1", "x2"))
isin = mapped("isin", lambda x1, x2, assume_unique=False, invert=False: jnp.isin(
    _t(x1), _t(x2), assume_unique=assume_unique, invert=invert),
    "Whether each element of `x1` occurs in `x2`.")
kron = mapped("kron", lambda x1, x2: jnp.kron(_t(x1), _t(x2)), "Kronecker product.")
moveaxis = mapped("moveaxis", lambda x, source, destination: jnp.moveaxis(
    _t(x), source, destination), "`x` with axes `source` moved to `destination`.",
    checks=(check_axis("x", "source", "destination"),))
nan_to_num = mapped("nan_to_num", lambda x, nan=0.0, posinf=None, neginf=None: jnp.nan_to_num(
    _t(x), nan=nan, posinf=posinf, neginf=neginf), "NaN and infinities replaced by numbers.")
outer = mapped("outer", lambda x1, x2: jnp.outer(_t(x1), _t(x2)),
               "Outer product of the flattened tensors.")
roll = mapped("roll", lambda x, shift, axis=None: jnp.roll(_t(x), shift, as_axis(axis)),
              "`x` rolled by `shift` along `axis` (flattened if None).",
              checks=(check_axis("x", "axis"),))
sort = mapped("sort", lambda x, axis=-1: jnp.sort(_t(x), axis=axis),
              "`x` sorted along `axis`.", checks=(check_axis("x", "axis"),))
swapaxes = mapped("swapaxes", lambda x, axis1, axis2: jnp.swapaxes(_t(x), axis1, axis2),
                  "`x` with `axis1` and `axis2` swapped.",
                  checks=(check_axis("x", "axis1", "axis2"),))
tensordot = mapped("tensordot", lambda x1, x2, axes=2: jnp.tensordot(_t(x1), _t(x2), axes),
                   "Sum of products over `axes` (an int, or two lists of axes).")
trace = mapped("trace", lambda x, offset=0, axis1=0, axis2=1: jnp.trace(
    _t(x), offset, axis1, axis2), "Sum along the `offset` diagonal of `axis1`, `axis2`.",
    checks=(check_distinct_axes("x", "axis1", "axis2"),))
trapezoid = mapped("trapezoid", lambda y, x=None, dx=1.0, axis=-1: jnp.trapezoid(
    _t(y), None if x is None else _t(x), dx=_t(dx), axis=axis),
    "Integral of `y` along `axis` by the trapezoidal rule.", checks=(check_axis("y", "axis"),))
tril = mapped("tril", lambda x, k=0: jnp.tril(_t(x), k=k), "`x` with zeros above diagonal `k`.")
triu = mapped("triu", lambda x, k=0: jnp.triu(_t(x), k=k), "`x` with zeros below diagonal `k`.")
unravel_index = mapped("unravel_index", lambda indices, shape: jnp.unravel_index(
    _t(indices), shape), "Flat indices as a tuple of coordinate arrays for `shape`.")
vsplit = mapped("vsplit", lambda x, indices_or_sections: jnp.vsplit(_t(x), indices_or_sections),
                "`x` split along axis 0.")
vstack = mapped("vstack", lambda xs: jnp.vstack([_t(x) for x in xs]),
                "`xs` joined along axis 0 (1-D tensors become rows).")
vdot = mapped("vdot", lambda x1, x2: jnp.vdot(_t(x1), _t(x2)),
              "Dot product of the flattened tensors (conjugating `x1`).")
