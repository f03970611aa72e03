"""The parity cases of `keras.ops.numpy`: a few calls per op, covering its arguments (axes,
keepdims, negative axes, broadcasting, Python scalars, empty and 0-d arrays).

Float32 arrays are the data the dtype sweep recasts (to integer, bool and 16-bit floats);
`INTEGRAL` holds integer values in float32, for ops defined on integers only. Shapes are few
and small: eager calls compile once per shape and dtype.
"""

import numpy as np

from tests.ops.parity import Case

RNG = np.random.default_rng(0)
# Reasons Keras's symbolic output spec is wrong where `keras_spec` marks a case.
UNKNOWN_DIMS = "Keras's spec fails on unknown dimensions"
WRONG_SHAPE = "Keras's spec has another shape than its op's result"
PYTHON_SCALAR = "Keras's spec fails on a Python scalar argument"
INT64 = "Keras's spec says int64; its JAX op returns int32"
LIST = "Keras's spec is a tuple; its op returns a list"
TUPLE = "Keras's spec is a list; its op returns a tuple"


def data(*shape, low=-3.0, high=3.0):
    return RNG.uniform(low, high, shape).round(2).astype("float32")


X = data(2, 3)
Y = data(2, 3)
X3 = data(2, 3, 4)
V = data(3)
W = data(3)
ROW = data(3)
COL = data(2, 1)
SCALAR = np.array(1.5, "float32")
EMPTY = np.zeros((0, 3), "float32")
UNIT = data(2, 3, low=-0.9, high=0.9)
POS = data(2, 3, low=0.5, high=3.0)
ABOVE_ONE = data(2, 3, low=1.1, high=3.0)
SQUARE = data(3, 3)
INTEGRAL = np.array([[1, 2, 3], [4, 0, 6]], "float32")
INTEGRAL_V = np.array([4, 6, 9], "float32")
SHIFTS = np.array([[1, 2, 0], [3, 1, 2]], "int32")
INDICES = np.array([[0, 2], [1, 0]], "int32")
FLAT_INDICES = np.array([0, 5, 3], "int32")
WITH_NAN = X.copy()
WITH_NAN[0, 1] = np.nan
WITH_NAN[1, 2] = np.inf
SORTED = np.array([-1.0, 0.0, 0.5, 2.0], "float32")
COUNTS = np.array([0, 1, 1, 3, 2, 1], "int32")
TRUTH = X > 0
SIGNED_ZEROS = np.array([[-0.0, 0.0, -1.0], [0.0, -0.0, -2.0]], "float32")

UNARY = [
    "absolute", "abs", "cbrt", "conjugate", "conj", "copy", "deg2rad", "rad2deg", "fabs",
    "imag", "real", "isfinite", "isinf", "isnan", "isneginf", "isposinf", "isreal",
    "logical_not", "negative", "ravel", "sign", "signbit", "square", "ceil", "floor", "trunc",
    "cos", "cosh", "sin", "sinh", "tan", "tanh", "sinc", "angle", "arctan", "arcsinh",
    "exp", "exp2", "expm1", "i0",
]
UNIT_DOMAIN = ["arccos", "arcsin", "arctanh"]
POSITIVE_DOMAIN = ["sqrt", "log", "log10", "log1p", "log2", "reciprocal"]
BINARY = [
    "add", "subtract", "multiply", "divide", "true_divide", "power", "maximum", "minimum",
    "fmax", "fmin", "mod", "fmod", "floor_divide", "equal", "not_equal", "greater",
    "greater_equal", "less", "less_equal", "logical_and", "logical_or", "logical_xor",
    "heaviside", "hypot", "nextafter", "arctan2", "logaddexp", "logaddexp2", "divide_no_nan",
]
INTEGER_BINARY = ["gcd", "lcm", "bitwise_and", "bitwise_or", "bitwise_xor"]
SHIFT = ["bitwise_left_shift", "left_shift", "bitwise_right_shift", "right_shift"]
REDUCTIONS = [
    "sum", "mean", "var", "std", "max", "min", "amax", "amin", "all", "any", "prod", "ptp",
    "median", "nanmax", "nanmin", "nanmean", "nanmedian", "nanprod", "nanstd", "nansum",
    "nanvar", "argmax", "argmin", "nanargmax", "nanargmin",
]
CUMULATIVE = ["cumsum", "cumprod", "nancumsum", "nancumprod"]
QUANTILES = ["quantile", "nanquantile", "percentile", "nanpercentile"]
NOT_DIFFERENTIABLE = {
    "isfinite", "isinf", "isnan", "isneginf", "isposinf", "isreal", "logical_not", "sign",
    "signbit", "ceil", "floor", "trunc", "equal", "not_equal", "greater", "greater_equal",
    "less", "less_equal", "logical_and", "logical_or", "logical_xor", "heaviside", "all",
    "any", "argmax", "argmin", "nanargmax", "nanargmin", "floor_divide", "nextafter", "mod",
    "fmod", "imag", "angle", "count_nonzero", "argsort", "argpartition", "digitize",
    "searchsorted", "nonzero", "bincount", "histogram", "unique", "isclose", "allclose",
    "isin", "round", "cbrt",
}


