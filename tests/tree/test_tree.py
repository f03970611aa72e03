"""jkeras.tree against keras.tree (Keras 3's optree implementation) on a battery of nested
structures: dicts with unsorted keys, None leaves, namedtuples, tuples vs lists, deques,
OrderedDicts, empty containers and leaves."""

import collections
import inspect
import warnings

import keras
import numpy as np
import pytest

from jkeras import tree

Point = collections.namedtuple("Point", ["y", "x"])

STRUCTURES = [
    1,
    None,
    "text",
    np.arange(3),
    [],
    (),
    {},
    [1, None, 2],
    (1, [2, (3, None)]),
    {"b": 1, "a": [2, 3], "c": {"z": None, "y": (4,)}},
    collections.OrderedDict([("b", 1), ("a", 2)]),
    collections.defaultdict(list, {"k": [1, 2], "j": 3}),
    collections.deque([1, [2, 3]]),
    Point(y=[1, 2], x={"q": None}),
    [Point(1, 2), (Point(3, None),)],
    {"outer": [{"b": (1, 2), "a": None}], "inner": ()},
]
IDS = [repr(s)[:30] for s in STRUCTURES]


def _same(mine, theirs):
    """Equal values and types at every level."""
    assert type(mine) is type(theirs), (mine, theirs)
    if isinstance(mine, np.ndarray):
        np.testing.assert_array_equal(mine, theirs)
    elif isinstance(mine, dict):
        assert list(mine) == list(theirs)
        for key in mine:
            _same(mine[key], theirs[key])
    elif isinstance(mine, (list, tuple, collections.deque)):
        assert len(mine) == len(theirs)
        for a, b in zip(mine, theirs):
            _same(a, b)
    else:
        assert mine == theirs


def test_names_and_signatures():
    names = sorted(n for n in dir(keras.tree) if not n.startswith("_"))
    assert names == sorted(tree.__all__)
    for name in names:
        if callable(getattr(keras.tree, name)) and not inspect.isclass(getattr(keras.tree, name)):
            assert inspect.signature(getattr(tree, name)) == inspect.signature(
                getattr(keras.tree, name)), name


@pytest.mark.parametrize("structure", STRUCTURES, ids=IDS)
def test_flatten_pack_and_paths(structure):
    _same(tree.flatten(structure), keras.tree.flatten(structure))
    _same(tree.flatten_with_path(structure), keras.tree.flatten_with_path(structure))
    assert tree.is_nested(structure) == keras.tree.is_nested(structure)
    leaves = [f"leaf{i}" for i in range(len(keras.tree.flatten(structure)))]
    _same(tree.pack_sequence_as(structure, leaves),
          keras.tree.pack_sequence_as(structure, leaves))
    _same(tree.lists_to_tuples(structure), keras.tree.lists_to_tuples(structure))


@pytest.mark.parametrize("structure", STRUCTURES, ids=IDS)
def test_map_structure(structure):
    def describe(x):
        return f"<{type(x).__name__}>"

    _same(tree.map_structure(describe, structure), keras.tree.map_structure(describe, structure))
    _same(tree.map_structure(describe, structure, none_is_leaf=False),
          keras.tree.map_structure(describe, structure, none_is_leaf=False))
    _same(tree.map_structure(lambda a, b: (a, b), structure, structure),
          keras.tree.map_structure(lambda a, b: (a, b), structure, structure))


@pytest.mark.parametrize("structure", STRUCTURES, ids=IDS)
def test_traverse(structure):
    for top_down in (True, False):
        mine, theirs = [], []
        _same(tree.traverse(lambda x, seen=mine: seen.append(repr(x)), structure,
                            top_down=top_down),
              keras.tree.traverse(lambda x, seen=theirs: seen.append(repr(x)), structure,
                                  top_down=top_down))
        assert mine == theirs

    def replace_lists(x):
        return tree.MAP_TO_NONE if isinstance(x, list) else None

    _same(tree.traverse(replace_lists, structure),
          keras.tree.traverse(replace_lists, structure))


def test_map_structure_up_to():
    shallow = {"a": 0, "b": [0, 0]}
    deep = {"a": [1, 2], "b": [(3,), {"k": 4}]}
    _same(tree.map_structure_up_to(shallow, repr, deep),
          keras.tree.map_structure_up_to(shallow, repr, deep))
    _same(tree.map_structure_up_to(shallow, lambda a, b: (a, b), deep, deep),
          keras.tree.map_structure_up_to(shallow, lambda a, b: (a, b), deep, deep))
    for namespace in (tree, keras.tree):
        with pytest.raises(ValueError, match="same nested structure"):
            namespace.map_structure_up_to({"a": None}, repr, {"a": 1})
        with pytest.raises(ValueError, match="at least one structure"):
            namespace.map_structure_up_to(shallow, repr)


def test_map_shape_structure():
    shapes = {"x": (None, 3), "y": [(2, 4), [5]], "z": [(1, "a")]}
    _same(tree.map_shape_structure(repr, shapes), keras.tree.map_shape_structure(repr, shapes))


@pytest.mark.parametrize("a, b, same_structure, same_paths", [
    ([1, 2], [3, 4], True, True),
    ([1, 2], (3, 4), False, True),
    ({"a": 1, "b": [2]}, {"b": [5], "a": 6}, True, True),
    (Point(1, 2), (1, 2), False, True),
    ([1, [2]], [1, 2], False, False),
    (None, 1, True, True),
    ({"a": 1}, {"b": 1}, False, False),
])
def test_assertions(a, b, same_structure, same_paths):
    for namespace in (tree, keras.tree):
        for check, expected in ((namespace.assert_same_structure, same_structure),
                                (namespace.assert_same_paths, same_paths)):
            if expected:
                check(a, b)
            else:
                with pytest.raises(ValueError):
                    check(a, b)


def test_errors_and_deprecations():
    for namespace in (tree, keras.tree):
        with pytest.raises(ValueError, match="same nested structure"):
            namespace.map_structure(lambda a, b: a, [1, 2], [1, [2]])
        with pytest.raises(ValueError):
            namespace.pack_sequence_as([1, 2], [1])
        with pytest.raises(ValueError, match="at least one structure"):
            namespace.map_structure(repr)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            namespace.assert_same_structure([1], [2], check_types=True)
        assert any(issubclass(w.category, DeprecationWarning) for w in caught)
