"""Nested-structure utilities with Keras 3's semantics, over `optree`.

Lists, tuples, namedtuples, dicts (flattened in sorted key order; `OrderedDict`s in insertion
order), `defaultdict`s and `deque`s are nodes; everything else is a leaf, `None` included
(unlike `jax.tree_util`, where `None` is an empty node).
"""

import warnings

import optree

_NAMESPACE = "jkeras"


def _is_leaf(structure, none_is_leaf=True):
    return optree.tree_is_leaf(structure, none_is_leaf=none_is_leaf, namespace=_NAMESPACE)


def _mismatch():
    return ValueError("Structures don't have the same nested structure.")


class MAP_TO_NONE:
    """Returned by a `traverse` function to replace a subtree by None."""


def is_nested(structure):
    """Whether `structure` is a node (a sequence, mapping or namedtuple), not a leaf.

    Example:
        >>> is_nested({"a": 1}), is_nested(1), is_nested(None)
        (True, False, False)
    """
    return not _is_leaf(structure)


def traverse(func, structure, top_down=True):
    """Apply `func` to every subtree of `structure` (depth first) and rebuild it.

    Top down, `func(subtree)` returning None descends into the subtree, anything else
    replaces it (not descending). Bottom up, children are traversed first, then `func` of the
    rebuilt subtree replaces it unless None. Return `MAP_TO_NONE` to put None in its place.

    Example:
        >>> traverse(lambda x: None if isinstance(x, list) else x * 2, [1, [2]])
        [2, [4]]
    """

    def visit_children(subtree):
        children, spec = optree.tree_flatten(subtree, is_leaf=lambda x: x is not subtree,
                                             none_is_leaf=True, namespace=_NAMESPACE)
        if spec.num_nodes == 1 and spec.num_leaves == 1:  # a leaf
            return subtree
        return optree.tree_unflatten(spec, [visit(child) for child in children])

    def visit(subtree):
        if top_down:
            replacement = func(subtree)
            if replacement is None:
                return visit_children(subtree)
        else:
            subtree = visit_children(subtree)
            replacement = func(subtree)
            if replacement is None:
                return subtree
        # By name, so that Keras's own MAP_TO_NONE works too.
        if isinstance(replacement, type) and replacement.__name__ == "MAP_TO_NONE":
            return None
        return replacement

    return visit(structure)


def flatten(structure):
    """The leaves of `structure` in order (dicts by sorted key), as a list.

    Example:
        >>> flatten({"b": 1, "a": [2, None]})
        [2, None, 1]
    """
    if not is_nested(structure):
        return [structure]
    return optree.tree_leaves(structure, none_is_leaf=True, namespace=_NAMESPACE)


def flatten_with_path(structure):
    """`[(path, leaf), ...]`: each leaf with the tuple of keys and indices leading to it."""
    paths, leaves, _ = optree.tree_flatten_with_path(structure, none_is_leaf=True,
                                                     namespace=_NAMESPACE)
    return list(zip(paths, leaves))


def map_structure(func, *structures, none_is_leaf=True):
    """`func` applied to the corresponding leaves of `structures` (which must have the same
    structure), in the structure of the first.

    Args:
        func: Takes one leaf of each structure.
        *structures: At least one structure.
        none_is_leaf: Whether None is a leaf passed to `func` (else it stays None).
    """
    if not structures:
        raise ValueError("Must provide at least one structure")
    if len(structures) == 1 and not is_nested(structures[0]):
        return None if structures[0] is None and not none_is_leaf else func(structures[0])

    def checked(*leaves):
        if not all(_is_leaf(leaf, none_is_leaf) for leaf in leaves):
            raise _mismatch()
        return func(*leaves)

    return optree.tree_map(checked if len(structures) > 1 else func, *structures,
                           none_is_leaf=none_is_leaf, namespace=_NAMESPACE)


def map_structure_up_to(shallow_structure, func, *structures):
    """`func` applied to the subtrees of `structures` at the leaves of `shallow_structure`
    (whose nodes they must share; below its leaves they may be deeper)."""
    if not structures:
        raise ValueError("Must provide at least one structure")

    def apply(shallow_leaf, *subtrees):
        if not optree.tree_is_leaf(shallow_leaf):
            raise _mismatch()
        return func(*subtrees)

    return optree.tree_map(apply, shallow_structure, *structures, none_is_leaf=True,
                           namespace=_NAMESPACE)


def assert_same_structure(a, b, check_types=None):
    """Raise ValueError unless `a` and `b` have the same nested structure (node types
    included; `check_types` is deprecated and ignored, as in Keras)."""
    if check_types is not None:
        warnings.warn(
            "The `check_types` argument is deprecated and has no effect; "
            "`jkeras.tree.assert_same_paths` is the looser check.",
            DeprecationWarning,
            stacklevel=2,
        )

    def check(a_leaf, b_leaf):
        if not (_is_leaf(a_leaf) and _is_leaf(b_leaf)):
            raise _mismatch()

    optree.tree_map(check, a, b, none_is_leaf=True, namespace=_NAMESPACE)


def assert_same_paths(a, b):
    """Raise ValueError unless `a` and `b` have the same leaf paths (lists, tuples and
    namedtuples of the same length match)."""
    a_paths = set(optree.tree_paths(a, none_is_leaf=True, namespace=_NAMESPACE))
    b_paths = set(optree.tree_paths(b, none_is_leaf=True, namespace=_NAMESPACE))
    if a_paths != b_paths:
        message = "`a` and `b` don't have the same paths."
        if a_paths - b_paths:
            message += f"\nPaths in `a` missing in `b`:\n{a_paths - b_paths}"
        if b_paths - a_paths:
            message += f"\nPaths in `b` missing in `a`:\n{b_paths - a_paths}"
        raise ValueError(message)


def pack_sequence_as(structure, flat_sequence):
    """`flat_sequence`'s items placed in the structure of `structure` (inverse of `flatten`)."""
    spec = optree.tree_structure(structure, none_is_leaf=True, namespace=_NAMESPACE)
    return optree.tree_unflatten(spec, flat_sequence)


def lists_to_tuples(structure):
    """`structure` with every list (at any depth) turned into a tuple."""
    return traverse(lambda x: tuple(x) if isinstance(x, list) else None, structure,
                    top_down=False)


def _is_shape(x):
    return isinstance(x, (list, tuple)) and all(isinstance(d, (int, type(None))) for d in x)


def map_shape_structure(func, structure):
    """`func` applied to the shapes (tuples or lists of ints and None) in `structure`."""
    return optree.tree_map(func, structure, is_leaf=_is_shape, none_is_leaf=True,
                           namespace=_NAMESPACE)