def _cases():
    cases = []
    add = cases.append
    for op in UNARY:
        add(Case(op, X))
        add(Case(op, SCALAR).with_options(grad=False))
        add(Case(op, EMPTY).with_options(grad=False))
        add(Case(op, WITH_NAN).with_options(grad=False, symbolic=False, sweep=False))
    for op in UNIT_DOMAIN:
        add(Case(op, UNIT))
        add(Case(op, 0.5).with_options(grad=False, symbolic=False))
    add(Case("arccosh", ABOVE_ONE))
    for op in POSITIVE_DOMAIN:
        add(Case(op, POS))
        add(Case(op, 2).with_options(grad=False, symbolic=False))
    for op in BINARY:
        first = POS if op in ("power", "logaddexp2") else X
        add(Case(op, first, Y))
        add(Case(op, first, ROW))
        add(Case(op, COL, first).with_options(grad=True))
        add(Case(op, first, 2).with_options(
            grad=op not in ("power",),
            keras_spec=PYTHON_SCALAR if op in ("heaviside", "hypot") else None))
        add(Case(op, first, 0.5).with_options(
            keras_spec=PYTHON_SCALAR if op in ("heaviside", "hypot") else None))
        add(Case(op, 3, first).with_options(
            grad=False, keras_spec=PYTHON_SCALAR if op in ("heaviside", "hypot") else None))
        add(Case(op, 2, 1.5).with_options(grad=False, symbolic=False))
        add(Case(op, EMPTY, ROW).with_options(grad=False))
    for op in INTEGER_BINARY:
        add(Case(op, INTEGRAL, INTEGRAL_V).with_options(grad=False, data_dtype="int32"))
        add(Case(op, INTEGRAL, 3).with_options(grad=False, data_dtype="int32"))
    for op in SHIFT:
        add(Case(op, INTEGRAL, SHIFTS).with_options(grad=False, data_dtype="int32"))
        add(Case(op, INTEGRAL, 1).with_options(grad=False, data_dtype="int32"))
    add(Case("bitwise_invert", INTEGRAL).with_options(grad=False, data_dtype="int32"))
    add(Case("bitwise_not", INTEGRAL).with_options(grad=False, data_dtype="int32"))
    for op in REDUCTIONS:
        add(Case(op, X3))
        add(Case(op, X3, axis=1))
        add(Case(op, X3, axis=-1, keepdims=True))
        add(Case(op, X3, axis=(0, 2)))
        add(Case(op, SCALAR).with_options(grad=False))
        if op not in ("max", "min", "amax", "amin", "ptp", "nanmax", "nanmin") \
                and "arg" not in op:
            # The median of nothing fails when run, not when traced (in Keras too).
            add(Case(op, EMPTY, axis=0).with_options(grad=False,
                                                      symbolic="median" not in op))
        add(Case(op, WITH_NAN, axis=1).with_options(grad=False, sweep=False, symbolic=False))
    for op in ("argmax", "argmin"):  # -0.0 ranks below 0.0 (Keras's fix for XLA:CPU).
        add(Case(op, SIGNED_ZEROS, axis=1))
        add(Case(op, SIGNED_ZEROS))
    add(Case("max", X3, axis=1, initial=0.5))
    add(Case("min", X3, axis=(0, 1), keepdims=True, initial=-0.5))
    add(Case("max", EMPTY, axis=0, initial=-1.0).with_options(grad=False))
    add(Case("prod", X3, axis=1, dtype="float32"))
    add(Case("prod", INTEGRAL, dtype="int8").with_options(grad=False))
    for op in CUMULATIVE:
        add(Case(op, X3))
        add(Case(op, X3, axis=1))
        add(Case(op, X3, axis=-1, dtype="float32"))
        add(Case(op, INTEGRAL, axis=0, dtype="int16").with_options(grad=False))
        add(Case(op, WITH_NAN, axis=1).with_options(grad=False, symbolic=False, sweep=False))
    for op in QUANTILES:
        scale = 100.0 if "percentile" in op else 1.0
        add(Case(op, X3, 0.3 * scale))
        add(Case(op, X3, np.array([0.25, 0.5], "float32") * scale, axis=1))
        add(Case(op, X3, 0.5 * scale, axis=(0, 2), keepdims=True, method="nearest"))
        add(Case(op, X3, 0.9 * scale, axis=-1, method="higher"))
    return cases


