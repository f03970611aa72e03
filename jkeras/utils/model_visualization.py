"""`plot_model` and `model_to_dot`: draw a model's graph with pydot and Graphviz, as Keras 3.

One box per layer or recorded operation (an HTML-like table with the name, the class, and
optionally shapes, dtype, activation and trainability), one edge per connection. pydot and the
Graphviz `dot` program are optional dependencies, imported only when a plot is made.
"""

import html
import itertools
import os
import sys
import warnings

from jkeras.core.graph import Function, LayerStack
from jkeras.core.keras_tensor import flatten
from jkeras.layers.core.input_layer import InputLayer
from jkeras.utils import graph_order

_PYDOT_MISSING = (
    "You must install pydot (`pip install pydot`) and graphviz (`apt-get install graphviz` on "
    "Debian/Ubuntu, `brew install graphviz` on macOS, see "
    "https://graphviz.gitlab.io/download/) for `{}` to work."
)
_GRAPHVIZ_MISSING = (
    "You must install graphviz, whose `dot` program pydot runs (`apt-get install graphviz` on "
    "Debian/Ubuntu, `brew install graphviz` on macOS, `conda install graphviz`; see "
    "https://graphviz.gitlab.io/download/) for `plot_model` to work."
)


def _import_pydot():
    """The pydot module (or its older forks pydot_ng / pydotplus), or None."""
    for name in ("pydot", "pydot_ng", "pydotplus"):
        try:
            return __import__(name)
        except ImportError:
            continue
    return None


def check_pydot():
    """Whether pydot can be imported."""
    return _import_pydot() is not None


def check_graphviz():
    """Whether pydot and the Graphviz `dot` program both work (renders an empty graph)."""
    pydot = _import_pydot()
    if pydot is None:
        return False
    errors = (OSError, getattr(pydot, "PydotException", OSError))
    try:
        pydot.Dot.create(pydot.Dot())
        return True
    except errors:
        return False


def _is_model(layer, kind):
    return isinstance(layer, {"functional": Function, "sequential": LayerStack}[kind])


def _first_node_tensors(layer, attribute):
    """Keras's `layer.input` / `layer.output`: the first call's tensors (one, or a list)."""
    if isinstance(layer, InputLayer):
        return layer.output
    nodes = getattr(layer, "inbound_nodes", None) or []
    if not nodes:
        return None
    node = nodes[0]
    if attribute == "input":
        tensors = list(node.input_tensors)
    else:
        tensors = flatten(node.outputs)
    return tensors[0] if len(tensors) == 1 else tensors


def _map_structure(fn, structure):
    if isinstance(structure, list):
        return [_map_structure(fn, x) for x in structure]
    return fn(structure)


def _format_shape(shape):
    if shape is None:
        return "?"
    if isinstance(shape, dict):
        text = ", ".join(f"{k}: {v}" for k, v in shape.items())
    else:
        text = f"{shape}"
    return text.replace("}", "").replace("{", "")


def get_layer_activation_name(layer):
    activation = layer.activation
    if hasattr(activation, "name"):
        return activation.name
    if hasattr(activation, "__name__"):
        return activation.__name__
    return str(activation)


def make_layer_label(
    layer, show_layer_names, show_layer_activations, show_dtype, show_shapes, show_trainable
):
    """The HTML-like Graphviz label of a layer's box (Keras's layout and colours)."""
    class_name = html.escape(graph_order.class_name(layer), quote=False)
    name = html.escape(layer.name, quote=False)
    colspan = max(1, int(show_dtype) + int(show_trainable) + (2 if show_shapes else 0))
    label = '<<table border="0" cellborder="1" bgcolor="black" cellpadding="10">'
    title = f"<b>{name}</b> ({class_name})" if show_layer_names else f"<b>{class_name}</b>"
    label += (
        f'<tr><td colspan="{colspan}" bgcolor="black">'
        f'<font point-size="16" color="white">{title}</font></td></tr>'
    )
    if show_layer_activations and getattr(layer, "activation", None) is not None:
        label += (
            f'<tr><td bgcolor="white" colspan="{colspan}"><font point-size="14">'
            f"Activation: <b>{get_layer_activation_name(layer)}</b></font></td></tr>"
        )

    cells = []
    if show_shapes:
        shapes = {}
        for attribute in ("input", "output"):
            tensors = _first_node_tensors(layer, attribute)
            shapes[attribute] = (
                None if tensors is None else _map_structure(lambda t: t.shape, tensors)
            )
        if class_name != "InputLayer":
            cells.append(
                '<td bgcolor="white"><font point-size="14">'
                f"Input shape: <b>{_format_shape(shapes['input'])}</b></font></td>"
            )
        cells.append(
            '<td bgcolor="white"><font point-size="14">'
            f"Output shape: <b>{_format_shape(shapes['output'])}</b></font></td>"
        )
    if show_dtype:
        tensors = _first_node_tensors(layer, "output")
        dtype = None if tensors is None else _map_structure(lambda t: t.dtype, tensors)
        cells.append(
            '<td bgcolor="white"><font point-size="14">'
            f"Output dtype: <b>{dtype or '?'}</b></font></td>"
        )
    if show_trainable and hasattr(layer, "trainable") and getattr(layer, "weights", None):
        if layer.trainable:
            cells.append(
                '<td bgcolor="forestgreen"><font point-size="14" color="white">'
                "<b>Trainable</b></font></td>"
            )
        else:
            cells.append(
                '<td bgcolor="firebrick"><font point-size="14" color="white">'
                "<b>Non-trainable</b></font></td>"
            )
    if cells:
        label += f"<tr>{''.join(cells)}</tr>"
    return label + "</table>>"


