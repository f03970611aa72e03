"""`plot_image_gallery`: a grid of images (and their labels) drawn with matplotlib."""

import math

import numpy as np

from jkeras.layers.preprocessing.image.value_ranges import transform_value_range
from jkeras.visualization.image_batch import channels_last_batch


def pyplot():
    try:
        import matplotlib.pyplot as plt  # optional dependency, as in Keras 3
    except ImportError:
        raise ImportError(
            "The `plot_image_gallery` function requires the `matplotlib` package. Please "
            "install it with `pip install matplotlib`."
        ) from None
    return plt


def plot_image_gallery(images, y_true=None, y_pred=None, label_map=None, rows=None, cols=None,
                       value_range=(0, 255), scale=2, path=None, show=None, transparent=True,
                       dpi=60, legend_handles=None, data_format=None):
    """Draws the first `rows * cols` images in a grid, titled with their true and predicted
    labels' names, and saves it to `path` or shows it.

    Args:
        images: `(batch, height, width, channels)` (channels first with that `data_format`).
        y_true, y_pred: labels, looked up in `label_map` for the titles.
        label_map: dict from label to name (required with `y_true`/`y_pred`).
        rows, cols: the grid (default: about square).
        value_range: the range of the image values.
        scale: the size of each image in inches.
        path: where to save the figure (exclusive with `show`).
        show: whether to show it (default when no `path`).
        transparent, dpi: passed to `savefig`.
        legend_handles: matplotlib handles for a legend.
        data_format: "channels_last" or "channels_first".
    """
    plt = pyplot()
    if path is not None and show:
        raise ValueError("plot_gallery() expects either `path` to be set, or `show` to be true.")
    if (y_true is not None or y_pred is not None) and label_map is None:
        raise ValueError("If `y_true` or `y_pred` are provided, a `label_map` must also be provided.")
    show = show if show is not None else path is None
    images = channels_last_batch(images, data_format)
    batch_size = images.shape[0]
    rows = rows or math.ceil(math.sqrt(batch_size))
    cols = cols or batch_size // rows
    images = images[: min(rows * cols, batch_size)]
    fig, axes = plt.subplots(nrows=rows, ncols=cols, figsize=(cols * scale, rows * scale),
                             frameon=False, layout="tight", squeeze=True, sharex="row",
                             sharey="col")
    fig.subplots_adjust(wspace=0, hspace=0)
    axes = np.reshape(np.asarray(axes, dtype=object), (rows, cols))
    if legend_handles is not None:
        fig.legend(handles=legend_handles, loc="lower center")
    images = np.asarray(transform_value_range(images, value_range, (0, 255)))
    y_true = None if y_true is None else np.asarray(y_true)
    y_pred = None if y_pred is None else np.asarray(y_pred)
    for index in range(rows * cols):
        axis = axes[index // cols, index % cols]
        axis.imshow(images[index].astype("uint8"))
        axis.margins(x=0, y=0)
        axis.axis("off")
        titles = []
        if y_true is not None and index < len(y_true):
            titles.append(f"Label: {label_map.get(y_true[index], 'Unknown')}")
        if y_pred is not None and index < len(y_pred):
            titles.append(f"Pred: {label_map.get(y_pred[index], 'Unknown')}")
        if titles:
            axis.set_title("  ".join(titles), fontsize=8)
    if path is not None:
        plt.savefig(fname=path, pad_inches=0, bbox_inches="tight", transparent=transparent,
                    dpi=dpi)
        plt.close()
    elif show:
        plt.show()
        plt.close()