def _more_cases():
    c = Case
    no_grad = {"grad": False}
    return [
        c("count_nonzero", X), c("count_nonzero", X3, axis=1), c("count_nonzero", X3, axis=(0, 2)),
        c("average", X3), c("average", X3, axis=1), c("average", X3, axis=2, weights=data(4)),
        c("average", X, axis=None, weights=Y),
        c("allclose", X, Y), c("allclose", X, X + 1e-7), c("allclose", X, 2.0, rtol=1.0, atol=3),
        c("allclose", WITH_NAN, WITH_NAN, equal_nan=True).with_options(symbolic=False),
        c("isclose", X, Y), c("isclose", X, X + 1e-7), c("isclose", X, ROW, rtol=1.0),
        c("isclose", WITH_NAN, WITH_NAN, equal_nan=True).with_options(symbolic=False),
        c("isin", X, V), c("isin", INTEGRAL, INTEGRAL_V, invert=True),
        c("isin", INTEGRAL, INTEGRAL_V, assume_unique=True),
        c("append", X, Y), c("append", X, Y, axis=0).with_options(keras_spec=UNKNOWN_DIMS), c("append", X3, X3, axis=-1),
        c("broadcast_to", V, (2, 3)), c("broadcast_to", SCALAR, (2, 1)),
        c("correlate", V, W).with_options(keras_spec=UNKNOWN_DIMS),
        c("correlate", V, W[:2], mode="same").with_options(keras_spec=UNKNOWN_DIMS),
        c("correlate", V, W, mode="full").with_options(keras_spec=UNKNOWN_DIMS),
        c("cross", X, Y), c("cross", X, Y, axisc=0), c("cross", X.T, Y.T, axis=0).with_options(batch=False),
        c("diag", V), c("diag", V, k=1), c("diag", SQUARE), c("diag", X, k=-1),
        c("diagflat", X), c("diagflat", V, k=-2),
        c("diagonal", SQUARE), c("diagonal", X3, offset=1), c("diagonal", X3, 1, 0, 2),
        c("diagonal", X3, -1, axis1=-1, axis2=0),
        c("diff", X3), c("diff", X3, n=2, axis=1), c("diff", X, axis=0),
        c("digitize", X, SORTED), c("digitize", INTEGRAL, SORTED),
        c("dot", X, Y.T), c("dot", V, W), c("dot", X, V), c("dot", X3, data(4, 2)),
        c("dot", SCALAR, X),
        c("flip", X3), c("flip", X3, axis=1), c("flip", X3, axis=(0, -1)),
        c("fliplr", X3), c("flipud", X3),
        c("inner", X, Y), c("inner", V, W), c("inner", X3, data(5, 4)),
        c("kron", X, Y), c("kron", V, X).with_options(keras_spec=WRONG_SHAPE),
        c("moveaxis", X3, 0, 2), c("moveaxis", X3, (0, 1), (-1, 0)),
        c("nan_to_num", WITH_NAN), c("nan_to_num", WITH_NAN, nan=1.0, posinf=9.0, neginf=-9.0),
        c("outer", V, W), c("outer", X, V),
        c("roll", X3, 1), c("roll", X3, -2, axis=1), c("roll", X3, (1, 2), axis=(0, 2)),
        c("sort", X3), c("sort", X3, axis=0), c("sort", X3, axis=None),
        c("argsort", X3).with_options(**no_grad), c("argsort", X3, axis=1).with_options(**no_grad),
        c("argsort", X3, axis=None).with_options(**no_grad),
        c("argsort", SCALAR).with_options(keras_spec="Keras's spec rejects 0-d inputs", grad=False),
        c("argpartition", V, 1).with_options(**no_grad),
        c("argpartition", X3, 2, axis=1).with_options(**no_grad),
        c("argpartition", X, 3, axis=None).with_options(**no_grad),
        c("swapaxes", X3, 0, 2), c("swapaxes", X3, -1, 1),
        c("tensordot", X3, data(3, 4, 2)), c("tensordot", X, Y, axes=([0, 1], [0, 1])),
        c("tensordot", X, V, axes=1), c("tensordot", X, Y, axes=0),
        c("trace", SQUARE), c("trace", X3, offset=1, axis1=1, axis2=2), c("trace", X, -1),
        c("trapezoid", X3), c("trapezoid", X3, dx=0.5, axis=1),
        c("trapezoid", X, x=np.array([0.0, 1.0, 3.0], "float32")),
        c("tril", SQUARE), c("tril", X3, k=1), c("triu", SQUARE), c("triu", X3, k=-1),
        c("unravel_index", FLAT_INDICES, (2, 3)).with_options(grad=False, keras_spec=TUPLE),
        c("unravel_index", INDICES, (3, 4)).with_options(grad=False, keras_spec=TUPLE),
        c("vdot", X, Y), c("vdot", V, W),
        c("corrcoef", X3[0]).with_options(keras_spec=WRONG_SHAPE), c("corrcoef", data(3, 5)).with_options(keras_spec=WRONG_SHAPE),
        c("clip", X, -1.0, 1.0), c("clip", X, None, 0.5), c("clip", X, ROW, 2.0),
        c("clip", TRUTH, 0, 0).with_options(**no_grad), c("clip", X, -1, 1),
        c("round", X), c("round", X, 1), c("round", INTEGRAL * 123, -2).with_options(**no_grad),
        c("matmul", X, Y.T), c("matmul", X3, data(4, 2)), c("matmul", V, data(3, 2)),
        c("matmul", X3, data(2, 4, 5)),
        c("einsum", "ij,jk->ik", X, Y.T), c("einsum", "bij->bj", X3), c("einsum", "i,i", V, W),
        c("einsum", "...j,j->...", X3, data(4)),
        c("ldexp", X, SHIFTS), c("ldexp", X, 3), c("ldexp", X, Y).with_options(**no_grad),
        c("slogdet", SQUARE).with_options(batch=False), c("slogdet", np.stack([SQUARE, SQUARE.T])).with_options(keras_spec=WRONG_SHAPE),
        c("vander", V), c("vander", V, N=5), c("vander", V, increasing=True),
    ]