def _make_node(pydot, layer, label_options):
    node = pydot.Node(str(id(layer)), label=make_layer_label(layer, **label_options))
    node.set("fontname", "Helvetica")
    node.set("border", "0")
    node.set("margin", "0")
    return node


def _add_edge(pydot, dot, source, destination):
    source_id, destination_id = str(id(source)), str(id(destination))
    if not dot.get_edge(source_id, destination_id):
        edge = pydot.Edge(source_id, destination_id)
        edge.set("penwidth", "2")
        dot.add_edge(edge)


def model_to_dot(
    model,
    show_shapes=False,
    show_dtype=False,
    show_layer_names=True,
    rankdir="TB",
    expand_nested=False,
    dpi=200,
    subgraph=False,
    show_layer_activations=False,
    show_trainable=False,
    splines="ortho",
    **kwargs,
):
    """Convert a model to a `pydot.Dot` graph (a `pydot.Cluster` if `subgraph`).

    Args:
        model: a built jkeras model.
        show_shapes: show each layer's input and output shapes.
        show_dtype: show each layer's output dtype.
        show_layer_names: show layer names (otherwise only the class).
        rankdir: `"TB"` (vertical) or `"LR"` (horizontal).
        expand_nested: draw nested Sequential/functional models as dashed clusters.
        dpi: image resolution.
        subgraph: return a `pydot.Cluster` (used for nested models).
        show_layer_activations: show the `activation` of layers that have one.
        show_trainable: mark layers with weights as trainable or not.
        splines: how Graphviz draws edges (`"ortho"`, `"spline"`, `"line"`, ...).

    Returns:
        The `pydot.Dot` (or `pydot.Cluster`).

    Example:
        >>> dot = jkeras.utils.model_to_dot(model, show_shapes=True)
        >>> print(dot.to_string())
    """
    if not model.built:
        raise ValueError(
            "This model has not yet been built. Build the model first by calling `build()` or "
            "by calling the model on a batch of data."
        )
    pydot = _import_pydot()
    if pydot is None:
        raise ImportError(_PYDOT_MISSING.format("model_to_dot"))
    if kwargs.pop("layer_range", None) is not None:
        raise ValueError("Argument `layer_range` is no longer supported.")
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments: {kwargs}")

    dot = _new_graph(pydot, model.name, subgraph, rankdir, dpi, splines)
    label_options = {
        "show_layer_names": show_layer_names,
        "show_layer_activations": show_layer_activations,
        "show_dtype": show_dtype,
        "show_shapes": show_shapes,
        "show_trainable": show_trainable,
    }
    graph = None
    if _is_model(model, "sequential"):
        layers = model.layers
    elif not _is_model(model, "functional"):
        dot.add_node(_make_node(pydot, model, label_options))  # a subclassed model: one box
        return dot
    else:
        graph = graph_order.map_graph(model)
        layers = graph.operations

    for layer in layers:
        if expand_nested and _is_nested_model(layer):
            dot.add_subgraph(model_to_dot(
                layer, rankdir=rankdir, expand_nested=True, subgraph=True, **label_options))
        else:
            dot.add_node(_make_node(pydot, layer, label_options))

    if graph is None:  # Sequential
        if not expand_nested:
            for source, destination in itertools.pairwise(layers):
                _add_edge(pydot, dot, source, destination)
            return dot
        # The first layer's incoming edge is drawn by the enclosing model.
        layers = model.layers[1:]
    _add_inbound_edges(pydot, dot, graph, layers, expand_nested)
    return dot


def _new_graph(pydot, name, subgraph, rankdir, dpi, splines):
    """A `pydot.Dot` with the drawing options, or a dashed `pydot.Cluster` for a nested model."""
    if subgraph:
        dot = pydot.Cluster(style="dashed", graph_name=name)
        dot.set("label", name)
        dot.set("labeljust", "l")
        return dot
    dot = pydot.Dot()
    dot.set("rankdir", rankdir)
    dot.set("concentrate", True)
    dot.set("dpi", dpi)
    dot.set("splines", splines)
    dot.set_node_defaults(shape="record")
    return dot


