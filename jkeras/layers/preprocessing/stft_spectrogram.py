"""`STFTSpectrogram`: spectrograms of multi-channel signals by convolution with STFT kernels."""

import functools
import math
import warnings

import jax
import jax.numpy as jnp

from jkeras import config, initializers
from jkeras.initializers.stft_initializer import check_window_and_scaling
from jkeras.layers.convolutional.base_convolution import standardize_data_format
from jkeras.layers.input_spec import InputSpec
from jkeras.layers.layer import Layer

_MODES = ("log", "magnitude", "psd", "real", "imag", "angle", "stft")


def _convolve(inputs, kernel, frame_step, padding, channels_last):
    """`(batch, channels, freq, frames)`: every channel convolved with `kernel`."""
    if channels_last:
        inputs = jnp.swapaxes(inputs, 1, 2)
    channels = inputs.shape[1]
    signals = inputs.reshape(-1, 1, inputs.shape[-1])  # (batch * channels, 1, time)
    outputs = jax.lax.conv_general_dilated(
        signals, kernel.astype(inputs.dtype), (frame_step,), padding.upper(),
        dimension_numbers=("NCH", "HIO", "NCH"))
    return outputs.reshape((-1, channels) + outputs.shape[1:])


def _arrange(outputs, channels_last, expand_dims):
    """`(batch, channels, freq, frames)` in the layer's output layout."""
    batch, channels, freq, frames = outputs.shape
    if channels_last:
        if expand_dims:
            return jnp.transpose(outputs, (0, 3, 2, 1))
        return jnp.swapaxes(outputs.reshape(batch, channels * freq, frames), 1, 2)
    if expand_dims:
        return jnp.transpose(outputs, (0, 1, 3, 2))
    return outputs.reshape(batch, channels * freq, frames)


@functools.partial(jax.jit, static_argnums=3)
def _spectrogram(inputs, real_kernel, imag_kernel, settings):
    """The layer's computation, compiled once per shape and settings (eager calls would
    otherwise compile each of its operations separately)."""
    mode, frame_step, padding, data_format, expand_dims, epsilon = settings
    channels_last = data_format == "channels_last"

    def arrange(outputs):
        return _arrange(outputs, channels_last, expand_dims)

    def convolve(kernel):
        return _convolve(inputs, kernel, frame_step, padding, channels_last)

    real = convolve(real_kernel) if mode != "imag" else None
    imag = convolve(imag_kernel) if mode != "real" else None
    if mode == "real":
        return arrange(real)
    if mode == "imag":
        return arrange(imag)
    if mode == "angle":
        return arrange(jnp.arctan2(imag, real))
    if mode == "stft":
        return arrange(jnp.concatenate([real, imag], axis=2))
    power = jnp.square(real) + jnp.square(imag)
    if mode == "psd":
        # One-sided density: every bin but the first and last counts twice.
        return arrange(power + jnp.pad(power[:, :, 1:-1, :], [(0, 0), (0, 0), (1, 1), (0, 0)]))
    magnitude = arrange(jnp.sqrt(jnp.maximum(power, epsilon)))
    if mode == "magnitude":
        return magnitude
    return jnp.log(jnp.maximum(magnitude, epsilon))


