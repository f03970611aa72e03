"""`STFT`: convolution kernels computing a short-time Fourier transform."""

import functools

import jax
import jax.numpy as jnp
import numpy as np

from jkeras.core.variable import standardize_dtype
from jkeras.initializers.initializer import Initializer
from jkeras.ops.spectral import named_window


def check_window_and_scaling(window, scaling):
    """Keras's checks: a named window must be one `scipy.signal.get_window` knows."""
    if isinstance(window, str):
        named_window(window, 1)  # raises for an unknown window
    if scaling is not None and scaling not in ("density", "spectrum"):
        raise ValueError(
            "Scaling is invalid, it must be `None`, 'density' or 'spectrum'. Received "
            f"scaling={scaling}")


@functools.partial(jax.jit, static_argnums=1)
def _kernel(window, settings):
    """The kernel, in one compiled computation (not one per operation)."""
    frame_length, bins, dtype, side, scaling = settings
    # Frequencies k / n over the n = 2 * (bins - 1) points of the full transform.
    frequency = jnp.arange(bins, dtype=dtype).reshape(1, 1, bins) / ((bins - 1) * 2)
    time = jnp.arange(frame_length, dtype=dtype).reshape(frame_length, 1, 1)
    angle = (-2 * time) * frequency * jnp.arccos(jnp.asarray(-1, dtype))
    kernel = (jnp.cos(angle) if side == "real" else jnp.sin(angle)).astype(dtype)
    if window is None:
        return kernel
    window = window.reshape(frame_length, 1, 1)
    scale = 1
    if scaling == "density":
        scale = jnp.sqrt(jnp.sum(jnp.square(window)))
    elif scaling == "spectrum":
        scale = jnp.sum(jnp.abs(window))
    return kernel * window / scale


class STFT(Initializer):
    """Kernels of shape `(frame_length, 1, fft_length // 2 + 1)` whose convolution with a
    signal gives the real (`side="real"`: cosines) or imaginary (`"imag"`: sines) part of its
    discrete Fourier transform over each frame, windowed and normalized. Used by
    `jkeras.layers.STFTSpectrogram`; values equal Keras 3's.

    Args:
        side: `"real"` or `"imag"`.
        window: a `scipy.signal.get_window` name (`"hann"`, `"hamming"`, ...), an array of
            `frame_length` values, or None (no window).
        scaling: `"density"` (divide by the window's L2 norm), `"spectrum"` (by its L1 norm)
            or None.
        periodic: use the periodic form of a named window (else the symmetric one).

    Example:
        >>> kernel = jkeras.initializers.STFT("real", "hann")((128, 1, 65))
        >>> kernel.shape
        (128, 1, 65)
    """

    def __init__(self, side="real", window="hann", scaling="density", periodic=False):
        if side not in ("real", "imag"):
            raise ValueError(f"side should be 'real' or 'imag', not {side}")
        check_window_and_scaling(window, scaling)
        self.side = side
        self.window = window
        self.scaling = scaling
        self.periodic = periodic

    def __call__(self, shape, dtype=None):
        dtype = standardize_dtype(dtype)
        frame_length, _, bins = shape
        window = self.window
        if isinstance(window, str):
            window = named_window(window, frame_length, self.periodic)
        if window is not None:
            window = np.asarray(window)
            if window.ndim != 1 or window.shape[-1] != frame_length:
                raise ValueError(
                    "The shape of `window` must be equal to [frame_length]. Received: window "
                    f"shape={window.shape}")
            window = jnp.asarray(window, dtype=dtype)
        return _kernel(window, (frame_length, bins, dtype, self.side, self.scaling))


    def get_config(self):
        return {"side": self.side, "window": self.window, "periodic": self.periodic,
                "scaling": self.scaling}


STFTInitializer = STFT