def _is_nested_model(layer):
    return _is_model(layer, "functional") or _is_model(layer, "sequential")


def _add_inbound_edges(pydot, dot, graph, layers, expand_nested):
    """An edge from each layer's inputs' producers to it (within `graph` when given)."""
    for layer in layers:
        for node in getattr(layer, "inbound_nodes", None) or []:
            if graph is not None and id(node) not in graph.node_ids:
                continue  # a call that belongs to another model
            for input_index, tensor in enumerate(node.input_tensors):
                history = _history(graph, tensor)
                if history is None:
                    continue
                source_node, output_index = history
                source, destination = source_node.operation, layer
                if expand_nested:
                    source = _resolve_source(source, output_index)
                    destination = _resolve_destination(destination, input_index)
                _add_edge(pydot, dot, source, destination)


def _history(graph, tensor):
    if graph is not None:
        return graph.history(tensor)
    return tensor.keras_history


def _resolve_source(source, output_index):
    """The layer inside nested models that produces a nested model's output."""
    while _is_nested_model(source):
        if _is_model(source, "sequential"):
            source, output_index = source.layers[-1], 0
        else:
            node, output_index = graph_order.map_graph(source).history(
                source.outputs[output_index]
            )
            source = node.operation
    return source


def _resolve_destination(destination, input_index):
    """The box inside nested models that receives a nested model's input."""
    while _is_nested_model(destination):
        if _is_model(destination, "functional"):
            destination = destination.inputs[input_index].input_layer
        else:
            destination = destination.layers[0]
    return destination


def plot_model(
    model,
    to_file="model.png",
    show_shapes=False,
    show_dtype=False,
    show_layer_names=False,
    rankdir="TB",
    expand_nested=False,
    dpi=200,
    show_layer_activations=False,
    show_trainable=False,
    splines="ortho",
    **kwargs,
):
    """Draw a model's graph to an image file with pydot and Graphviz.

    Needs `pip install pydot` and the Graphviz `dot` program (`apt-get install graphviz`).

    Args:
        model: a built jkeras model.
        to_file: the image path; its extension picks the format (`.png`, `.svg`, `.pdf`, ...;
            PNG without one).
        show_shapes, show_dtype, show_layer_names, rankdir, expand_nested, dpi,
        show_layer_activations, show_trainable, splines: as in `model_to_dot`
            (`show_layer_names` defaults to False here, as in Keras 3).

    Returns:
        An `IPython.display.Image` of the file when IPython is installed (not for PDF).

    Raises:
        ImportError: when pydot or Graphviz is missing, saying what to install.

    Example:
        >>> jkeras.utils.plot_model(model, to_file="model.png", show_shapes=True)
    """
    if not model.built:
        raise ValueError(
            "This model has not yet been built. Build the model first by calling `build()` or "
            "by calling the model on a batch of data."
        )
    if not check_pydot():
        raise ImportError(_PYDOT_MISSING.format("plot_model"))
    if not check_graphviz():
        raise ImportError(_GRAPHVIZ_MISSING)
    if kwargs.pop("layer_range", None) is not None:
        raise ValueError("Argument `layer_range` is no longer supported.")
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments: {kwargs}")

    dot = model_to_dot(
        model,
        show_shapes=show_shapes,
        show_dtype=show_dtype,
        show_layer_names=show_layer_names,
        rankdir=rankdir,
        expand_nested=expand_nested,
        dpi=dpi,
        show_layer_activations=show_layer_activations,
        show_trainable=show_trainable,
        splines=splines,
    )
    to_file = str(to_file)
    extension = os.path.splitext(to_file)[1][1:] or "png"
    try:
        dot.write(to_file, format=extension)
    except OSError:
        raise
    except Exception as error:  # pydot reports a crash of `dot` as an AssertionError
        if splines != "ortho":
            raise
        # Right-angled edges crash some Graphviz releases (e.g. 2.43 of Debian/Ubuntu, "maze.c:
        # chkSgraph" assertion) on some graphs; Keras 3 then fails. Draw polylines instead.
        warnings.warn(
            f"Graphviz failed to draw the model with splines='ortho' ({error}). This is a known "
            "bug of some Graphviz versions; the plot is drawn with splines='polyline' instead.",
            stacklevel=2,
        )
        dot.set("splines", "polyline")
        dot.write(to_file, format=extension)
    if extension != "pdf" and "IPython" in sys.modules:
        try:  # only in a notebook (IPython already imported): show the image there
            from IPython import display

            return display.Image(filename=to_file)
        except ImportError:
            pass
    return None