def _creation_cases():
    c = Case
    return [
        c("arange", 5), c("arange", 1, 7, 2), c("arange", 0.0, 1.0, 0.25),
        c("arange", 3, dtype="float16"), c("arange", 2, 5.5),
        c("array", X), c("array", INTEGRAL, dtype="int32"), c("array", [[1, 2], [3, 4]]),
        c("empty", (2, 3)), c("empty", (2,), dtype="int32"),
        c("empty_like", X), c("empty_like", X, dtype="int8"),
        c("eye", 3), c("eye", 2, 4, k=1, dtype="int32"), c("eye", 3, k=-1),
        c("full", (2, 3), 7), c("full", (2,), 1.5, dtype="float16"), c("full", (2, 3), ROW),
        c("full_like", X, 2), c("full_like", X, 0.5, dtype="int32"),
        c("identity", 3), c("identity", 2, dtype="bool"),
        c("linspace", 0.0, 1.0, 5), c("linspace", 0, 10, 4, endpoint=False, retstep=True),
        c("linspace", V, W, 3, axis=1),
        c("logspace", 0.0, 2.0, 3), c("logspace", 0, 1, 4, base=2, endpoint=False),
        c("geomspace", 1.0, 100.0, 3), c("geomspace", 1, 8, 4, dtype="float32"),
        c("ones", (2, 3)), c("ones", (2,), dtype="int8"), c("zeros", (1, 2)),
        c("zeros", 3, dtype="bool"), c("ones_like", X), c("ones_like", X, dtype="int16"),
        c("zeros_like", X), c("zeros_like", X, dtype="bool"),
        c("tri", 3), c("tri", 2, 4, k=1, dtype="int32"),
        c("bartlett", 5), c("blackman", 4), c("hamming", 6), c("hanning", 3),
        c("kaiser", 5, 2.0),
    ]


