"""`model.summary()`: Keras 3's table of layers, output shapes and parameter counts.

The text is the one Keras 3 prints when given a `print_fn`: a `rich` table with the heavy-head
box, drawn by a console that records plain text (no colour), as wide as the terminal. The rows
of a functional model follow Keras's graph order (`graph_order.map_graph`).
"""

import math
import re
import shutil
import sys

import numpy as np
import rich.console
import rich.markup
import rich.table

from jkeras.core.keras_tensor import KerasTensor
from jkeras.layers.core.input_layer import InputLayer
from jkeras.layers.layer import Layer
from jkeras.utils.graph_order import class_name, is_functional, map_graph, model_layers

# Bits per element, as `keras.src.utils.dtype_utils.DTYPE_TO_SIZE`.
_DTYPE_BITS = {
    **{f"float{i}": i for i in (16, 32, 64)},
    **{f"int{i}": i for i in (8, 16, 32, 64)},
    **{f"uint{i}": i for i in (8, 16, 32, 64)},
    "bfloat16": 16,
    "bool": 1,
}


# --------------------------------------------------------------------------- parameter sizes


def count_params(weights):
    """The number of scalars in `weights`."""
    return int(sum(math.prod(w.shape) for w in weights))


def weight_memory_size(weights):
    """The memory footprint of `weights` in bytes (each variable counted once)."""
    unique = {id(w): w for w in weights}.values()
    bits = sum(math.prod(w.shape) * _dtype_bits(w.dtype) for w in unique)
    return bits / 8


def readable_memory_size(size):
    """`31400.0` -> `"30.66 KB"` (powers of 1024, two decimals), as Keras."""
    units = ["B", "KB", "MB", "GB", "TB", "PB"]
    for unit in units:
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} {units[-1]}"


def _dtype_bits(dtype):
    name = getattr(dtype, "name", dtype) if not isinstance(dtype, str) else dtype
    if name in _DTYPE_BITS:
        return _DTYPE_BITS[name]
    return np.dtype(name).itemsize * 8


def _map_tensors(fn, structure):
    if isinstance(structure, KerasTensor):
        return fn(structure)
    if isinstance(structure, (list, tuple)):
        return type(structure)(_map_tensors(fn, x) for x in structure)
    if isinstance(structure, dict):
        return {k: _map_tensors(fn, v) for k, v in structure.items()}
    return structure


def _flatten_strings(structure):
    if isinstance(structure, str):
        return [structure]
    if isinstance(structure, (list, tuple)):
        return [s for x in structure for s in _flatten_strings(x)]
    if isinstance(structure, dict):
        return [s for x in structure.values() for s in _flatten_strings(x)]
    return []


def _is_shape(value):
    return isinstance(value, tuple) and all(d is None or isinstance(d, int) for d in value)


def _map_shapes(fn, structure):
    if _is_shape(structure):
        return fn(structure)
    if isinstance(structure, (list, tuple)):
        return type(structure)(_map_shapes(fn, x) for x in structure)
    if isinstance(structure, dict):
        return {k: _map_shapes(fn, v) for k, v in structure.items()}
    return structure


def format_shape(shape):
    """`(None, 10)`; a one-dimensional shape prints as `(None)`, as in Keras."""
    return f"({', '.join(str(d) for d in shape)})"


def format_layer_shape(layer):
    """The output shape(s) of the layer's last symbolic call, or `"?"` when unknown."""
    nodes = getattr(layer, "inbound_nodes", None) or []
    if nodes:
        shapes = _map_tensors(lambda t: format_shape(t.shape), nodes[-1].outputs)
    elif isinstance(layer, InputLayer):
        shapes = format_shape(layer.output.shape)
    elif getattr(layer, "built", False):
        # A layer built by an eager call (inside a subclassed model) has no symbolic output;
        # Keras then uses the shapes it was built with (`get_build_config`), where recorded.
        try:
            if hasattr(layer, "output_shape"):
                shapes = _map_shapes(format_shape, layer.output_shape)
            elif (layer.get_build_config() or {}).get("input_shape"):
                output_shape = layer.compute_output_shape(layer.get_build_config()["input_shape"])
                shapes = _map_shapes(format_shape, output_shape)
            else:
                return "?"
        except (AttributeError, ValueError, NotImplementedError):
            return "?"
    else:
        return "?"
    flat = _flatten_strings(shapes)
    if len(flat) == 1:
        return flat[0]
    return str(shapes).replace("'", "")


