"""`MelSpectrogram`: audio signals to (log-)mel spectrograms."""

import functools

import jax
import jax.numpy as jnp
import numpy as np

from jkeras.layers.layer import Layer
from jkeras.ops.spectral import named_window

# The HTK mel scale: mel(f) = 1127 * ln(1 + f / 700).
_MEL_BREAK_FREQUENCY_HERTZ = 700.0
_MEL_HIGH_FREQUENCY_Q = 1127.0


def _hertz_to_mel(frequencies):
    return _MEL_HIGH_FREQUENCY_Q * jnp.log(1.0 + frequencies / _MEL_BREAK_FREQUENCY_HERTZ)


def stft(x, sequence_length, sequence_stride, fft_length, window="hann"):
    """`(real, imag)` of the centered short-time Fourier transform of `x`'s last axis, shape
    `(..., frames, fft_length // 2 + 1)` (`keras.ops.stft` with `center=True`)."""
    pad = [(0, 0)] * (x.ndim - 1) + [(fft_length // 2, fft_length // 2)]
    x = jnp.pad(x, pad, mode="reflect")
    left = (fft_length - sequence_length) // 2
    right = fft_length - sequence_length - left
    if window is None:
        win = jnp.ones((fft_length,), dtype=x.dtype)
    else:
        if isinstance(window, str):
            window = named_window(window, sequence_length)
        win = jnp.pad(jnp.asarray(np.asarray(window), dtype=x.dtype), [(left, right)])
    result = jax.scipy.signal.stft(
        x, fs=1.0, window=win, nperseg=fft_length, noverlap=fft_length - sequence_stride,
        nfft=fft_length, boundary=None, padded=False)[-1]
    # jax.scipy scales by 1 / sum(window): undo it, for the plain windowed transform.
    result = jnp.swapaxes(result / jnp.sqrt(1.0 / win.sum() ** 2), -2, -1)
    return jnp.real(result), jnp.imag(result)


def linear_to_mel_weight_matrix(num_mel_bins, num_spectrogram_bins, sampling_rate,
                                lower_edge_hertz, upper_edge_hertz, dtype="float32"):
    """`(num_spectrogram_bins, num_mel_bins)` triangular filters (peak 1) warping a linear
    spectrum on `[0, sampling_rate / 2]` to mel bands on `[lower, upper]` Hz, HTK's convention
    (the DC bin gets no weight)."""
    nyquist = jnp.asarray(sampling_rate, dtype) / 2.0
    frequencies = jnp.linspace(jnp.asarray(0.0, dtype), nyquist, num_spectrogram_bins)[1:]
    bins_mel = _hertz_to_mel(frequencies)[:, None]
    edges = jnp.linspace(_hertz_to_mel(jnp.asarray(lower_edge_hertz, dtype)),
                         _hertz_to_mel(jnp.asarray(upper_edge_hertz, dtype)), num_mel_bins + 2)
    lower, center, upper = (edges[i:i + num_mel_bins][None, :] for i in range(3))
    rising = (bins_mel - lower) / (center - lower)
    falling = (upper - bins_mel) / (upper - center)
    weights = jnp.maximum(jnp.asarray(0.0, dtype), jnp.minimum(rising, falling))
    return jnp.pad(weights, [(1, 0), (0, 0)])


@functools.partial(jax.jit, static_argnums=1)
def _mel_spectrogram(inputs, settings):
    """The layer's computation, compiled once per input shape and settings (eager calls
    would otherwise compile each of its operations separately)."""
    (sequence_length, sequence_stride, fft_length, window, sampling_rate, num_mel_bins,
     min_freq, max_freq, power_to_db, top_db, mag_exp, min_power, ref_power) = settings
    real, imag = stft(inputs, sequence_length, sequence_stride, fft_length, window)
    outputs = jnp.power(jnp.sqrt(jnp.square(real) + jnp.square(imag)), mag_exp)
    matrix = linear_to_mel_weight_matrix(num_mel_bins, outputs.shape[-1], sampling_rate,
                                         min_freq, max_freq)
    outputs = jnp.tensordot(outputs, matrix, axes=1)
    if power_to_db:
        decibels = 10.0 * jnp.log10(jnp.maximum(outputs, min_power))
        reference = jnp.abs(jnp.asarray(ref_power))
        decibels -= 10.0 * jnp.log10(jnp.maximum(reference, min_power))
        outputs = jnp.maximum(decibels, jnp.max(decibels) - top_db)
    return jnp.swapaxes(outputs, -1, -2)


class MelSpectrogram(Layer):
    """Computes the mel spectrogram of audio signals: the magnitude of a centered short-time
    Fourier transform raised to `mag_exp`, warped to `num_mel_bins` mel bands and, with
    `power_to_db`, converted to decibels (relative to `ref_power`, floored `top_db` below the
    batch's maximum), with Keras 3's values.

    Args:
        fft_length: FFT size (the number of frequency bins is `fft_length // 2 + 1`).
        sequence_stride: samples between frames.
        sequence_length: window length in samples (default `fft_length`).
        window: `"hann"`, `"hamming"` or None.
        sampling_rate: samples per second.
        num_mel_bins: number of mel bands.
        min_freq / max_freq: frequency range of the mel bands in Hz (`max_freq` defaults to
            `sampling_rate / 2`).
        power_to_db: convert to decibels.
        top_db: dynamic range kept below the maximum, in dB.
        mag_exp: exponent of the magnitude (2: power spectrogram).
        min_power: floor of the power before the logarithm.
        ref_power: the power that maps to 0 dB.

    Input shape: `(samples,)` or `(batch, samples)`. Output shape: `(num_mel_bins, frames)` or
    `(batch, num_mel_bins, frames)`.
    """

    def __init__(self, fft_length=2048, sequence_stride=512, sequence_length=None,
                 window="hann", sampling_rate=16000, num_mel_bins=128, min_freq=20.0,
                 max_freq=None, power_to_db=True, top_db=80.0, mag_exp=2.0, min_power=1e-10,
                 ref_power=1.0, **kwargs):
        self.fft_length = fft_length
        self.sequence_stride = sequence_stride
        self.sequence_length = sequence_length or fft_length
        if self.fft_length < self.sequence_length:
            raise ValueError(
                "`fft_length` must be greater than or equal to  `sequence_length`. Received: "
                f"`sequence_length`={self.sequence_length}, `fft_length`={self.fft_length}.")
        if isinstance(window, str) and window not in ("hann", "hamming"):
            raise ValueError(
                'If a string is passed to `window`, it must be one of `"hann"`, `"hamming"`. '
                f"Received: window={window}")
        self.window = window
        self.sampling_rate = sampling_rate
        self.num_mel_bins = num_mel_bins
        self.min_freq = min_freq
        self.max_freq = max_freq or int(sampling_rate / 2)
        self.power_to_db = power_to_db
        self.top_db = top_db
        self.mag_exp = mag_exp
        self.min_power = min_power
        self.ref_power = ref_power
        super().__init__(**kwargs)

    def call(self, inputs):
        dtype = self.compute_dtype if self.compute_dtype in ("float32", "float64") else "float32"
        settings = (self.sequence_length, self.sequence_stride, self.fft_length,
                    self.window if isinstance(self.window, (str, type(None))) else tuple(
                        np.asarray(self.window).tolist()),
                    self.sampling_rate, self.num_mel_bins, self.min_freq, self.max_freq,
                    self.power_to_db, self.top_db, self.mag_exp, self.min_power, self.ref_power)
        outputs = _mel_spectrogram(jnp.asarray(inputs, dtype=dtype), settings)
        return outputs.astype(self.compute_dtype)

    def compute_output_shape(self, input_shape):
        def frames(length):
            return None if length is None else (
                length + self.sequence_stride + 1) // self.sequence_stride

        if len(input_shape) == 1:
            return (self.num_mel_bins, frames(input_shape[0]))
        return (input_shape[0], self.num_mel_bins, frames(input_shape[1]))

    def get_config(self):
        return {
            **super().get_config(),
            "fft_length": self.fft_length,
            "sequence_stride": self.sequence_stride,
            "sequence_length": self.sequence_length,
            "window": self.window,
            "sampling_rate": self.sampling_rate,
            "num_mel_bins": self.num_mel_bins,
            "min_freq": self.min_freq,
            "max_freq": self.max_freq,
            "power_to_db": self.power_to_db,
            "top_db": self.top_db,
            "mag_exp": self.mag_exp,
            "min_power": self.min_power,
            "ref_power": self.ref_power,
        }
