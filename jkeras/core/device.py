"""`device` and `remat`: Keras 3's top-level placement scope and rematerialization, on JAX."""

import jax


def device(device_name):
    """A context manager placing the arrays created inside it on `device_name`.

    Args:
        device_name: `"cpu"`, `"gpu"`, `"tpu"`, optionally with an index (`"gpu:1"`); case
            and a leading `"/device:"` are ignored, as in Keras.

    Example:
        >>> with jkeras.device("cpu:0"):
        ...     x = jkeras.ops.ones((2,))
    """
    if not isinstance(device_name, str):
        raise ValueError(  # noqa: TRY004 (Keras raises ValueError)
            f"Invalid value for argument `device_name`. Expected a string like "
            f"'gpu:0'. Received: device_name={device_name!r}")
    name = device_name.lower().removeprefix("/device:")
    platform, _, index = name.partition(":")
    try:
        devices = jax.devices(platform)
    except RuntimeError as error:
        raise ValueError(f"Invalid value for argument `device_name`: no {platform!r} device. "
                         f"Received: device_name={device_name!r}") from error
    index = int(index or 0)
    if index >= len(devices):
        raise ValueError(f"Invalid value for argument `device_name`: there are "
                         f"{len(devices)} {platform} devices. Received: device_name="
                         f"{device_name!r}")
    return jax.default_device(devices[index])


def remat(f):
    """`f` rematerialized: its intermediate values are recomputed in the backward pass instead
    of being kept (`jax.checkpoint`, what Keras 3's JAX backend uses), trading compute for
    memory.

    Example:
        >>> layer_call = jkeras.remat(lambda x: jnp.tanh(x) ** 2)
    """
    return jax.checkpoint(f)
