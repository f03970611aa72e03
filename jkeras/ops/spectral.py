"""Fourier transforms with Keras 3's real-valued interface: complex tensors travel as
`(real, imag)` pairs of float tensors. `fft`/`fft2`/`ifft2`/`rfft`/`irfft` are `jnp.fft`
transforms over the last axes; `stft`/`istft` frame a signal with a window over
`jax.scipy.signal`."""

import functools

import jax
import jax.numpy as jnp
import jax.scipy.signal

from jkeras.ops.core import convert_to_tensor
from jkeras.ops.keras_op import keras_op


def named_window(name, length, periodic=True):
    """The window `name` (`"hann"`, `"hamming"`, ... as `scipy.signal.get_window` knows them)
    of `length` samples, periodic (for spectra) or symmetric, as a numpy array; an unknown
    name raises scipy's ValueError."""
    # scipy.signal is a heavy import (it loads scipy.stats) that only named windows need:
    # loaded on their first use, not with jkeras.
    import scipy.signal

    return scipy.signal.get_window(name, length, fftbins=periodic)


def _complex(op, x, min_rank=1):
    """The complex tensor of an `(real, imag)` pair of float tensors of the same shape."""
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError(f"{op}: `x` must be a tuple of two tensors (real, imag). Received: {x}")
    real, imag = convert_to_tensor(x[0]), convert_to_tensor(x[1])
    if real.shape != imag.shape:
        raise ValueError(
            f"{op}: the real and imaginary parts of `x` must have the same shape. Received "
            f"x[0].shape={real.shape}, x[1].shape={imag.shape}"
        )
    if not (jnp.issubdtype(real.dtype, jnp.floating) and jnp.issubdtype(imag.dtype, jnp.floating)):
        raise ValueError(
            f"{op}: the parts of `x` must be floating-point tensors. Received dtypes "
            f"{real.dtype} and {imag.dtype}."
        )
    if real.ndim < min_rank:
        raise ValueError(f"{op}: `x` must have rank >= {min_rank}. Received shape {real.shape}.")
    return jax.lax.complex(real, imag)


def _parts(z):
    return jnp.real(z), jnp.imag(z)


@keras_op
def fft(x):
    """The discrete Fourier transform over the last axis of `x = (real, imag)`; returns
    `(real, imag)`."""
    return _parts(jnp.fft.fft(_complex("fft", x)))


@keras_op
def fft2(x):
    """The 2D discrete Fourier transform over the last two axes of `x = (real, imag)`;
    returns `(real, imag)`."""
    return _parts(jnp.fft.fft2(_complex("fft2", x, min_rank=2)))


@keras_op
def ifft2(x):
    """The inverse of `fft2`: over the last two axes of `x = (real, imag)`, divided by their
    size; returns `(real, imag)`."""
    return _parts(jnp.fft.ifft2(_complex("ifft2", x, min_rank=2)))


@keras_op
def rfft(x, fft_length=None):
    """The DFT of a real signal over its last axis: the `fft_length // 2 + 1` non-negative
    frequencies (`fft_length` defaults to the signal's length; it is cropped or zero-padded
    to it). Returns `(real, imag)`."""
    return _parts(jnp.fft.rfft(convert_to_tensor(x), n=fft_length, axis=-1))


@keras_op
def irfft(x, fft_length=None):
    """The real signal of `fft_length` samples (default `2 * (n - 1)`) whose `rfft` is
    `x = (real, imag)`."""
    return jnp.fft.irfft(_complex("irfft", x), n=fft_length, axis=-1)


def _window(op, window, sequence_length, fft_length, dtype):
    """The analysis window, zero-padded on both sides to `fft_length`."""
    if window is None:
        return jnp.ones(fft_length, dtype)
    if isinstance(window, str):
        if window not in ("hann", "hamming"):
            raise ValueError(
                f"{op}: a string `window` must be 'hann' or 'hamming'. Received: window={window}"
            )
        window = named_window(window, sequence_length)  # periodic, as for spectra
    window = convert_to_tensor(window, dtype)
    if window.shape != (sequence_length,):
        raise ValueError(
            f"{op}: `window` must have shape (sequence_length,) = ({sequence_length},). "
            f"Received window shape={window.shape}"
        )
    before = (fft_length - sequence_length) // 2
    return jnp.pad(window, (before, fft_length - sequence_length - before))


