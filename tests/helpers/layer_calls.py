"""How `run_layer_test` makes inputs and calls a layer (jkeras's or Keras's) on them: a single
input, a list argument, or keyword arguments; shapes and dtypes of output structures."""

import jax
import numpy as np

import jkeras

standardize = jkeras.backend.standardize_dtype


def is_shape(x):
    return isinstance(x, tuple) and all(d is None or isinstance(d, int) for d in x)


def random_inputs(input_shape, input_dtype):
    """Seeded inputs of `input_shape`: a dict's `<argument>_shape` keys become `<argument>`."""
    rng = np.random.default_rng(0)
    if isinstance(input_shape, dict):
        input_shape = {key.removesuffix("_shape"): shape for key, shape in input_shape.items()}
        if isinstance(input_dtype, dict):
            input_dtype = {k.removesuffix("_shape"): d for k, d in input_dtype.items()}
    if input_dtype is None or isinstance(input_dtype, str):
        input_dtype = jax.tree_util.tree_map(lambda _: input_dtype or "float32", input_shape,
                                             is_leaf=is_shape)

    def draw(shape, dtype):
        if jkeras.backend.is_float_dtype(dtype):
            return rng.standard_normal(shape).astype(dtype)
        if dtype == "bool":
            return rng.random(shape) < 0.5
        return rng.integers(0, 3, size=shape).astype(dtype)

    return jax.tree_util.tree_map(draw, input_shape, input_dtype, is_leaf=is_shape)


def build_shapes(inputs):
    """The build shapes of `inputs`: `{"<argument>_shape": shape}` for keyword inputs."""
    shapes = jax.tree_util.tree_map(lambda x: tuple(np.shape(x)), inputs)
    if isinstance(shapes, dict):
        return {f"{key}_shape": shape for key, shape in shapes.items()}
    return shapes


def build(layer, shapes):
    if isinstance(shapes, dict):
        layer.build(**shapes)
    else:
        layer.build(shapes)


def arguments(inputs, call_kwargs):
    """`(args, kwargs)` of a call on `inputs`: a dict holds keyword arguments."""
    if isinstance(inputs, dict):
        return (), {**inputs, **call_kwargs}
    return (inputs,), call_kwargs


def call(layer, inputs, call_kwargs):
    args, kwargs = arguments(inputs, call_kwargs)
    return layer(*args, **kwargs)


def symbolic_inputs(library, inputs, batch_size="same"):
    """`library.Input`s like `inputs`; `batch_size=None` leaves the batch size unknown."""

    def symbolic(x):
        shape = tuple(np.shape(x))
        if batch_size is None:
            shape = (None,) + shape[1:]
        return library.Input(batch_shape=shape, dtype=standardize(x.dtype))

    return jax.tree_util.tree_map(symbolic, inputs)


def shape_tree(outputs):
    return jax.tree_util.tree_map(lambda x: tuple(x.shape), outputs, is_leaf=has_shape)


def dtype_tree(outputs):
    return jax.tree_util.tree_map(lambda x: standardize(x.dtype), outputs, is_leaf=has_shape)


def has_shape(x):
    return hasattr(x, "shape") and hasattr(x, "dtype")


def check_outputs(outputs, shapes, dtypes, what):
    if shapes is not None:
        got = shape_tree(outputs)
        assert shapes_match(got, shapes), f"{what} shapes {got}, expected {shapes}"
    if dtypes is not None:
        got = dtype_tree(outputs)
        assert got == dtypes or (isinstance(dtypes, str) and all(
            d == dtypes for d in jax.tree_util.tree_leaves(got))), (
            f"{what} dtypes {got}, expected {dtypes}")


def shapes_match(shapes, expected):
    """Shape structures agree; None in `expected` matches any size."""
    if is_shape(expected) and is_shape(shapes):
        return len(shapes) == len(expected) and all(
            e is None or e == s for s, e in zip(shapes, expected))
    if isinstance(expected, dict) and isinstance(shapes, dict):
        return shapes.keys() == expected.keys() and all(
            shapes_match(shapes[k], expected[k]) for k in expected)
    if isinstance(expected, (list, tuple)) and isinstance(shapes, (list, tuple)):
        return len(shapes) == len(expected) and all(map(shapes_match, shapes, expected))
    return False
