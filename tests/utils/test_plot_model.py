"""`plot_model` / `model_to_dot`: Keras 3's Graphviz drawing, through pydot and `dot`.

Needs `pip install pydot` (the test extra) and the Graphviz `dot` program (`apt-get install
graphviz`, in the README's test command); the missing-dependency messages are tested by hiding
them.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import re
import struct
import sys

import pytest

import jkeras
from jkeras.utils import model_visualization

def _identity(test):
    return test


# Both are installed wherever the suite runs (the README's test command); a missing one fails.
needs_pydot = needs_graphviz = _identity


def dense(lib, units, **kwargs):
    return lib.layers.Dense(units, kernel_initializer="zeros", **kwargs)


def functional(lib):
    a = lib.Input((8,), name="a")
    b = lib.Input((4,), name="b")
    shared = dense(lib, 4, activation="relu", name="shared")
    x = lib.layers.Concatenate(name="cat")([shared(b), b])
    y = shared(dense(lib, 4, name="proj")(x))
    z = lib.layers.Add(name="merge")([y, dense(lib, 4, name="skip")(x)]) + y
    out_1 = dense(lib, 1, name="out_1")(lib.layers.Concatenate(name="cat_2")([a, z]))
    out_2 = dense(lib, 2, name="out_2")(z)
    return lib.Model([a, b], [out_1, out_2], name="functional")


def nested(lib):
    inner = lib.Sequential(
        [
            lib.Input((8,), name="inner_input"),
            dense(lib, 4, name="inner_1"),
            dense(lib, 3, name="inner_2"),
        ],
        name="inner",
    )
    branch_input = lib.Input((3,), name="branch_input")
    branch = lib.Model(
        branch_input,
        [
            dense(lib, 3, name="branch_a")(branch_input),
            dense(lib, 8, name="branch_b")(branch_input),
        ],
        name="branch",
    )
    inputs = lib.Input((3,), name="outer_input")
    p, q = branch(inputs)
    outputs = lib.layers.Subtract(name="diff")([inner(q), p])
    return lib.Model(inputs, outputs, name="outer")


def png_size(path):
    with open(path, "rb") as f:
        data = f.read(24)
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@needs_graphviz
def test_writes_png_for_functional_model(tmp_path):
    model = functional(jkeras)
    path = tmp_path / "model.png"
    assert jkeras.utils.plot_model(model, to_file=path, show_shapes=True) is None
    width, height = png_size(path)
    # 9 boxes in about 6 ranks at 200 dpi: several hundred pixels each way.
    assert 400 < width < 8000 and 800 < height < 12000
    assert os.path.getsize(path) > 10_000

    small = tmp_path / "small.png"
    jkeras.utils.plot_model(model, to_file=small, show_shapes=True, dpi=50)
    small_width, small_height = png_size(small)
    assert small_width == pytest.approx(width / 4, rel=0.05)
    assert small_height == pytest.approx(height / 4, rel=0.05)


@needs_graphviz
def test_format_follows_the_extension(tmp_path):
    model = functional(jkeras)
    jkeras.utils.plot_model(model, to_file=tmp_path / "model.svg", show_layer_names=True)
    svg = (tmp_path / "model.svg").read_text()
    assert "<svg" in svg and "shared" in svg and "out_2" in svg
    jkeras.utils.plot_model(model, to_file=str(tmp_path / "model"))  # no extension: PNG
    png_size(tmp_path / "model")


@needs_pydot
def test_show_shapes_puts_shapes_in_the_dot_source():
    model = functional(jkeras)
    plain = model_visualization.model_to_dot(model).to_string()
    assert "shape:" not in plain
    source = model_visualization.model_to_dot(model, show_shapes=True, show_dtype=True).to_string()
    assert "Output shape: <b>(None, 4)</b>" in source  # the Input b
    assert "Input shape: <b>[(None, 8), (None, 4)]</b>" in source  # cat_2
    assert "Output shape: <b>(None, 12)</b>" in source
    assert "Output dtype: <b>float32</b>" in source
    assert "<b>shared</b> (Dense)" in source and "(Add)" in source


@needs_pydot
def test_nodes_and_edges_follow_the_graph():
    model = functional(jkeras)
    dot = model_visualization.model_to_dot(model)
    names = {
        node.get_name(): re.search(r"<b>(\w+)</b>", node.get("label")).group(1)
        for node in dot.get_nodes()
        if node.get("label")
    }
    edges = {(names[e.get_source()], names[e.get_destination()]) for e in dot.get_edges()}
    add = next(name for name in names.values() if name.startswith("add"))
    assert edges == {
        ("b", "shared"),
        ("shared", "cat"),
        ("b", "cat"),
        ("cat", "proj"),
        ("proj", "shared"),
        ("shared", "merge"),
        ("cat", "skip"),
        ("skip", "merge"),
        ("merge", add),
        ("shared", add),
        ("a", "cat_2"),
        (add, "cat_2"),
        ("cat_2", "out_1"),
        (add, "out_2"),
    }
    assert dot.get("rankdir") == "TB" and dot.get("dpi") == 200


@needs_pydot
@pytest.mark.parametrize("build", [functional, nested], ids=["functional", "nested"])
@pytest.mark.parametrize("expand_nested", [False, True])
def test_dot_source_matches_keras(build, expand_nested):
    import keras
    from keras.src.utils.model_visualization import model_to_dot as keras_model_to_dot

    def canonical(dot):
        # Node ids are object ids: number them in order of appearance. Operations are named
        # from global counters (`add`, `add_3`): drop the suffix.
        ids = {}
        source = re.sub(
            r"\b\d{6,}\b", lambda m: ids.setdefault(m.group(0), f"n{len(ids)}"), dot.to_string()
        )
        return re.sub(r"<b>add(_\d+)?</b>", "<b>add</b>", source)

    options = {
        "show_shapes": True,
        "show_dtype": True,
        "show_layer_activations": True,
        "show_trainable": True,
        "expand_nested": expand_nested,
        "rankdir": "LR",
    }
    expected = canonical(keras_model_to_dot(build(keras), **options))
    assert canonical(model_visualization.model_to_dot(build(jkeras), **options)) == expected


@needs_pydot
def test_sequential_and_subclassed_models():
    model = jkeras.Sequential(
        [jkeras.Input((3,)), dense(jkeras, 2, name="s1"), jkeras.layers.Dropout(0.1, name="s2")]
    )
    dot = model_visualization.model_to_dot(model)
    assert len(dot.get_nodes()) == 3 and len(dot.get_edges()) == 1  # + the node defaults

    class Subclassed(jkeras.Model):
        def __init__(self):
            super().__init__(name="subclassed")
            self.layer = dense(jkeras, 2)

        def call(self, x):
            return self.layer(x)

    unbuilt = Subclassed()
    with pytest.raises(ValueError, match="has not yet been built"):
        model_visualization.model_to_dot(unbuilt)
    unbuilt.build((None, 3))
    nodes = [n for n in model_visualization.model_to_dot(unbuilt).get_nodes() if n.get("label")]
    assert len(nodes) == 1 and "(Subclassed)" in nodes[0].get("label")


def test_missing_pydot_says_what_to_install(monkeypatch):
    for name in ("pydot", "pydot_ng", "pydotplus"):
        monkeypatch.setitem(sys.modules, name, None)  # makes `import pydot` fail
    model = jkeras.Sequential([jkeras.Input((3,)), dense(jkeras, 2)])
    for function in (jkeras.utils.plot_model, jkeras.utils.model_to_dot):
        with pytest.raises(ImportError) as info:
            function(model)
        assert "pip install pydot" in str(info.value)
        assert "apt-get install graphviz" in str(info.value)


@needs_pydot
def test_missing_graphviz_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` program to be found
    model = jkeras.Sequential([jkeras.Input((3,)), dense(jkeras, 2)])
    with pytest.raises(ImportError, match="apt-get install graphviz"):
        jkeras.utils.plot_model(model, to_file=tmp_path / "model.png")
    assert not (tmp_path / "model.png").exists()


@needs_graphviz
def test_ortho_crash_falls_back_to_polylines(monkeypatch, tmp_path):
    import pydot

    write = pydot.Dot.write

    def crashing_ortho_write(self, path, *args, **kwargs):
        if self.get("splines") == "ortho":  # as Graphviz 2.43 does on some graphs
            raise AssertionError("\"dot\" with args ['-Tpng'] returned code: -6")
        return write(self, path, *args, **kwargs)

    monkeypatch.setattr(pydot.Dot, "write", crashing_ortho_write)
    with pytest.warns(UserWarning, match="splines='polyline'"):
        jkeras.utils.plot_model(functional(jkeras), to_file=tmp_path / "model.png")
    png_size(tmp_path / "model.png")

    def crashing_write(self, path, *args, **kwargs):
        raise AssertionError("\"dot\" with args ['-Tpng'] returned code: -6")

    monkeypatch.setattr(pydot.Dot, "write", crashing_write)
    with pytest.raises(AssertionError, match="returned code"):  # other splines: no retry
        jkeras.utils.plot_model(functional(jkeras), to_file=tmp_path / "b.png", splines="line")
