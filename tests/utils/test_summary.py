"""`model.summary()`: the same table and parameter lines as Keras 3 for the same architecture."""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras
import numpy as np
import pytest

import jkeras
from jkeras.core import naming
from jkeras.utils import summary_utils


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    # Keras caps the table at the terminal width minus 4; fix it so both sides see the same.
    monkeypatch.setenv("COLUMNS", "160")


def summary_text(model, **kwargs):
    calls = []
    model.summary(print_fn=lambda text, *args, **kw: calls.append(text), **kwargs)
    assert len(calls) == 1, "Keras 3 passes the whole summary to print_fn in one call"
    return calls[0]


def parse(text):
    """`(rows, totals)`: each table row as a list of cell texts (wrapped lines joined)."""
    lines = text.splitlines()
    rows, current = [], None
    for line in lines:
        if line.startswith("│"):
            cells = [cell.strip() for cell in line.strip("│").split("│")]
            if current is None:
                current = [[] for _ in cells]
            for parts, cell in zip(current, cells):
                if cell:
                    parts.append(cell)
        elif line.startswith(("├", "└")) and current is not None:
            rows.append([" ".join(parts) for parts in current])
            current = None
    totals = [line for line in lines if line.startswith(" ") and "params:" in line]
    return rows, totals


# --------------------------------------------------------------------- reference models
# Zero initializers: the summary does not look at values, and random ones compile per shape.


def dense(lib, units, **kwargs):
    return lib.layers.Dense(units, kernel_initializer="zeros", **kwargs)


def mlp(lib):
    return lib.Sequential(
        [
            lib.Input((32,), name="mlp_input"),
            dense(lib, 64, activation="relu", name="hidden_1"),
            dense(lib, 64, activation="relu", name="hidden_2"),
            dense(lib, 10, activation="softmax", name="logits"),
        ],
        name="mlp",
    )


def with_dropout(lib):
    return lib.Sequential(
        [
            dense(lib, 64, input_shape=(20,), name="dense_in"),
            lib.layers.Dropout(0.5, name="drop"),
            lib.layers.Activation("relu", name="relu"),
            dense(lib, 10, name="dense_out"),
        ],
        name="with_dropout",
    )


def multi_io(lib):
    layers = lib.layers
    a = lib.Input((8,), name="a")
    b = lib.Input((4,), name="b")
    shared = dense(lib, 4, name="shared")
    x = layers.Concatenate(name="cat")([shared(b), b])
    y = shared(dense(lib, 4, name="proj")(x))
    z = layers.Add(name="merge")([y, dense(lib, 4, name="skip")(x)])
    z = z + y  # an operator node: Keras lists it as `add (Add)`
    out_1 = dense(lib, 1, name="out_1")(layers.Concatenate(name="cat_2")([a, z]))
    out_2 = dense(lib, 2, activation="softmax", name="out_2")(z)
    return lib.Model([a, b], [out_1, out_2], name="multi_io")


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
            dense(lib, 2, name="branch_a")(branch_input),
            dense(lib, 8, name="branch_b")(branch_input),
        ],
        name="branch",
    )
    inputs = lib.Input((3,), name="outer_input")
    p, q = branch(inputs)
    outputs = dense(lib, 2, name="head")(inner(q))
    outputs = lib.layers.Subtract(name="diff")([outputs, p])
    model = lib.Model(inputs, outputs, name="outer")
    inner.trainable = False
    return model


def embedding(lib):
    return lib.Sequential(
        [
            lib.Input((5,), dtype="int32", name="tokens"),
            lib.layers.Embedding(100, 8, embeddings_initializer="zeros", name="embed"),
            lib.layers.Flatten(name="flat"),
            dense(lib, 1, name="score"),
        ],
        name="embedding",
    )


def unbuilt(lib):
    return lib.Sequential(
        [dense(lib, 16, name="u1"), lib.layers.Dropout(0.1, name="u2"), dense(lib, 2, name="u3")],
        name="unbuilt",
    )


def compiled(lib):
    model = mlp(lib)
    model.compile(optimizer="adam", loss="mse")
    model.optimizer.build(model.trainable_variables)
    return model