def _indexing_cases():
    c = Case
    eager = {"traceable": False, "grad": False}
    order = np.argsort(X, axis=1).astype("int32")
    return [
        c("nonzero", INTEGRAL).with_options(**eager),
        c("where", TRUTH, X, Y), c("where", TRUTH, X, 0.0), c("where", TRUTH, 1, 2.5),
        c("where", TRUTH, X, ROW), c("where", INTEGRAL).with_options(
            keras_spec="Keras's spec is one tensor; its op returns a tuple of index arrays",
            **eager),
        c("select", [TRUTH, ~TRUTH], [X, Y]), c("select", [TRUTH], [X], default=1.0),
        c("take", X, FLAT_INDICES), c("take", X3, INDICES, axis=1), c("take", X, 1, axis=0),
        c("take", X, [0, 2], axis=-1),
        c("take_along_axis", X, order, axis=1), c("take_along_axis", X, FLAT_INDICES),
        c("get_item", X, 1), c("get_item", X3, (slice(None), 1)),
        c("get_item", X3, (Ellipsis, None, slice(1, 3))), c("get_item", X, INDICES % 2).with_options(
            keras_spec="Keras's spec rejects tensor keys, which its op accepts"),
        c("searchsorted", SORTED, X).with_options(keras_spec=INT64), c("searchsorted", SORTED, V, side="right").with_options(keras_spec=INT64),
        c("unique", INTEGRAL).with_options(**eager),
        c("unique", INTEGRAL, return_index=True, return_inverse=True,
          return_counts=True).with_options(**eager),
        c("unique", INTEGRAL, size=8, fill_value=-1).with_options(grad=False),
        c("unique", INTEGRAL, axis=0).with_options(**eager),
        c("bincount", COUNTS).with_options(**eager),
        c("bincount", COUNTS, weights=data(6), minlength=6).with_options(
            keras_spec="Keras's spec fails on symbolic weights", **eager),
        c("bincount", np.array([[0, 2, 1], [2, 2, 0]], "int32")).with_options(**eager),
        c("histogram", V), c("histogram", V, bins=4, range=(-1.0, 2.0)),
    ]


def _shape_cases():
    c = Case
    return [
        c("reshape", X3, (4, 6)), c("reshape", X3, (-1, 4)), c("reshape", X, 6),
        c("reshape", X3, [2, -1]),
        c("transpose", X3), c("transpose", X3, (1, 0, 2)), c("transpose", X3, axes=[2, 0, 1]),
        c("expand_dims", X, 1), c("expand_dims", X, (0, -1)), c("expand_dims", SCALAR, 0),
        c("squeeze", X3[:, :1, :1]), c("squeeze", X3[:, :1], axis=1),
        c("squeeze", X3[:, :1, :1], axis=(-1, 1)),
        c("concatenate", [X, Y]), c("concatenate", [X, Y], axis=1),
        c("concatenate", [X3, X3], axis=-1), c("concatenate", [X, EMPTY]),
        c("concatenate", [X, Y], axis=None).with_options(
            keras_spec="Keras's spec rejects axis=None, which its op (and numpy) accepts"),
        c("stack", [X, Y]), c("stack", [X, Y], axis=-1), c("stack", [V, W], axis=1),
        c("hstack", [X, Y]), c("hstack", [V, W]).with_options(keras_spec=UNKNOWN_DIMS), c("vstack", [X, Y]), c("vstack", [V, W]).with_options(keras_spec=WRONG_SHAPE),
        c("dstack", [X, Y]),
        c("split", X3, 2, axis=2), c("split", X, [1, 2], axis=1), c("split", X3, 3, axis=1),
        c("array_split", V, 2).with_options(keras_spec=LIST), c("array_split", X3, 3, axis=2),
        c("hsplit", X3, 3), c("vsplit", X3, 2), c("dsplit", X3, [1, 3]),
        c("tile", X, 2), c("tile", X, (2, 1)), c("tile", V, (2, 1, 2)),
        c("repeat", X, 2), c("repeat", X, 2, axis=1), c("repeat", X, np.array([1, 2]), axis=0).with_options(traceable=False, symbolic=False),
        c("pad", X, 1), c("pad", X, ((1, 0), (0, 2))), c("pad", X, (1, 2)),
        c("pad", X, 1, mode="reflect"), c("pad", X, 1, constant_values=3.0),
        c("pad", X3, ((0, 0), (1, 1), (2, 0)), mode="edge"),
        c("rot90", X), c("rot90", X3, k=2, axes=(1, 2)).with_options(keras_spec=WRONG_SHAPE), c("rot90", X3, -1, (0, 2)),
        c("meshgrid", V, W), c("meshgrid", V, data(2), indexing="ij"),
        c("view", X, "int32").with_options(grad=False),
        c("view", X, "uint8").with_options(grad=False),
        c("ndim", X).with_options(
            grad=False, keras_spec="Keras's spec has shape (rank,) and float32; its op returns "
                                   "the rank (a scalar int)"), c("size", X3).with_options(grad=False),
    ]


CASES = _cases() + _more_cases() + _creation_cases() + _indexing_cases() + _shape_cases()
for _case in CASES:
    if _case.op in NOT_DIFFERENTIABLE or not any(
        isinstance(a, np.ndarray) and a.dtype == np.float32 for a in _case.args
    ):
        _case.grad = False
