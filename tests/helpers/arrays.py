"""`assert_close`: closeness of arrays and of structures of arrays."""

import jax
import numpy as np


def assert_close(actual, expected, rtol=1e-6, atol=1e-6, err_msg=""):
    """`actual` and `expected` (arrays, or the same structure of arrays) agree elementwise within
    `rtol`/`atol`, leaf by leaf, with the same number of leaves and the same shapes. A nested
    list of numbers, or a list facing one array, is compared as one array (`np.asarray`)."""
    if _is_number_list(actual) or _is_number_list(expected) or _list_and_array(actual, expected):
        actual, expected = np.asarray(actual), np.asarray(expected)
    actual_leaves, expected_leaves = leaves(actual), leaves(expected)
    assert len(actual_leaves) == len(expected_leaves), (
        f"{err_msg} {len(actual_leaves)} arrays, expected {len(expected_leaves)}")
    for a, e in zip(actual_leaves, expected_leaves):
        np.testing.assert_allclose(np.asarray(a), np.asarray(e), rtol=rtol, atol=atol,
                                   err_msg=err_msg)


def leaves(tree):
    return jax.tree_util.tree_leaves(tree, is_leaf=lambda x: hasattr(x, "shape"))


def _list_and_array(a, b):
    def is_list(v):
        return isinstance(v, (list, tuple))

    def is_array(v):
        return hasattr(v, "shape") or isinstance(v, (int, float, np.number))

    return (is_list(a) and is_array(b)) or (is_array(a) and is_list(b))


def _is_number_list(value):
    return isinstance(value, (list, tuple)) and all(
        isinstance(x, (int, float, np.number)) for x in jax.tree_util.tree_leaves(value))