REFERENCE_MODELS = [mlp, with_dropout, multi_io, nested, embedding, unbuilt, compiled]


@pytest.fixture(scope="module")
def model_pairs():
    pairs = {}
    for build in REFERENCE_MODELS:
        # Operator nodes (`z + y`) are named from global counters: start both from zero.
        keras.backend.clear_session()
        naming.reset_names()
        pairs[build.__name__] = (build(keras), build(jkeras))
    return pairs


# ------------------------------------------------------------------------------- tests


def test_perceptron_reports_7850_params():
    model = jkeras.Sequential(
        [
            jkeras.layers.Dense(
                10,
                input_shape=(784,),
                kernel_initializer="zeros",
                name="dense_layer",
                activation="softmax",
            )
        ]
    )
    text = summary_text(model)
    assert text.startswith(f'Model: "{model.name}"\n')
    rows, totals = parse(text)
    assert rows == [["dense_layer (Dense)", "(None, 10)", "7,850"]]
    assert totals == [
        " Total params: 7,850 (30.66 KB)",
        " Trainable params: 7,850 (30.66 KB)",
        " Non-trainable params: 0 (0.00 B)",
    ]
    assert "Connected to" not in text


@pytest.mark.parametrize("name", [build.__name__ for build in REFERENCE_MODELS])
def test_rows_and_totals_match_keras(model_pairs, name):
    keras_model, jkeras_model = model_pairs[name]
    keras_rows, keras_totals = parse(summary_text(keras_model))
    rows, totals = parse(summary_text(jkeras_model))
    assert totals == keras_totals
    assert rows == keras_rows  # name (type), output shape, param #, connected to


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"show_trainable": True},
        {"expand_nested": True},
        {"expand_nested": True, "show_trainable": True, "line_length": 130},
        {"line_length": 60},
        {"positions": [0.5, 0.7, 0.8, 1.0]},
    ],
    ids=lambda options: ",".join(options) or "default",
)
def test_text_matches_keras_exactly(model_pairs, options):
    for name, (keras_model, jkeras_model) in model_pairs.items():
        if "positions" in options and name != "multi_io":
            continue  # four positions are for the four-column (functional) table
        assert summary_text(jkeras_model, **options) == summary_text(keras_model, **options), name


def test_layer_range_matches_keras(model_pairs):
    keras_model, jkeras_model = model_pairs["multi_io"]
    for layer_range in (["shared", "merge"], ["cat.*", "out_.*"], ["out_2", "a"]):
        expected = summary_text(keras_model, layer_range=layer_range)
        assert summary_text(jkeras_model, layer_range=layer_range) == expected
    with pytest.raises(ValueError, match="do not match the layer names"):
        summary_text(jkeras_model, layer_range=["nope", "out_1"])
    with pytest.raises(ValueError, match="length 2"):
        summary_text(jkeras_model, layer_range=["a"])


def test_unbuilt_sequential_shows_question_marks():
    rows, totals = parse(summary_text(unbuilt(jkeras)))
    assert rows == [
        ["u1 (Dense)", "?", "0 (unbuilt)"],
        ["u2 (Dropout)", "?", "0"],  # no build() of its own: built at construction, as Keras
        ["u3 (Dense)", "?", "0 (unbuilt)"],
    ]
    assert totals[0] == " Total params: 0 (0.00 B)"


def test_operator_rows_and_connections():
    inputs = jkeras.Input((6,), name="x")
    hidden = dense(jkeras, 6, name="h")(inputs)
    model = jkeras.Model(inputs, dense(jkeras, 1, name="y")(inputs + hidden), name="ops")
    rows, _ = parse(summary_text(model))
    assert rows == [
        ["x (InputLayer)", "(None, 6)", "0", "-"],
        ["h (Dense)", "(None, 6)", "42", "x[0][0]"],
        [f"{rows[2][0].split()[0]} (Add)", "(None, 6)", "0", "x[0][0], h[0][0]"],
        ["y (Dense)", "(None, 1)", "7", f"{rows[2][0].split()[0]}[0][0]"],
    ]