def _is_built(layer):
    # Keras marks a layer without its own `build` as built at construction.
    return layer.built or type(layer).build is Layer.build


# ------------------------------------------------------------------------------ summary


def print_summary(
    model,
    line_length=None,
    positions=None,
    print_fn=None,
    expand_nested=False,
    show_trainable=False,
    layer_range=None,
):
    """Print a summary of a model: its layers, output shapes, parameter counts and sizes.

    Args:
        model: a jkeras model.
        line_length: total width of the table (default 88, or 108 with the "Connected to"
            column, at most the terminal width minus 4).
        positions: right edges of the columns, relative to `line_length` (default
            `[0.45, 0.80, 1.0]`, or `[0.3, 0.56, 0.74, 1.0]` with "Connected to").
        print_fn: called once with the whole summary text (lines joined by newlines). The
            default writes it to stdout.
        expand_nested: also list the layers of nested models, indented.
        show_trainable: add a "Trainable" column (`Y`, `N`, or `-` without weights).
        layer_range: two names or regexes (first match, last match) bounding the listed rows.

    Example:
        >>> lines = []
        >>> model.summary(print_fn=lines.append)
    """
    text = summary_text(model, line_length, positions, expand_nested, show_trainable, layer_range)
    if print_fn is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        print_fn(text)


def summary_text(
    model,
    line_length=None,
    positions=None,
    expand_nested=False,
    show_trainable=False,
    layer_range=None,
):
    """The text `print_summary` prints (ends with a newline)."""
    graph = None
    if is_functional(model):
        graph = map_graph(model)
        layers = graph.operations
        sequential_like = _is_sequential_like(model, graph)
    else:
        # Sequential and subclassed models are listed as a plain sequence of layers.
        layers = list(model.layers)
        sequential_like = True
    header, alignment, column_widths, line_length = _columns(
        sequential_like, positions, show_trainable, line_length
    )

    def layer_rows(layer, nested_level=0):
        prefix = "   " * nested_level + "└ " if nested_level else ""
        rows = [_row(layer, prefix, None if sequential_like else graph, show_trainable)]
        if expand_nested and getattr(layer, "layers", None):
            for sublayer in model_layers(layer):
                rows.extend(layer_rows(sublayer, nested_level + 1))
        return rows

    start, stop = get_layer_index_bound_by_layer_name(layers, layer_range)
    rows = [row for layer in layers[start:stop] for row in layer_rows(layer)]
    console = _plain_console()
    console.begin_capture()
    console.print(rich.markup.escape(f'Model: "{model.name}"'))
    console.print(_table(header, alignment, column_widths, rows, line_length))
    for line in _total_lines(model):
        console.print(rich.markup.escape(line))
    return console.end_capture()