def _check_frames(op, sequence_length, sequence_stride, fft_length):
    if not isinstance(sequence_stride, int) or sequence_stride <= 0:
        raise ValueError(
            f"{op}: `sequence_stride` must be a positive integer. Received: "
            f"sequence_stride={sequence_stride}"
        )
    if fft_length < sequence_length:
        raise ValueError(
            f"{op}: `fft_length` must be >= `sequence_length`. Received: sequence_length="
            f"{sequence_length}, fft_length={fft_length}"
        )


@keras_op
def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    """Short-time Fourier transform of the real signals along `x`'s last axis.

    Args:
        x: float32 (or float64) signals, `(..., samples)`.
        sequence_length: The window (frame) length.
        sequence_stride: The hop between frames.
        fft_length: The DFT size, >= `sequence_length` (the window is zero-padded to it,
            centered).
        window: "hann", "hamming" (periodic), a `(sequence_length,)` tensor, or None.
        center: Whether to reflect-pad `fft_length // 2` samples on both sides first, so
            that frame `t` is centered on sample `t * sequence_stride`.

    Returns:
        `(real, imag)`, each `(..., frames, fft_length // 2 + 1)`.
    """
    _check_frames("stft", sequence_length, sequence_stride, fft_length)
    x = convert_to_tensor(x)
    if x.dtype not in (jnp.float32, jnp.float64):
        raise TypeError(f"stft: `x` must be float32 or float64. Received dtype {x.dtype}.")
    if center:
        x = jnp.pad(x, [(0, 0)] * (x.ndim - 1) + [(fft_length // 2, fft_length // 2)],
                    mode="reflect")
    window = _window("stft", window, sequence_length, fft_length, x.dtype)
    return _short_time_dft(x, window, sequence_stride)


# Framing and transforming are many small operations: compiled as one program, an eager call
# dispatches once.
@functools.partial(jax.jit, static_argnames="sequence_stride")
def _short_time_dft(x, window, sequence_stride):
    fft_length = window.shape[0]
    spectrum = jax.scipy.signal.stft(
        x, window=window, nperseg=fft_length, noverlap=fft_length - sequence_stride,
        nfft=fft_length, boundary=None, padded=False)[-1]
    spectrum = spectrum * window.sum()  # undo scipy's "spectrum" scaling: a plain DFT
    return _parts(jnp.swapaxes(spectrum, -2, -1))


@keras_op
def istft(x, sequence_length, sequence_stride, fft_length, length=None, window="hann",
          center=True):
    """Inverse short-time Fourier transform: the signal whose `stft` is `x = (real, imag)`.

    Frames are inverted, windowed and overlap-added, divided by the overlap-added squared
    window.

    Args:
        x: `(real, imag)`, each `(..., frames, fft_length // 2 + 1)`.
        sequence_length, sequence_stride, fft_length, window, center: As given to `stft`.
        length: The number of samples to return (by default all, less the centering pad).

    Returns:
        `(..., samples)` real signals.
    """
    _check_frames("istft", sequence_length, sequence_stride, fft_length)
    x = _complex("istft", x, min_rank=2)
    dtype = jnp.real(x).dtype
    full_length = fft_length + sequence_stride * (x.shape[-2] - 1)
    padded_window = _window("istft", window, sequence_length, fft_length, dtype)
    signal = _inverse_short_time_dft(x, padded_window, sequence_stride, window is not None)
    start = fft_length // 2 if center else 0
    if length is not None:
        end = start + length
    else:
        end = full_length - fft_length // 2 if center else full_length
    return signal[..., start:end]


@functools.partial(jax.jit, static_argnames=("sequence_stride", "windowed"))
def _inverse_short_time_dft(x, window, sequence_stride, windowed):
    fft_length = window.shape[0]
    signal = jax.scipy.signal.istft(
        x, window=window, nperseg=fft_length, noverlap=fft_length - sequence_stride,
        nfft=fft_length, boundary=False, time_axis=-2, freq_axis=-1)[-1]
    # scipy expects "spectrum"-scaled input; `stft` above returns a plain DFT.
    return signal / (window.sum() if windowed else sequence_stride)