def test_optimizer_params_line():
    model = compiled(jkeras)
    _, totals = parse(summary_text(model))
    weights = model.count_params()
    optimizer = summary_utils.count_params(model.optimizer.variables)
    assert optimizer >= 2 * weights
    assert totals[0].startswith(f" Total params: {weights + optimizer:,} (")
    assert totals[3].startswith(f" Optimizer params: {optimizer:,} (")


def test_subclassed_model_lists_its_layers():
    class TwoLayers(jkeras.Model):
        def __init__(self):
            super().__init__(name="two_layers")
            self.first = dense(jkeras, 4, name="first")
            self.second = dense(jkeras, 2, name="second")

        def call(self, x):
            return self.second(self.first(x))

    model = TwoLayers()
    assert parse(summary_text(model))[0] == [
        ["first (Dense)", "?", "0 (unbuilt)"],
        ["second (Dense)", "?", "0 (unbuilt)"],
    ]
    model(np.zeros((3, 5), "float32"))
    rows, totals = parse(summary_text(model))
    assert [(row[0], row[2]) for row in rows] == [("first (Dense)", "24"), ("second (Dense)", "10")]
    assert totals[0] == " Total params: 34 (136.00 B)"


def test_memory_sizes_follow_dtypes():
    assert summary_utils.readable_memory_size(7850 * 4) == "30.66 KB"
    assert summary_utils.readable_memory_size(0) == "0.00 B"
    assert summary_utils.readable_memory_size(3 * 1024**3) == "3.00 GB"
    weights = [
        jkeras.Variable(np.zeros((10, 10)), dtype=dtype) for dtype in ("float16", "int8", "bool")
    ]
    assert summary_utils.weight_memory_size(weights) == 100 * 2 + 100 + 100 / 8
    assert summary_utils.weight_memory_size(weights + weights) == 100 * 2 + 100 + 100 / 8


def test_default_print_goes_to_stdout(capsys):
    model = mlp(jkeras)
    assert model.summary() is None
    assert capsys.readouterr().out == summary_text(model)


def test_width_follows_terminal_and_line_length(monkeypatch):
    model = multi_io(jkeras)
    assert max(len(line) for line in summary_text(model).splitlines()) == 108
    monkeypatch.setenv("COLUMNS", "90")
    assert max(len(line) for line in summary_text(model).splitlines()) == 86
    assert max(len(line) for line in summary_text(model, line_length=70).splitlines()) == 70
    with pytest.raises(ValueError, match="Insufficient console width"):
        summary_text(model, line_length=10)


def test_table_renderer_matches_rich():
    import rich.table as rich_table  # installed with keras, the test extra's reference
    import io
    import random

    import rich.console
    import rich.markup

    rng = random.Random(0)
    words = [
        "dense",
        "(Dense)",
        "b[0][0],",
        "get_item_1[0][0],",
        "x" * 30,
        "   └",
        "(None,",
        "5)",
        "",
        "é",
        "全角",
        "ab  cd",
        "Trainable",
    ]
    for _ in range(150):
        count = rng.randint(1, 5)
        line_length = rng.randint(count * 6 + 2, 130)
        cuts = sorted(rng.sample(range(4, line_length - 3), count - 1)) + [line_length]
        widths = [b - a for a, b in zip([0] + cuts, cuts)]
        if min(widths) < 4:
            continue
        alignment = [rng.choice(["left", "right", "center"]) for _ in range(count)]

        def cell():
            return " ".join(rng.choice(words) for _ in range(rng.randint(1, 5)))

        header = [cell() for _ in range(count)]
        rows = [[cell() for _ in range(count)] for _ in range(rng.randint(0, 3))]
        table = rich_table.Table(
            *[
                rich_table.Column(rich.markup.escape(h), justify=a, width=w)
                for h, a, w in zip(header, alignment, widths)
            ],
            width=line_length,
            show_lines=True,
        )
        for row in rows:
            table.add_row(*[rich.markup.escape(c) for c in row])
        console = rich.console.Console(
            highlight=False, color_system=None, width=300, file=io.StringIO()
        )
        console.begin_capture()
        console.print(table)
        expected = console.end_capture()
        rendered = summary_utils.render_table(header, alignment, widths, rows, line_length)
        assert "\n".join(rendered) + "\n" == expected, (header, rows, widths, line_length)