class STFTSpectrogram(Layer):
    """The short-time Fourier transform of each channel of `(batch, time, channels)` signals,
    computed as a strided 1D convolution with trainable kernels initialized by
    `jkeras.initializers.STFT` (`real_kernel`, `imag_kernel`), as Keras 3 does.

    Args:
        mode: `"log"` (log magnitude), `"magnitude"`, `"psd"` (power spectral density),
            `"real"`, `"imag"`, `"angle"` or `"stft"` (real and imaginary parts stacked).
        frame_length: window length in samples.
        frame_step: samples between frames (default `frame_length // 2`).
        fft_length: FFT size (default the next power of two of `frame_length`).
        window: a `scipy.signal.get_window` name, an array, or None.
        periodic: use the periodic form of a named window.
        scaling: `"density"`, `"spectrum"` or None (see `STFT`).
        padding: `"valid"` or `"same"`.
        expand_dims: keep channels and frequencies on separate axes.
        data_format: `"channels_last"` or `"channels_first"`.

    Input shape: `(batch, time, channels)` (`(batch, channels, time)` channels first), float.
    Output shape: `(batch, frames, channels * freq)`, or `(batch, frames, freq, channels)` with
    `expand_dims` (transposed for channels first); `freq = fft_length // 2 + 1` (doubled in
    `"stft"` mode).
    """

    def __init__(self, mode="log", frame_length=256, frame_step=None, fft_length=None,
                 window="hann", periodic=False, scaling="density", padding="valid",
                 expand_dims=False, data_format=None, **kwargs):
        if frame_step is not None and (frame_step > frame_length or frame_step < 1):
            raise ValueError(
                "`frame_step` should be a positive integer not greater than `frame_length`. "
                f"Received frame_step={frame_step}, frame_length={frame_length}")
        if fft_length is not None and fft_length < frame_length:
            raise ValueError(
                "`fft_length` should be not less than `frame_length`. Received "
                f"fft_length={fft_length}, frame_length={frame_length}")
        if fft_length is not None and (fft_length & -fft_length) != fft_length:
            warnings.warn(
                f"`fft_length` is recommended to be a power of two. Received "
                f"fft_length={fft_length}", stacklevel=2)
        if mode not in _MODES:
            raise ValueError(
                f"Output mode is invalid, it must be one of {', '.join(_MODES)}. Received: "
                f"mode={mode}")
        if padding not in ("valid", "same"):
            raise ValueError(
                f"Padding is invalid, it should be 'valid', 'same'. Received: padding={padding}")
        check_window_and_scaling(window, scaling)
        super().__init__(**kwargs)
        self.mode = mode
        self.frame_length = frame_length
        self.frame_step = frame_step
        self._frame_step = frame_step or frame_length // 2
        self.fft_length = fft_length
        self._fft_length = fft_length or 2 ** math.ceil(math.log2(frame_length))
        self.window = window
        self.periodic = periodic
        self.scaling = scaling
        self.padding = padding
        self.expand_dims = expand_dims
        self.data_format = standardize_data_format(data_format, self.name)
        self.input_spec = InputSpec(ndim=3)

    def build(self, input_shape):
        shape = (self.frame_length, 1, self._fft_length // 2 + 1)
        for side in ("real", "imag"):
            if self.mode != ("imag" if side == "real" else "real"):
                setattr(self, f"{side}_kernel", self.add_weight(
                    name=f"{side}_kernel", shape=shape,
                    initializer=initializers.STFT(side, self.window, self.scaling,
                                                  self.periodic)))

    def call(self, inputs):
        inputs = jnp.asarray(inputs)
        if inputs.dtype.name not in ("float16", "float32", "float64", "bfloat16"):
            raise TypeError(
                "Invalid input type. Expected `float16`, `float32` or `float64`. Received: "
                f"input type={inputs.dtype}")
        real = jnp.asarray(self.real_kernel) if self.mode != "imag" else None
        imag = jnp.asarray(self.imag_kernel) if self.mode != "real" else None
        settings = (self.mode, self._frame_step, self.padding, self.data_format,
                    self.expand_dims, config.epsilon())
        return _spectrogram(inputs, real, imag, settings)

    def compute_output_shape(self, input_shape):
        channels_last = self.data_format == "channels_last"
        batch = input_shape[0]
        time, channels = (input_shape[1], input_shape[2]) if channels_last else (
            input_shape[2], input_shape[1])
        freq = (self._fft_length // 2 + 1) * (2 if self.mode == "stft" else 1)
        frames = None
        if time is not None:
            frames = (time - self.frame_length) // self._frame_step + 1
            if self.padding == "same":
                frames = (time - 1) // self._frame_step + 1
        if self.expand_dims:
            return ((batch, frames, freq, channels) if channels_last
                    else (batch, channels, frames, freq))
        features = None if channels is None else freq * channels
        return (batch, frames, features) if channels_last else (batch, features, frames)

    def get_config(self):
        return {
            **super().get_config(),
            "mode": self.mode,
            "frame_length": self.frame_length,
            "frame_step": self.frame_step,
            "fft_length": self.fft_length,
            "window": self.window,
            "periodic": self.periodic,
            "scaling": self.scaling,
            "padding": self.padding,
            "data_format": self.data_format,
            "expand_dims": self.expand_dims,
        }