def _columns(sequential_like, positions, show_trainable, line_length):
    """`(header, alignment, column_widths, line_length)` of the table, as Keras lays it out."""
    if sequential_like:
        default_line_length = 88
        positions = positions or [0.45, 0.80, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #"]
        alignment = ["left", "left", "right"]
    else:
        default_line_length = 108
        positions = positions or [0.3, 0.56, 0.74, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        alignment = ["left", "left", "right", "left"]
    if show_trainable:
        default_line_length += 12
        positions = [p * 0.90 for p in positions] + [1.0]
        header.append("Trainable")
        alignment.append("center")

    default_line_length = min(default_line_length, shutil.get_terminal_size().columns - 4)
    line_length = line_length or default_line_length
    column_widths = []
    current = 0
    for position in positions:
        width = int(position * line_length) - current
        if width < 4:
            raise ValueError("Insufficient console width to print summary.")
        column_widths.append(width)
        current += width
    return header, alignment, column_widths, line_length


def _connections(layer, graph):
    """The "Connected to" cell: `name[node_index][tensor_index]` of each input, or `-`."""
    text = ""
    for node in getattr(layer, "inbound_nodes", None) or []:
        if graph.node_ids and id(node) not in graph.node_ids:
            continue  # a call outside this model
        for tensor in node.input_tensors:
            history = graph.history(tensor)
            if history is None:
                continue
            source, tensor_index = history
            operation = source.operation
            inbound = getattr(operation, "inbound_nodes", None) or []
            node_index = next((i for i, n in enumerate(inbound) if n is source), 0)
            if text:
                text += ", "
            text += f"{operation.name}[{node_index}][{tensor_index}]"
    return text or "-"


def _row(layer, prefix, graph, show_trainable):
    """A layer's cells; `graph` (the model's) adds the "Connected to" cell."""
    name = f"{prefix}{layer.name} ({class_name(layer)})"
    if not hasattr(layer, "built"):
        params = "0"
    elif not _is_built(layer):
        params = "0 (unbuilt)"
    else:
        params = f"{count_params(layer.weights):,}"
    row = [name, format_layer_shape(layer), params]
    if graph is not None:
        row.append(_connections(layer, graph))
    if show_trainable:
        if getattr(layer, "weights", None):
            row.append("Y" if layer.trainable else "N")
        else:
            row.append("-")
    return row


def _total_lines(model):
    """The parameter-count lines under the table (the optimizer's once it is built)."""
    trainable = model.trainable_weights
    non_trainable = model.non_trainable_weights
    optimizer = getattr(model, "optimizer", None)
    optimizer_built = bool(
        getattr(model, "compiled", False) and optimizer and getattr(optimizer, "built", False)
    )
    groups = [("Trainable params", trainable), ("Non-trainable params", non_trainable)]
    if optimizer_built:
        groups.append(("Optimizer params", optimizer.variables))
    counts = [(label, count_params(w), weight_memory_size(w)) for label, w in groups]
    total = ("Total params", sum(c for _, c, _ in counts), sum(s for _, _, s in counts))
    return [
        f" {label}: {count:,} ({readable_memory_size(size)})"
        for label, count, size in [total, *counts]
    ]


def _is_sequential_like(model, graph):
    """Keras's test: one node per depth, each with one input, and no shared layer."""
    nodes = []
    for depth_nodes in graph.nodes_by_depth.values():
        if len(depth_nodes) > 1 or (
            len(depth_nodes) == 1 and len(depth_nodes[0].input_tensors) > 1
        ):
            return False
        nodes += depth_nodes
    node_ids = {id(node) for node in nodes}
    for layer in model_layers(model):
        calls = [n for n in getattr(layer, "inbound_nodes", []) if id(n) in node_ids]
        if len(calls) > 1:
            return False
    return True


def get_layer_index_bound_by_layer_name(layers, layer_range=None):
    """`[first, last + 1]`: the slice of `layers` that `layer_range` (two names or regexes,
    both inclusive) selects; all layers when it is None."""
    if layer_range is None:
        return [0, len(layers)]
    if len(layer_range) != 2:
        raise ValueError(
            "layer_range must be a list or tuple of length 2. Received: "
            f"layer_range = {layer_range} of length {len(layer_range)}"
        )
    if not isinstance(layer_range[0], str) or not isinstance(layer_range[1], str):
        raise ValueError(  # noqa: TRY004 (Keras raises ValueError)
            f"layer_range should contain string type only. Received: {layer_range}"
        )
    lower = [i for i, layer in enumerate(layers) if re.match(layer_range[0], layer.name)]
    upper = [i for i, layer in enumerate(layers) if re.match(layer_range[1], layer.name)]
    if not lower or not upper:
        raise ValueError(
            f"Passed layer_names do not match the layer names in the model. Received: {layer_range}"
        )
    if min(lower) > max(upper):
        return [min(upper), max(lower) + 1]
    return [min(lower), max(upper) + 1]


# ------------------------------------------------------------------------------- drawing


def _plain_console(width=None):
    """A console that records plain text, as Keras's summary draws for a `print_fn`: no colour,
    no terminal codes, as wide as the terminal (`$COLUMNS`, else the terminal's, else 80)."""
    return rich.console.Console(
        highlight=False, force_terminal=False, color_system=None, width=width
    )


def _table(header, alignment, column_widths, rows, line_length):
    """The rich table Keras draws: fixed column widths, a rule between rows."""
    columns = [
        rich.table.Column(rich.markup.escape(title), justify=justify, width=width)
        for title, justify, width in zip(header, alignment, column_widths)
    ]
    table = rich.table.Table(*columns, width=line_length, show_lines=True)
    for row in rows:
        table.add_row(*[rich.markup.escape(cell) for cell in row])
    return table


def render_table(header, alignment, column_widths, rows, line_length):
    """The lines of the table `line_length` wide, as `model.summary()` draws it."""
    console = _plain_console(width=line_length)
    console.begin_capture()
    console.print(_table(header, alignment, column_widths, rows, line_length))
    return console.end_capture().splitlines()
