"""`model.summary()`: Keras 3's table of layers, output shapes and parameter counts.

The text is the one Keras 3 prints when given a `print_fn` (rich's table with the heavy-head
box, no colour), rendered here by a small plain-text renderer that follows rich's layout rules
(column widths, word wrapping, `…` truncation), so no `rich` dependency is needed.

A functional model's rows follow Keras's graph order (`map_graph`: operations by decreasing
depth, ties in first-traversal order); operator nodes such as `x + y` get their own rows with
Keras's operation names (`add (Add)`).
"""

import itertools
import math
import os
import re
import shutil
import sys
import unicodedata

import numpy as np

from jkeras.core.graph import Function
from jkeras.core.keras_tensor import KerasTensor, Operation
from jkeras.layers.core.input_layer import InputLayer
from jkeras.layers.layer import Layer

# Bits per element, as `keras.src.utils.dtype_utils.DTYPE_TO_SIZE`.
_DTYPE_BITS = {
    **{f"float{i}": i for i in (16, 32, 64)},
    **{f"int{i}": i for i in (8, 16, 32, 64)},
    **{f"uint{i}": i for i in (8, 16, 32, 64)},
    "bfloat16": 16,
    "bool": 1,
}

# The Keras operation class behind each recorded KerasTensor operator.
_OPERATOR_CLASSES = {
    "add": "Add",
    "sub": "Subtract",
    "mul": "Multiply",
    "truediv": "TrueDivide",
    "floordiv": "FloorDivide",
    "pow": "Power",
    "matmul": "Matmul",
    "neg": "Negative",
    "abs": "Absolute",
    "getitem": "GetItem",
    "lt": "Less",
    "le": "LessEqual",
    "gt": "Greater",
    "ge": "GreaterEqual",
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


# ------------------------------------------------------------------------------ the graph


def map_graph(model):
    """The `Graph` of a functional model (Keras's operation order and node sets)."""
    return model.graph


def is_functional(model):
    return isinstance(model, Function)


def model_layers(model):
    """`model.layers` in Keras's order (a functional model's by graph depth)."""
    if is_functional(model):
        return [op for op in model.operations if isinstance(op, Layer)]
    return list(model.layers)


def class_name(operation):
    """The class Keras shows for a layer or a recorded operation (`x + y` -> `Add`)."""
    if isinstance(operation, Operation):
        base = operation.name.rsplit("_", 1)
        name = operation.name
        if len(base) == 2 and base[1].isdigit():
            name = base[0]
        if operation.operator is not None:
            key = operation.operator.strip("_")
            if key.startswith("r") and key[1:] in _OPERATOR_CLASSES:
                key = key[1:]
            if key in _OPERATOR_CLASSES:
                return _OPERATOR_CLASSES[key]
        return "".join(part.capitalize() for part in name.split("_"))
    return type(operation).__name__


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
            elif layer.get_build_config():
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

    def connections(layer):
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

    def fields(layer, prefix):
        name = f"{prefix}{layer.name} ({class_name(layer)})"
        if not hasattr(layer, "built"):
            params = "0"
        elif not _is_built(layer):
            params = "0 (unbuilt)"
        else:
            params = f"{count_params(layer.weights):,}"
        row = [name, format_layer_shape(layer), params]
        if not sequential_like:
            row.append(connections(layer))
        if show_trainable:
            if getattr(layer, "weights", None):
                row.append("Y" if layer.trainable else "N")
            else:
                row.append("-")
        return row

    def layer_rows(layer, nested_level=0):
        prefix = "   " * nested_level + "└ " if nested_level else ""
        rows = [fields(layer, prefix)]
        if expand_nested and getattr(layer, "layers", None):
            for sublayer in model_layers(layer):
                rows.extend(layer_rows(sublayer, nested_level + 1))
        return rows

    start, stop = get_layer_index_bound_by_layer_name(layers, layer_range)
    rows = [row for layer in layers[start:stop] for row in layer_rows(layer)]
    table = render_table(header, alignment, column_widths, rows, line_length)

    trainable = model.trainable_weights
    non_trainable = model.non_trainable_weights
    trainable_count, trainable_size = count_params(trainable), weight_memory_size(trainable)
    non_trainable_count = count_params(non_trainable)
    non_trainable_size = weight_memory_size(non_trainable)
    optimizer = getattr(model, "optimizer", None)
    optimizer_built = bool(
        getattr(model, "compiled", False) and optimizer and getattr(optimizer, "built", False)
    )
    optimizer_count = count_params(optimizer.variables) if optimizer_built else 0
    optimizer_size = weight_memory_size(optimizer.variables) if optimizer_built else 0
    total_count = trainable_count + non_trainable_count + optimizer_count
    total_size = trainable_size + non_trainable_size + optimizer_size

    def count_line(label, count, size):
        return f" {label}: {count:,} ({readable_memory_size(size)})"

    console_width = _console_width()
    lines = _wrap_plain(f'Model: "{model.name}"', console_width)
    lines += [line[:console_width] for line in table]
    totals = [
        count_line("Total params", total_count, total_size),
        count_line("Trainable params", trainable_count, trainable_size),
        count_line("Non-trainable params", non_trainable_count, non_trainable_size),
    ]
    if optimizer_built:
        totals.append(count_line("Optimizer params", optimizer_count, optimizer_size))
    for line in totals:
        lines += _wrap_plain(line, console_width)
    return "\n".join(lines) + "\n"


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


# -------------------------------------------------------------------- plain-text table
# The layout rules of `rich.table.Table(*columns, width=line_length, show_lines=True)` with
# fixed-width columns, the heavy-head box, one space of padding and "ellipsis" overflow.

_BOX = {
    "top": "┏━┳┓",
    "head": "┃ ┃┃",
    "head_row": "┡━╇┩",
    "row": "│ ││",
    "row_separator": "├─┼┤",
    "bottom": "└─┴┘",
}


def render_table(header, alignment, column_widths, rows, line_length):
    """The lines of a boxed table `line_length` wide (rich's layout, as Keras prints it)."""
    widths = _table_column_widths(column_widths, line_length)

    def rule(kind):
        left, fill, middle, right = _BOX[kind]
        return left + middle.join(fill * w for w in widths) + right

    def row_lines(cells, kind, vertical):
        rendered = []
        for text, width, justify in zip(cells, widths, alignment):
            inner = max(width - 2, 0)
            rendered.append([" " + line + " " for line in _wrap(text, inner, justify)])
        height = max(len(cell) for cell in rendered)
        for i, (cell, width) in enumerate(zip(rendered, widths)):
            blank = [" " * width] * (height - len(cell))
            rendered[i] = blank + cell if vertical == "bottom" else cell + blank
        edge, _, divider, _ = _BOX[kind]
        return [edge + divider.join(cell[i] for cell in rendered) + edge for i in range(height)]

    lines = [rule("top")]
    lines += row_lines(header, "head", "bottom")
    lines.append(rule("head_row"))
    for index, row in enumerate(rows):
        if index:
            lines.append(rule("row_separator"))
        lines += row_lines(row, "row", "top")
    lines.append(rule("bottom"))
    return lines


def _table_column_widths(requested, line_length):
    """Column widths including padding (rich's `Table._calculate_column_widths`)."""
    available = line_length - (len(requested) + 1)  # minus the borders

    def measure(width, maximum):
        return 0 if maximum < 1 else min(width + 2, maximum)

    widths = [measure(w, available) or 1 for w in requested]
    if sum(widths) > available:
        widths = _ratio_reduce(sum(widths) - available, [1] * len(widths), widths, widths)
        widths = [measure(w, limit) for w, limit in zip(requested, widths)]
    return widths


def _ratio_reduce(total, ratios, maximums, values):
    ratios = [ratio if maximum else 0 for ratio, maximum in zip(ratios, maximums)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return list(values)
    remaining = total
    result = []
    for ratio, maximum, value in zip(ratios, maximums, values):
        if ratio and total_ratio > 0:
            distributed = min(maximum, round(ratio * remaining / total_ratio))
            result.append(value - distributed)
            remaining -= distributed
            total_ratio -= ratio
        else:
            result.append(value)
    return result


def _char_width(char):
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _cell_len(text):
    return sum(_char_width(c) for c in text)


def _set_cell_size(text, size):
    """Crop `text` to `size` cells (a cut wide character becomes a space) or pad it."""
    out, used = [], 0
    for char in text:
        width = _char_width(char)
        if used + width > size:
            break
        out.append(char)
        used += width
    return "".join(out) + " " * (size - used)


def _chop_cells(text, width):
    chunks, current, used = [], "", 0
    for char in text:
        char_width = _char_width(char)
        if current and used + char_width > width:
            chunks.append(current)
            current, used = "", 0
        current += char
        used += char_width
    if current:
        chunks.append(current)
    return chunks


def _divide_line(text, width, fold):
    """Break offsets for word wrapping (rich's `_wrap.divide_line`)."""
    breaks = []
    offset = 0
    for match in re.finditer(r"\s*\S+\s*", text):
        start, word = match.start(), match.group(0)
        word_length = _cell_len(word.rstrip())
        if width - offset >= word_length:
            offset += _cell_len(word)
        elif word_length > width:
            if fold:
                chunks = _chop_cells(word, width)
                for i, chunk in enumerate(chunks):
                    if start:
                        breaks.append(start)
                    if i == len(chunks) - 1:
                        offset = _cell_len(chunk)
                    else:
                        start += len(chunk)
            else:
                if start:
                    breaks.append(start)
                offset = _cell_len(word)
        elif offset and start:
            breaks.append(start)
            offset = _cell_len(word)
    return breaks


def _split_at(text, offsets):
    bounds = [0, *offsets, len(text)]
    return [text[a:b] for a, b in itertools.pairwise(bounds)]


def _rstrip_end(text, size):
    excess = len(text) - size  # characters, not cells, as rich
    if excess > 0:
        trailing = len(text) - len(text.rstrip())
        text = text[: len(text) - min(trailing, excess)]
    return text


def _truncate(text, width):
    if _cell_len(text) > width:
        return _set_cell_size(text, width - 1) + "…" if width > 0 else ""
    return text


def _wrap(text, width, justify):
    """Lines of exactly `width` cells: word-wrapped, `…`-truncated and justified."""
    if width < 1:
        return [""]
    lines = []
    for paragraph in text.split("\n"):
        for line in _split_at(paragraph, _divide_line(paragraph, width, fold=False)):
            line = _rstrip_end(line, width)
            if justify == "left":
                line = _truncate(line, width)
                line += " " * (width - _cell_len(line))
            else:
                line = _truncate(line.rstrip(), width)
                excess = width - _cell_len(line)
                left = excess // 2 if justify == "center" else excess
                line = " " * left + line + " " * (excess - left)
            lines.append(line)
    return lines


def _wrap_plain(text, width):
    """A line of text as a console `width` wide prints it (folding long words)."""
    lines = _split_at(text, _divide_line(text, width, fold=True))
    return [_set_cell_size(_rstrip_end(line, width), min(_cell_len(line), width)) for line in lines]


def _console_width():
    """The width rich's console uses: $COLUMNS, else the terminal's, else 80."""
    width = None
    for descriptor in (0, 1, 2):
        try:
            width = os.get_terminal_size(descriptor).columns
            break
        except (AttributeError, ValueError, OSError):
            pass
    columns = os.environ.get("COLUMNS")
    if columns is not None and columns.isdigit():
        width = int(columns)
    return width or 80
