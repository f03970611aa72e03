"""Argument normalization shared by the convolution and pooling ops: `data_format`, `padding`
and per-spatial-dimension arguments (strides, pool sizes, dilation rates)."""

from jkeras import config


def data_format(value):
    """`value` lowercased and checked; None is `jkeras.config.image_data_format()`."""
    if value is None:
        return config.image_data_format()
    value = str(value).lower()
    if value not in ("channels_last", "channels_first"):
        raise ValueError(
            "`data_format` must be 'channels_last' or 'channels_first'. "
            f"Received: data_format={value!r}"
        )
    return value


def padding(op, value):
    """`value` as XLA's "VALID" or "SAME"; ValueError naming `op` for anything else."""
    value = str(value).lower()
    if value not in ("valid", "same"):
        raise ValueError(f"{op}: `padding` must be 'valid' or 'same'. Received: {value!r}")
    return value.upper()


def spatial(op, name, value, num_spatial_dims):
    """`value` (an int or a sequence) as a tuple with one entry per spatial dimension."""
    if isinstance(value, int):
        return (value,) * num_spatial_dims
    value = tuple(value)
    if len(value) != num_spatial_dims:
        raise ValueError(
            f"{op}: `{name}` must be an int or have {num_spatial_dims} entries, one per spatial "
            f"dimension. Received: {name}={value}"
        )
    return value


def check_rank(op, inputs, ranks=(3, 4, 5)):
    """ValueError naming `op` unless `inputs` has one of `ranks` (batch, spatial, channels)."""
    if inputs.ndim not in ranks:
        raise ValueError(
            f"{op}: `inputs` must have rank {' or '.join(map(str, ranks))} (batch, spatial "
            f"dimensions and channels). Received inputs with shape {inputs.shape}."
        )


def channels(inputs, data_format):
    """The size of `inputs`' channel axis in `data_format`."""
    return inputs.shape[-1] if data_format == "channels_last" else inputs.shape[1]


def conv_dimension_numbers(num_spatial_dims, data_format):
    """`(lhs, rhs, out)` layout strings for `lax.conv_general_dilated` with Keras's kernel
    layout `(*spatial, in_channels, out_channels)`."""
    spatial_axes = "DHW"[-num_spatial_dims:]
    if data_format == "channels_last":
        layout = "N" + spatial_axes + "C"
    else:
        layout = "NC" + spatial_axes
    return layout, spatial_axes + "IO", layout
